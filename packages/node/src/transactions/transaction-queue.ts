import { SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('oxbow');

/**
 * Operations on one transactional id run one at a time (a per-id queue), so the state machine
 * never sees two transitions interleave. Each operation runs in its own `txn <name>` span.
 */
export class TransactionQueue {
  readonly #queues = new Map<string, Promise<unknown>>();

  run<T>(transactionalId: string, name: string, op: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(transactionalId) ?? Promise.resolve();
    const run = previous.then(
      () => traced(name, transactionalId, op),
      () => traced(name, transactionalId, op),
    );
    const tail = run.catch(() => undefined);
    this.#queues.set(transactionalId, tail);
    void tail.then(() => {
      if (this.#queues.get(transactionalId) === tail) this.#queues.delete(transactionalId);
    });
    return run;
  }
}

function traced<T>(name: string, transactionalId: string, op: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`txn ${name}`, { attributes: { 'oxbow.transactional_id': transactionalId } }, async (span) => {
    try {
      const result = await op();
      if (typeof result === 'number' && result !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: String(result) });
      return result;
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}
