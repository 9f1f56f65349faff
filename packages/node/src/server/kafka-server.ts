import { createServer, type Server, type Socket } from 'node:net';
import type { AnyHandler } from '../handlers/handler.js';
import type { BrokerServices } from '../broker/services.js';
import type { RequestObserver } from '../observability/request-observer.js';
import { ByteBudget } from './byte-budget.js';
import { Connection } from './connection.js';

export interface KafkaServerOptions {
  readonly host: string;
  readonly port: number;
  readonly handlers: readonly AnyHandler[];
  readonly services: BrokerServices;
  readonly observer: RequestObserver;
  /** socket.request.max.bytes */
  readonly maxFrameBytes: number;
  /** queued.max.request.bytes: request bytes held across all connections before reading pauses. */
  readonly queuedMaxRequestBytes: number;
  /** Request bytes one connection may have outstanding before it stops reading. */
  readonly maxInFlightBytesPerConnection: number;
  /** connections.max.idle.ms */
  readonly idleTimeoutMs: number;
}

/** The Kafka listener: accepts TCP connections and gives each a Connection pipeline. */
export class KafkaServer {
  readonly #options: KafkaServerOptions;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  readonly #byKey: ReadonlyMap<number, AnyHandler>;
  readonly #budget: ByteBudget;

  constructor(options: KafkaServerOptions) {
    this.#options = options;
    this.#byKey = new Map(options.handlers.map((h) => [h.api.apiKey, h]));
    if (this.#byKey.size !== options.handlers.length) throw new Error('two handlers serve the same API key');
    this.#budget = new ByteBudget(options.queuedMaxRequestBytes);
    // Accepted paused: each Connection chooses where its socket reads land, then starts reading.
    this.#server = createServer({ pauseOnConnect: true }, (socket) => this.#accept(socket));
  }

  /** The bound address (the port is known after listen, also when 0 was asked for). */
  address(): { host: string; port: number } {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('Kafka listener is not listening');
    return { host: a.address, port: a.port };
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { host, port } = this.#options;
      const fail = (err: NodeJS.ErrnoException): void => {
        const why = err.code === 'EADDRINUSE' ? 'the address is already in use (another broker running?)' : err.message;
        reject(new Error(`--kafka ${host}:${port}: cannot listen: ${why}`, { cause: err }));
      };
      this.#server.once('error', fail);
      this.#server.listen(port, host, () => {
        this.#server.off('error', fail);
        resolve();
      });
    });
  }

  /** Stops accepting, closes every connection, and resolves once the listener is closed. */
  close(): Promise<void> {
    for (const c of this.#connections) c.close();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    socket.setTimeout(this.#options.idleTimeoutMs, () => socket.destroy());
    const connection = new Connection(socket, {
      handlers: this.#byKey,
      allHandlers: () => this.#options.handlers,
      services: this.#options.services,
      budget: this.#budget,
      maxFrameBytes: this.#options.maxFrameBytes,
      maxInFlightBytes: this.#options.maxInFlightBytesPerConnection,
      observer: this.#options.observer,
    });
    this.#connections.add(connection);
    socket.once('close', () => this.#connections.delete(connection));
  }
}
