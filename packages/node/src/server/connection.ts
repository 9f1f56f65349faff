import type { Socket } from 'node:net';
import {
  ApiVersions,
  decodeRequestFrame,
  encodeResponseFrame,
  Fetch,
  KafkaApiError,
  KafkaErrorCode,
  Produce,
  ProtocolError,
  type Api,
  type DecodedRequest,
} from '@oxbow/protocol';
import { PartitionLog } from '@oxbow/storage';
import { advertisedVersions } from '../handlers/api-versions.js';
import type { AnyHandler, RequestContext } from '../handlers/handler.js';
import type { BrokerServices } from '../broker/services.js';
import type { RequestObserver } from '../observability/request-observer.js';
import type { ByteBudget } from './byte-budget.js';
import { FramePool } from './frame-pool.js';
import { FrameReader } from './frame-reader.js';
import { readIntoUserBuffers, readThroughCopies, type ReadTarget } from './socket-reads.js';

export interface ConnectionOptions {
  readonly handlers: ReadonlyMap<number, AnyHandler>;
  readonly allHandlers: () => readonly AnyHandler[];
  readonly services: BrokerServices;
  readonly budget: ByteBudget;
  /** socket.request.max.bytes */
  readonly maxFrameBytes: number;
  /** Request bytes one connection may have in flight before it stops reading. */
  readonly maxInFlightBytes: number;
  readonly observer: RequestObserver;
}

interface Pending {
  readonly frameBytes: number;
  /** The response carries log bytes to give back to storage once written (Fetch). */
  readonly recycles: boolean;
  /** Resolves to the response chunks, or null when no response is sent. */
  readonly response: Promise<Buffer[] | null>;
}

const lookupOf = (handlers: ReadonlyMap<number, AnyHandler>) => (apiKey: number): Api | undefined => handlers.get(apiKey)?.api;

/** A frame starts with its request's api key (int16). */
const isProduceFrame = (head: Buffer): boolean => head.length >= 2 && head.readInt16BE(0) === Produce.apiKey;

/**
 * One client connection. Frames are read ahead and handled concurrently, but responses are written
 * strictly in request order (Kafka's contract), and handlers are started in arrival order so a
 * partition sees one connection's produce requests in the order they were sent. Reading pauses
 * while this connection has more than `maxInFlightBytes` outstanding, or the node-wide budget is
 * spent, or the socket's write buffer is full (a client that does not read its responses).
 * A malformed frame closes this connection only.
 *
 * The socket reads into memory the connection chooses (`FrameReader`, `socket-reads.ts`): one
 * reused scratch buffer, or straight into the rest of a large frame. Produce frames live in
 * reusable buffers (`FramePool`), given back once the request's handler has settled: the produce
 * handler settles only after every append it started has, and nothing keeps the appended bytes.
 * Other frames get fresh buffers, since some outlive their request (JoinGroup metadata, for one).
 * The socket must be accepted paused (`pauseOnConnect`); the connection starts it. Fetch responses
 * give storage's read buffers back once written (`#write`).
 */
export class Connection {
  readonly #socket: Socket;
  readonly #opts: ConnectionOptions;
  readonly #reader: FrameReader;
  readonly #pool = new FramePool();
  readonly #lookup: (apiKey: number) => Api | undefined;
  readonly #abort = new AbortController();
  readonly #queue: Pending[] = [];
  /** Frames read ahead but not yet accepted because reading is paused. */
  readonly #backlog: Buffer[] = [];
  readonly #remote: string;
  #inFlightBytes = 0;
  #writing = false;
  #closed = false;
  #unsubscribeBudget: () => void;

