import { connect, type Socket } from 'node:net';
import {
  ApiVersions,
  decodeResponseFrame,
  encodeRequestFrame,
  FrameDecoder,
  KafkaApiError,
  kafkaErrorByCode,
  type Api,
  type RequestInputOf,
  type ResponseOf,
} from '@oxbow/protocol';

interface InFlight {
  readonly api: Api;
  readonly version: number;
  resolve(frame: Buffer): void;
  reject(err: Error): void;
}

/**
 * A small Kafka client over one connection, built on our codec: it negotiates versions with
 * ApiVersions, then sends requests at the highest version both sides know. The `oxbow` CLI uses it
 * for the admin commands; it is not a producer or consumer library.
 */
export class KafkaClient {
  readonly #socket: Socket;
  readonly #clientId: string;
  readonly #decoder = new FrameDecoder();
  readonly #inFlight = new Map<number, InFlight>();
  #nextCorrelationId = 1;
  #versions = new Map<number, { min: number; max: number }>();
  #closed: Error | null = null;

  private constructor(socket: Socket, clientId: string) {
    this.#socket = socket;
    this.#clientId = clientId;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.#decoder.push(chunk)) this.#onFrame(frame);
      } catch (err) {
        this.#fail(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  /** Connects to `host:port` and negotiates API versions. */
  static async connect(address: string, options: { clientId?: string; timeoutMs?: number } = {}): Promise<KafkaClient> {
    const { host, port } = parseAddress(address);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => s.destroy(new Error(`timed out connecting to ${address}`)), options.timeoutMs ?? 10_000);
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    socket.setNoDelay(true);
    const client = new KafkaClient(socket, options.clientId ?? 'oxbow-cli');
    const versions = await client.send(ApiVersions, {}, 3);
    if (versions.errorCode !== 0) throw new KafkaApiError(kafkaErrorByCode(versions.errorCode)?.name ?? 'UNKNOWN_SERVER_ERROR', 'ApiVersions failed');
    client.#versions = new Map(versions.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    return client;
  }

  /** The highest version of `api` that both this codec and the broker support. */
  versionFor(api: Api): number {
    const broker = this.#versions.get(api.apiKey);
    if (broker === undefined) throw new Error(`the broker does not serve ${api.name}`);
    const v = Math.min(broker.max, api.maxVersion);
    if (v < Math.max(broker.min, api.minVersion)) throw new Error(`no common version of ${api.name}`);
    return v;
  }

  /** Sends one request and resolves with its decoded response. */
  send<A extends Api>(api: A, body: RequestInputOf<A>, version = this.versionFor(api)): Promise<ResponseOf<A>> {
    if (this.#closed !== null) return Promise.reject(this.#closed);
    const correlationId = this.#nextCorrelationId++;
    const frame = encodeRequestFrame(api, { apiVersion: version, correlationId, clientId: this.#clientId }, body);
    return new Promise<ResponseOf<A>>((resolve, reject) => {
      this.#inFlight.set(correlationId, {
        api,
        version,
        resolve: (f) => {
          try {
            resolve(decodeResponseFrame(f, api, version).body);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        },
        reject,
      });
      for (const chunk of frame) this.#socket.write(chunk);
    });
  }

  /** Sends a request the broker does not answer (Produce with acks=0). */
  sendOneWay<A extends Api>(api: A, body: RequestInputOf<A>, version = this.versionFor(api)): void {
    if (this.#closed !== null) throw this.#closed;
    const frame = encodeRequestFrame(api, { apiVersion: version, correlationId: this.#nextCorrelationId++, clientId: this.#clientId }, body);
    for (const chunk of frame) this.#socket.write(chunk);
  }

  /** Resolves true when the broker closes the connection within `ms`, else false. */
  closedWithin(ms: number): Promise<boolean> {
    if (this.#socket.destroyed || this.#socket.readableEnded) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.#socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const pending = this.#inFlight.get(correlationId);
    if (pending === undefined) throw new Error(`response for unknown correlation id ${correlationId}`);
    this.#inFlight.delete(correlationId);
    pending.resolve(frame);
  }

  #fail(err: Error): void {
    if (this.#closed !== null) return;
    this.#closed = err;
    for (const p of this.#inFlight.values()) p.reject(err);
    this.#inFlight.clear();
  }
}

export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address.trim());
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || port < 1 || port > 65535) throw new Error(`"${address}" is not HOST:PORT`);
  return { host: m[1] as string, port };
}
