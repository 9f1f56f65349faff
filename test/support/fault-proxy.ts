/**
 * A fault-injecting TCP proxy for Kafka connections, on 127.0.0.1 only. It forwards every byte
 * unchanged, but reads the frame headers both ways so it knows which response answers which
 * request, and applies the action its rule chose for a request when that request's response comes
 * back from the broker:
 * - `forward`: pass it on;
 * - `drop`: swallow the response (the client times out and retries, or gives up the connection);
 * - `reset`: swallow it and destroy both sockets (the broker has done the work, the client sees a
 *   connection error: the classic "append succeeded, acknowledgement lost" case);
 * - `{ delayMs }`: hold this response, and every later one on the connection, for that long.
 * Nothing here decodes request bodies; a rule sees the API key, version, correlation id and how
 * many requests of that API key the proxy has seen so far (1-based, across connections).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type FaultAction = 'forward' | 'drop' | 'reset' | { readonly delayMs: number };

export interface ProxiedRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  /** 1-based count of requests with this API key through the proxy, this one included. */
  readonly nth: number;
}

export type FaultRule = (request: ProxiedRequest) => FaultAction;

export interface FaultProxy {
  readonly port: number;
  /** 127.0.0.1:port */
  readonly address: string;
  /** Faults injected so far, by action. */
  readonly injected: { drop: number; reset: number; delay: number };
  /** Replaces the rule (e.g. to stop injecting faults). */
  setRule(rule: FaultRule): void;
  /** Points new connections at another broker port (e.g. after a restart on a new port). */
  setTarget(port: number): void;
  /** Destroys every proxied connection (the broker and the clients see a reset). */
  resetAll(): void;
  close(): Promise<void>;
}

export const FORWARD_ALL: FaultRule = () => 'forward';

/** Splits a byte stream into length-prefixed Kafka frames, handing each complete one to `onFrame`. */
class FrameSplitter {
  #buffered: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    while (this.#buffered.length >= 4) {
      const size = this.#buffered.readInt32BE(0);
      if (this.#buffered.length < 4 + size) return;
      const frame = this.#buffered.subarray(0, 4 + size);
      this.#buffered = this.#buffered.subarray(4 + size);
      this.onFrame(frame);
    }
  }
}

export async function startFaultProxy(targetPort: number, rule: FaultRule = FORWARD_ALL): Promise<FaultProxy> {
  let currentRule = rule;
  let target = targetPort;
  const counts = new Map<number, number>();
  const injected = { drop: 0, reset: 0, delay: 0 };
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const broker = connect({ host: '127.0.0.1', port: target });
    sockets.add(client);
    sockets.add(broker);
    const pending = new Map<number, FaultAction>();
    let outbound: Promise<void> = Promise.resolve();
    let dead = false;
    const kill = (): void => {
      dead = true;
      client.destroy();
      broker.destroy();
    };
    client.on('close', () => {
      sockets.delete(client);
      broker.destroy();
    });
    broker.on('close', () => {
      sockets.delete(broker);
      client.destroy();
    });
    client.on('error', () => undefined);
    broker.on('error', () => undefined);

    const requests = new FrameSplitter((frame) => {
      if (frame.length < 12) return;
      const apiKey = frame.readInt16BE(4);
      const nth = (counts.get(apiKey) ?? 0) + 1;
      counts.set(apiKey, nth);
      const correlationId = frame.readInt32BE(8);
      pending.set(correlationId, currentRule({ apiKey, apiVersion: frame.readInt16BE(6), correlationId, nth }));
    });
    const responses = new FrameSplitter((frame) => {
      const correlationId = frame.length >= 8 ? frame.readInt32BE(4) : -1;
      const action = pending.get(correlationId) ?? 'forward';
      pending.delete(correlationId);
      if (action === 'drop') {
        injected.drop++;
        return;
      }
      if (action === 'reset') {
        injected.reset++;
        // After the responses already queued, so the reset hits exactly this one.
        outbound = outbound.then(kill);
        return;
      }
      if (typeof action === 'object') {
        injected.delay++;
        const wait = action.delayMs;
        outbound = outbound.then(() => new Promise((resolve) => setTimeout(resolve, wait)));
      }
      outbound = outbound.then(() => {
        if (!dead) client.write(frame);
      });
    });

    client.on('data', (chunk: Buffer) => {
      requests.push(chunk);
      broker.write(chunk);
    });
    broker.on('data', (chunk: Buffer) => responses.push(chunk));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    address: `127.0.0.1:${port}`,
    injected,
    setRule(next) {
      currentRule = next;
    },
    setTarget(next) {
      target = next;
    },
    resetAll() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
