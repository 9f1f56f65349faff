/**
 * An HTTP proxy in front of an S3 server that injects faults with a seeded random: 503 SlowDown
 * responses, added latency and connection resets (BRIEF §10: a userspace fault proxy, since there
 * is no toxiproxy or netem here). Counters say what was injected, so tests can prove that retries
 * happened rather than assume it.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './seeded-random.js';
import { verifySigV4, type SigV4Credentials } from './sigv4-verify.js';

export interface S3Faults {
  /** Fraction of requests answered `503 SlowDown` (without reaching the server). */
  readonly errorRate?: number;
  /** Fraction of requests whose connection is reset before any response. */
  readonly resetRate?: number;
  /** Fraction of successful GET responses cut off half-way through the body (connection reset). */
  readonly truncateRate?: number;
  /** Added to every request before it is forwarded (ms). */
  readonly latencyMs?: number;
  /** Extra random latency in [0, latencyJitterMs) (ms). */
  readonly latencyJitterMs?: number;
}

export interface S3FaultProxyOptions extends S3Faults {
  /** Seed of the fault decisions (default 1). */
  readonly seed?: number;
  /**
   * Verify SigV4 signatures against these credentials and answer 403 on a mismatch (s3rver itself
   * checks only the access key id, so without this a wrong secret goes unnoticed).
   */
  readonly verifySignatures?: SigV4Credentials;
}

export interface S3FaultCounters {
  requests: number;
  forwarded: number;
  /** 503 SlowDown responses injected. */
  throttled: number;
  /** Connections reset by injection. */
  resets: number;
  /** Requests that got added latency. */
  delayed: number;
  /** GET responses cut off mid-body. */
  truncated: number;
  /** Requests refused with 403 by signature verification. */
  rejected: number;
  /** Requests the upstream server failed (connection refused, ...): the client's socket is reset. */
  upstreamErrors: number;
}

export interface S3ProxyLogEntry {
  readonly method: string;
  readonly url: string;
  readonly outcome: 'forwarded' | 'throttled' | 'reset' | 'truncated' | 'rejected' | 'upstream-error';
  readonly status?: number;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'expect', 'upgrade', 'te', 'trailer'];
const MAX_LOG = 10_000;

export class S3FaultProxy {
  readonly counters: S3FaultCounters = { requests: 0, forwarded: 0, throttled: 0, resets: 0, delayed: 0, truncated: 0, rejected: 0, upstreamErrors: 0 };
  /** The last requests (at most 10,000), in arrival order. */
  readonly log: S3ProxyLogEntry[] = [];
  #faults: Required<S3Faults>;
  readonly #random: () => number;
  readonly #server: Server;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #target: URL;
  readonly #credentials: SigV4Credentials | undefined;
  #port = 0;

