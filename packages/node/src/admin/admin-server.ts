import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  /** True once the broker serves Kafka requests. */
  readonly ready: () => boolean;
  readonly serveMetrics: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Admin HTTP: `/healthz` (process alive), `/readyz` (serving Kafka), `/metrics` (Prometheus). */
export class AdminServer {
  readonly #server: Server;
  readonly #options: AdminServerOptions;

  constructor(options: AdminServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => this.#route(req, res));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { host, port } = this.#options;
      const fail = (err: NodeJS.ErrnoException): void => {
        const why = err.code === 'EADDRINUSE' ? 'the address is already in use (another broker running?)' : err.message;
        reject(new Error(`--admin ${host}:${port}: cannot listen: ${why}`, { cause: err }));
      };
      this.#server.once('error', fail);
      this.#server.listen(port, host, () => {
        this.#server.off('error', fail);
        resolve();
      });
    });
  }

  address(): { host: string; port: number } {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('admin server is not listening');
    return { host: a.address, port: a.port };
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return this.#text(res, 405, 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return this.#text(res, 200, 'ok\n');
      case '/readyz':
        return this.#options.ready() ? this.#text(res, 200, 'ready\n') : this.#text(res, 503, 'starting\n');
      case '/metrics':
        return this.#options.serveMetrics(req, res);
      default:
        return this.#text(res, 404, 'not found\n');
    }
  }

  #text(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(body);
  }
}