  constructor(socket: Socket, opts: ConnectionOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.#reader = new FrameReader(opts.maxFrameBytes, (size, head) => (isProduceFrame(head) ? this.#pool.acquire(size) : Buffer.allocUnsafe(size)));
    this.#lookup = lookupOf(opts.handlers);
    this.#remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    const target: ReadTarget = { next: () => this.#reader.nextBuffer(), onRead: (n) => this.#onRead(n) };
    if (!readIntoUserBuffers(socket, target)) readThroughCopies(socket, target);
    socket.on('drain', () => this.#pump());
    socket.on('close', () => this.#onClose());
    socket.on('error', (err) => opts.observer.connectionError(this.#remote, err));
    this.#unsubscribeBudget = opts.budget.onAvailable(() => this.#pump());
    this.#pump();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the connection (graceful shutdown or a protocol violation). */
  close(reason?: Error): void {
    if (this.#closed) return;
    if (reason !== undefined) this.#opts.observer.connectionClosed(this.#remote, reason);
    this.#socket.destroy();
    this.#onClose();
  }

  #onRead(nread: number): void {
    let frames: Buffer[];
    try {
      frames = this.#reader.onRead(nread);
    } catch (err) {
      this.close(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.#backlog.push(...frames);
    this.#pump();
  }

  /**
   * Accepts read-ahead frames one at a time while there is room, then pauses or resumes reading to
   * match, so one chunk of pipelined requests cannot overrun the limits.
   */
  #pump(): void {
    while (!this.#closed && this.#backlog.length > 0 && !this.#shouldPause()) this.#accept(this.#backlog.shift() as Buffer);
    if (this.#closed) return;
    const stop = this.#backlog.length > 0 || this.#shouldPause();
    if (stop && !this.#socket.isPaused()) this.#socket.pause();
    else if (!stop && this.#socket.isPaused()) this.#socket.resume();
  }

  #accept(frame: Buffer): void {
    let request: DecodedRequest;
    try {
      request = decodeRequestFrame(frame, this.#lookup);
    } catch (err) {
      const answered = this.#unsupportedApiVersions(frame, err);
      this.#pool.release(frame);
      if (!answered) this.close(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const handler = this.#opts.handlers.get(request.header.apiKey);
    const version = request.header.apiVersion;
    if (handler === undefined || version < handler.minVersion || version > handler.maxVersion) {
      // Kafka closes the connection for a version it does not serve (ApiVersions is handled above).
      this.#pool.release(frame);
      this.close(new ProtocolError('UNSUPPORTED_VERSION', `${request.api.name} v${version} is not served`));
      return;
    }
    this.#inFlightBytes += frame.length;
    this.#opts.budget.take(frame.length);
    const ctx: RequestContext = {
      header: request.header,
      apiVersion: version,
      services: this.#opts.services,
      remote: this.#remote,
      signal: this.#abort.signal,
      closeConnection: (reason) => this.close(new Error(reason)),
    };
    const response = this.#opts.observer
      .observe(request, this.#remote, () => this.#run(handler, request.body, ctx))
      // The handler is done with the frame's bytes (the encoded response does not refer to them).
      .finally(() => this.#pool.release(frame))
      .then((body) => (body === null ? null : encodeResponseFrame(handler.api, version, request.header.correlationId, body)));
    this.#queue.push({ frameBytes: frame.length, recycles: handler.api.apiKey === Fetch.apiKey, response });
    void this.#flush();
  }

  /** Runs a handler; unexpected failures become the API's error response with a logged cause. */
  async #run(handler: AnyHandler, body: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, unknown> | null> {
    try {
      return await handler.handle(body, ctx);
    } catch (err) {
      const code = err instanceof KafkaApiError ? err.code : KafkaErrorCode.UNKNOWN_SERVER_ERROR;
      if (!(err instanceof KafkaApiError)) this.#opts.observer.handlerFailed(handler.api.name, ctx, err);
      return handler.errorResponse(body, code, ctx);
    }
  }

  /**
   * An ApiVersions request at a version we do not know still gets an answer: UNSUPPORTED_VERSION
   * with our ranges, encoded as v0 (which every client can read), as KIP-511 specifies.
   */
  #unsupportedApiVersions(frame: Buffer, err: unknown): boolean {
    if (!(err instanceof ProtocolError) || err.code !== 'UNSUPPORTED_VERSION' || frame.length < 8) return false;
    if (frame.readInt16BE(0) !== ApiVersions.apiKey) return false;
    const correlationId = frame.readInt32BE(4);
    this.#inFlightBytes += frame.length;
    this.#opts.budget.take(frame.length);
    const body = { errorCode: KafkaErrorCode.UNSUPPORTED_VERSION, apiKeys: advertisedVersions(this.#opts.allHandlers()) };
    this.#queue.push({ frameBytes: frame.length, recycles: false, response: Promise.resolve(encodeResponseFrame(ApiVersions, 0, correlationId, body)) });
    void this.#flush();
    return true;
  }

  /** Writes finished responses in request order. */
  async #flush(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const head = this.#queue[0] as Pending;
        let chunks: Buffer[] | null;
        try {
          chunks = await head.response;
        } catch (err) {
          // Encoding a response failed: a bug on our side. The client cannot be answered in order.
          this.close(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (this.#closed) return; // #onClose already gave back what the queue held
        this.#queue.shift();
        if (chunks !== null && !this.#closed) this.#write(chunks, head.recycles);
        this.#inFlightBytes -= head.frameBytes;
        this.#opts.budget.give(head.frameBytes);
        this.#pump();
      }
    } finally {
      this.#writing = false;
    }
  }

  /**
   * Writes one response. A Fetch response's record bytes are views of storage's pooled read
   * buffers (the encoder passes large byte fields through as their own chunks): once the socket has
   * taken all of them they go back to storage, which spares the collector a gigabyte of fresh
   * memory per gigabyte served. Nothing else holds them: the handler is done, and the partition
   * keeps no reference to what it read. After a failed write nothing is given back.
   */
  #write(chunks: readonly Buffer[], recycles: boolean): void {
    this.#socket.cork();
    for (const [i, c] of chunks.entries()) {
      if (recycles && i === chunks.length - 1) {
        this.#socket.write(c, (err) => {
          if (err === null || err === undefined) for (const b of chunks) PartitionLog.recycleReadBuffer(b);
        });
      } else {
        this.#socket.write(c);
      }
    }
    this.#socket.uncork();
  }

  #shouldPause(): boolean {
    return this.#inFlightBytes >= this.#opts.maxInFlightBytes || this.#opts.budget.exhausted || this.#socket.writableNeedDrain;
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#unsubscribeBudget();
    this.#pool.close();
    // Give back what queued requests still hold; their handlers finish but nothing is written.
    for (const p of this.#queue) this.#opts.budget.give(p.frameBytes);
    this.#queue.length = 0;
    this.#backlog.length = 0;
    this.#inFlightBytes = 0;
  }
}