  private constructor(target: string, options: S3FaultProxyOptions) {
    this.#target = new URL(target);
    this.#random = seededRandom(options.seed ?? 1);
    this.#credentials = options.verifySignatures;
    this.#faults = { errorRate: 0, resetRate: 0, truncateRate: 0, latencyMs: 0, latencyJitterMs: 0 };
    this.setFaults(options);
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        req.socket.destroy();
      });
    });
  }

  /** Starts a proxy on a free 127.0.0.1 port forwarding to `target` (e.g. an s3rver endpoint). */
  static async start(target: string, options: S3FaultProxyOptions = {}): Promise<S3FaultProxy> {
    const proxy = new S3FaultProxy(target, options);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.#port = (proxy.#server.address() as AddressInfo).port;
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get faults(): Readonly<Required<S3Faults>> {
    return this.#faults;
  }

  /** Changes the faults from now on (unset fields keep their value). */
  setFaults(faults: S3Faults): void {
    const next = { ...this.#faults, ...Object.fromEntries(Object.entries(faults).filter(([k, v]) => v !== undefined && k !== 'seed')) } as Required<S3Faults>;
    for (const rate of [next.errorRate, next.resetRate, next.truncateRate]) {
      if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rates must be in [0, 1], got ${rate}`);
    }
    this.#faults = next;
  }

  resetCounters(): void {
    for (const k of Object.keys(this.counters) as (keyof S3FaultCounters)[]) this.counters[k] = 0;
    this.log.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    this.#agent.destroy();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++;
    const f = this.#faults;
    // Draw every decision up front, in arrival order, so a seed replays the same fault sequence.
    const reset = this.#random() < f.resetRate;
    const throttle = this.#random() < f.errorRate;
    const truncate = this.#random() < f.truncateRate;
    const delay = f.latencyMs + (f.latencyJitterMs > 0 ? this.#random() * f.latencyJitterMs : 0);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    if (delay > 0) {
      this.counters.delayed++;
      await new Promise((r) => setTimeout(r, delay));
      if (req.socket.destroyed) return; // the client gave up (its timeout)
    }
    if (this.#credentials !== undefined) {
      const verdict = verifySigV4(method, url, req.headers, this.#credentials);
      if (!verdict.ok) {
        this.counters.rejected++;
        this.#record({ method, url, outcome: 'rejected', status: 403 });
        await this.#answer(req, res, 403, verdict.code, verdict.message);
        return;
      }
    }
    if (reset) {
      this.counters.resets++;
      this.#record({ method, url, outcome: 'reset' });
      req.socket.resetAndDestroy();
      return;
    }
    if (throttle) {
      this.counters.throttled++;
      this.#record({ method, url, outcome: 'throttled', status: 503 });
      await this.#answer(req, res, 503, 'SlowDown', 'Please reduce your request rate. (injected by S3FaultProxy)');
      return;
    }
    this.#forward(req, res, method, url, truncate && method === 'GET');
  }

  #forward(req: IncomingMessage, res: ServerResponse, method: string, url: string, truncate: boolean): void {
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    const upstream = httpRequest({ host: this.#target.hostname, port: this.#target.port, method, path: url, headers, agent: this.#agent }, (up) => {
      this.counters.forwarded++;
      this.#record({ method, url, outcome: 'forwarded', ...(up.statusCode === undefined ? {} : { status: up.statusCode }) });
      const out = { ...up.headers };
      for (const h of HOP_BY_HOP) delete out[h];
      const length = Number(up.headers['content-length'] ?? 0);
      if (truncate && (up.statusCode ?? 0) < 300 && length > 1) {
        this.counters.truncated++;
        this.log[this.log.length - 1] = { method, url, outcome: 'truncated', ...(up.statusCode === undefined ? {} : { status: up.statusCode }) };
        this.#truncate(up, res, out, length);
        return;
      }
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', () => {
      this.counters.upstreamErrors++;
      this.#record({ method, url, outcome: 'upstream-error' });
      req.socket.destroy();
    });
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  }

  /** Drains the request body, then answers with an S3 XML error. */
  async #answer(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): Promise<void> {
    req.resume();
    await new Promise<void>((r) => {
      if (req.complete) r();
      else req.once('end', () => r()).once('error', () => r());
    });
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** Sends the headers and the first half of the body, then resets the connection. */
  #truncate(up: IncomingMessage, res: ServerResponse, headers: Record<string, unknown>, length: number): void {
    res.writeHead(up.statusCode ?? 200, headers as Record<string, string>);
    let sent = 0;
    const half = Math.floor(length / 2);
    up.on('data', (chunk: Buffer) => {
      if (sent >= half) return;
      const part = chunk.subarray(0, half - sent);
      sent += part.length;
      res.write(part);
      if (sent >= half) {
        up.destroy();
        // Let the half body reach the client before the reset.
        setTimeout(() => res.socket?.resetAndDestroy(), 20);
      }
    });
  }

  #record(entry: S3ProxyLogEntry): void {
    if (this.log.length >= MAX_LOG) this.log.shift();
    this.log.push(entry);
  }
}
