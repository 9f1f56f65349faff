/**
 * A minimal Kafka client for tests, built only on @oxbow/protocol's public codec: one connection,
 * ApiVersions negotiation, then any request at a chosen (or the highest common) version. It lets a
 * test send what public clients cannot (IncrementalAlterConfigs from kafkajs) and read raw Fetch
 * `records` bytes to check batch CRCs itself.
 */
import { connect, type Socket } from 'node:net';
import {
  ApiVersions,
  decodeResponseFrame,
  encodeRequestFrame,
  FrameDecoder,
  type Api,
  type RequestInputOf,
  type ResponseOf,
} from '@oxbow/protocol';

interface Pending {
  resolve(frame: Buffer): void;
  reject(err: Error): void;
}

export class WireClient {
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder();
  readonly #pending = new Map<number, Pending>();
  #versions = new Map<number, { min: number; max: number }>();
  #nextCorrelationId = 1;
  #failure: Error | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.#decoder.push(chunk)) {
          const id = frame.readInt32BE(0);
          const p = this.#pending.get(id);
          if (p === undefined) throw new Error(`response for unknown correlation id ${id}`);
          this.#pending.delete(id);
          p.resolve(frame);
        }
      } catch (err) {
        this.#fail(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  static async connect(bootstrap: string): Promise<WireClient> {
    const [host, port] = bootstrap.split(':');
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port: Number(port) });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    const client = new WireClient(socket);
    const versions = await client.send(ApiVersions, {}, 3);
    if (versions.errorCode !== 0) throw new Error(`ApiVersions failed with error ${versions.errorCode}`);
    client.#versions = new Map(versions.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    return client;
  }

  /** The highest version of `api` both our codec and the broker serve. */
  versionFor(api: Api): number {
    const served = this.#versions.get(api.apiKey);
    if (served === undefined) throw new Error(`the broker does not advertise ${api.name}`);
    return Math.min(served.max, api.maxVersion);
  }

  send<A extends Api>(api: A, body: RequestInputOf<A>, version = this.versionFor(api)): Promise<ResponseOf<A>> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const correlationId = this.#nextCorrelationId++;
    const frame = encodeRequestFrame(api, { apiVersion: version, correlationId, clientId: 'oxbow-e2e-wire' }, body);
    return new Promise<ResponseOf<A>>((resolve, reject) => {
      this.#pending.set(correlationId, {
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
    if (this.#failure !== null) throw this.#failure;
    const frame = encodeRequestFrame(api, { apiVersion: version, correlationId: this.#nextCorrelationId++, clientId: 'oxbow-e2e-wire' }, body);
    for (const chunk of frame) this.#socket.write(chunk);
  }

  /** Resolves when the broker closes the connection (or `ms` passes, with false). */
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

  #fail(err: Error): void {
    if (this.#failure !== null) return;
    this.#failure = err;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
