import { KafkaErrorCode, Produce } from '@oxbow/protocol';
import type { AppendResult } from '@oxbow/partition-actor';
import { defineHandler } from './handler.js';

const failed = (errorCode: number, errorMessage: string | null = null): AppendResult => ({
  errorCode,
  errorMessage,
  baseOffset: -1n,
  logAppendTimeMs: -1n,
  logStartOffset: -1n,
});

/**
 * Produce (0), v3+ (record batches v2 only; older versions carry legacy message sets, which
 * Kafka 4 no longer accepts either). Every partition's append is queued before any is awaited, so
 * one connection's requests reach each partition in the order they were sent. acks=0 gets no
 * response; if any partition failed, the connection is closed so the client notices, as Kafka does.
 *
 * The handler settles only after every append it started has settled, even when one fails: the
 * connection reuses a produce frame's buffer once the handler is done (see `Connection`).
 */
export const produceHandler = defineHandler({
  api: Produce,
  minVersion: 3,
  maxVersion: 11,
  async handle(request, ctx) {
    const acks = request.acks;
    const validAcks = acks === -1 || acks === 0 || acks === 1;
    const appendOne = (topic: string, index: number, records: Buffer | null): Promise<AppendResult> => {
      if (!validAcks) return Promise.resolve(failed(KafkaErrorCode.INVALID_REQUIRED_ACKS, `acks=${acks} is not -1, 0 or 1`));
      try {
        const found = ctx.services.partition(topic, index);
        if (!found.ok) return Promise.resolve(failed(found.errorCode));
        return found.handle.append(records, acks);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    // Every append is queued (synchronously, in request order) before any is awaited.
    const pending = request.topicData.map((topic) => ({
      name: topic.name,
      partitions: topic.partitionData.map((p) => ({ index: p.index, bytes: p.records?.length ?? 0, result: appendOne(topic.name, p.index, p.records) })),
    }));
    await Promise.allSettled(pending.flatMap((t) => t.partitions.map((p) => p.result)));
    const responses = await Promise.all(
      pending.map(async (t) => ({
        name: t.name,
        partitionResponses: await Promise.all(
          t.partitions.map(async (p) => {
            const r = await p.result;
            if (r.errorCode === 0) ctx.services.metrics.bytesIn.add(p.bytes, { topic: t.name });
            return {
              index: p.index,
              errorCode: r.errorCode,
              baseOffset: r.baseOffset,
              logAppendTimeMs: r.logAppendTimeMs,
              logStartOffset: r.logStartOffset,
              recordErrors: [],
              errorMessage: r.errorMessage,
            };
          }),
        ),
      })),
    );
    if (acks === 0) {
      const error = responses.flatMap((t) => t.partitionResponses).find((p) => p.errorCode !== 0);
      if (error !== undefined) ctx.closeConnection(`acks=0 produce failed with error ${error.errorCode}: ${error.errorMessage ?? ''}`);
      return null;
    }
    return { responses, throttleTimeMs: 0 };
  },
  errorResponse: (request, errorCode) =>
    request.acks === 0
      ? null
      : {
          responses: request.topicData.map((t) => ({
            name: t.name,
            partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1n })),
          })),
        },
});
