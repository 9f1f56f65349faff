/**
 * A tiny fake Kafka broker for capturing golden request bytes from real clients.
 *
 * It parses every request and encodes every response with OUR codec only (`decodeRequestFrame`,
 * `encodeResponseFrame`), answers from a fake cluster (fake-cluster.ts) that keeps just enough
 * state (topics, partition logs, one consumer group, producer ids, configs, ACLs) for librdkafka to
 * walk through its producer, consumer, transactional and admin flows — the answers themselves are
 * in the responder modules: cluster-, data-path-, group-, transaction- and admin-responders.ts —
 * and records the first request frame it sees for each (API, version) — for Produce, one frame
 * per compression codec and producer kind (the one with the most records); InitProducerId,
 * FindCoordinator and EndTxn keep their transactional / transaction-key / abort flavours apart too.
 *
 * Standalone: `node --conditions=oxbow:source --import tsx test/golden/capture/capture-server.ts`
 * prints `PORT <n>` and serves until killed. `capture.ts` imports `startCaptureServer` instead.
 */
import { createServer, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import {
  EndTxn,
  FindCoordinator,
  FrameDecoder,
  InitProducerId,
  Produce,
  decodeRequestFrame,
  encodeResponseFrame,
  lookupApi,
  scanBatches,
  type DecodedRequest,
  type RequestOf,
} from '../../../src/index.js';
import { registerAdminResponders } from './admin-responders.js';
import { registerClusterResponders } from './cluster-responders.js';
import { registerDataPathResponders } from './data-path-responders.js';
import { createFakeCluster } from './fake-cluster.js';
import { registerGroupResponders } from './group-responders.js';
import { handlerTable, type Responder } from './handlers.js';
import { registerTransactionResponders } from './transaction-responders.js';

export {
  CLUSTER_ID,
  DEFAULT_PARTITIONS,
  IDEMPOTENT_PRODUCER,
  NODE_ID,
  TRANSACTIONAL_PRODUCER,
  topicIdFor,
} from './fake-cluster.js';

/** One captured request frame (without its size prefix). */
export interface CapturedFrame {
  /** Fixture base name, e.g. `Produce-v7-gzip`. */
  readonly name: string;
  readonly api: string;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly variant: string | null;
  readonly frame: Buffer;
}

export interface CaptureServer {
  readonly port: number;
  /** Captured frames by fixture name, in the order first seen. */
  readonly captured: Map<string, CapturedFrame>;
  /** Every (API, version) seen, with how often. */
  readonly seen: Map<string, number>;
  /** Problems met while serving (decode failures, unknown APIs, handler errors). */
  readonly errors: string[];
  /** Requests that decoded only after dropping trailing bytes (which Kafka ignores). */
  readonly quirks: string[];
  close(): Promise<void>;
}

/**
 * Compression of a Produce request's first batch, plus the producer kind when it has an id; and
 * how many records the request carries.
 */
function produceVariant(body: RequestOf<typeof Produce>): { variant: string; records: number } {
  let variant = 'empty';
  let records = 0;
  for (const t of body.topicData) {
    for (const p of t.partitionData) {
      for (const batch of scanBatches(p.records ?? Buffer.alloc(0))) {
        records += batch.recordsCount;
        if (variant !== 'empty') continue;
        const kind = batch.isTransactional ? '-transactional' : batch.producerId >= 0n ? '-idempotent' : '';
        variant = `${batch.compression}${kind}`;
      }
    }
  }
  return { variant, records };
}

/** Variants kept apart besides Produce's: the transactional flavour of a few shared APIs. */
function flavour(req: DecodedRequest): string | null {
  if (req.api === InitProducerId) return (req.body as RequestOf<typeof InitProducerId>).transactionalId === null ? null : 'transactional';
  if (req.api === FindCoordinator) return (req.body as RequestOf<typeof FindCoordinator>).keyType === 1 ? 'transaction' : null;
  if (req.api === EndTxn) return (req.body as RequestOf<typeof EndTxn>).committed ? null : 'abort';
  return null;
}

/** Fixture name for a frame: `<Api>-v<N>[-<variant>][-kcat]`. */
function fixtureName(api: string, version: number, variant: string | null, clientId: string | null): string {
  const tool = clientId === 'golden-kcat' ? '-kcat' : '';
  return `${api}-v${version}${variant === null ? '' : `-${variant}`}${tool}`;
}

export async function startCaptureServer(host = '127.0.0.1', port = 0): Promise<CaptureServer> {
  const captured = new Map<string, CapturedFrame>();
  const weights = new Map<string, number>();
  const seen = new Map<string, number>();
  const errors: string[] = [];
  const quirks: string[] = [];
  const cluster = createFakeCluster(host, port);
  const { handlers, on } = handlerTable();
  registerClusterResponders(on, cluster);
  registerDataPathResponders(on, cluster);
  registerGroupResponders(on, cluster);
  registerTransactionResponders(on);
  registerAdminResponders(on, cluster);

  // ---- recording and connections -------------------------------------------------------------

  const record = (frame: Buffer, req: DecodedRequest | null, apiKey: number, version: number, clientId: string | null): void => {
    const api = req?.api.name ?? lookupApi(apiKey)?.name ?? `ApiKey${apiKey}`;
    seen.set(`${api}-v${version}`, (seen.get(`${api}-v${version}`) ?? 0) + 1);
    let variant: string | null = null;
    let weight = 0;
    if (req !== null && req.api === Produce) {
      try {
        ({ variant, records: weight } = produceVariant(req.body as RequestOf<typeof Produce>));
      } catch (err) {
        variant = 'unscannable';
        errors.push(`Produce v${version}: records do not scan: ${String(err)}`);
      }
    }
    if (req !== null) variant ??= flavour(req);
    const name = fixtureName(api, version, variant, clientId);
    // First frame wins; for Produce a later frame with more records (librdkafka sometimes sends
    // the first record of a burst alone) replaces it.
    if (!captured.has(name) || weight > (weights.get(name) ?? 0)) {
      captured.set(name, { name, api, apiKey, apiVersion: version, clientId, variant, frame: Buffer.from(frame) });
      weights.set(name, weight);
    }
  };

  const handle = async (socket: Socket, frame: Buffer): Promise<void> => {
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    const version = frame.length >= 4 ? frame.readInt16BE(2) : -1;
    let req: DecodedRequest;
    try {
      req = decodeRequestFrame(frame, lookupApi);
    } catch (err) {
      record(frame, null, apiKey, version, null);
      errors.push(`decode failed for api key ${apiKey} v${version}: ${String(err)}`);
      socket.destroy();
      return;
    }
    if (req.trailingBytes > 0) {
      // Kafka ignores bytes after a request body (and so does our decoder); note them.
      const tail = frame.subarray(frame.length - req.trailingBytes);
      quirks.push(`${req.api.name} v${version}: ${tail.length} trailing byte(s) ${tail.toString('hex')} after the body`);
    }
    record(frame, req, apiKey, version, req.header.clientId);
    const handler = handlers.get(apiKey);
    if (handler === undefined) {
      errors.push(`no handler for ${req.api.name} v${version}`);
      socket.destroy();
      return;
    }
    const respond: Responder = (api, body) => encodeResponseFrame(api, version, req.header.correlationId, body);
    try {
      const out = await handler(req, respond);
      if (out !== null && !socket.destroyed) for (const chunk of out) socket.write(chunk);
    } catch (err) {
      errors.push(`handler for ${req.api.name} v${version} failed: ${String(err)}`);
      socket.destroy();
    }
  };

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    // Requests on one connection are handled strictly in order, so responses go out in order.
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        errors.push(`framing failed: ${String(err)}`);
        socket.destroy();
        return;
      }
      for (const frame of frames) chain = chain.then(() => handle(socket, frame));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  cluster.advertisedPort = address.port;

  return {
    port: cluster.advertisedPort,
    captured,
    seen,
    errors,
    quirks,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const srv = await startCaptureServer();
  console.log(`PORT ${srv.port}`);
  process.on('SIGINT', () => {
    console.log(`captured: ${[...srv.captured.keys()].join(', ')}`);
    if (srv.errors.length > 0) console.log(`errors:\n  ${srv.errors.join('\n  ')}`);
    if (srv.quirks.length > 0) console.log(`quirks:\n  ${srv.quirks.join('\n  ')}`);
    void srv.close().then(() => process.exit(0));
  });
}
