/**
 * A bare Fetch client, as its own process, to see how fast the broker serves a topic when the
 * client does almost nothing (no record decoding, no copies): `fetch-reader.ts PORT TOPIC
 * PARTITIONS SECONDS` reads every partition from offset 0 up to the high watermark of its first
 * answer, one Fetch v11 in flight with the librdkafka consumer's sizes (4 MiB per partition, 50 MB
 * per response), and prints
 * {bytes, batches, seconds, complete, error, cpuSeconds (of the reading), processCpuSeconds (start-up
 * included)}. Diagnostic next to the librdkafka consumer.
 *
 * Each response is received as librdkafka receives one (and as the broker receives Produce frames):
 * once its size prefix is in, the socket reads straight into a buffer of the frame's size (the
 * `onread` option), then the frame is decoded and every batch header in it checked. The frame
 * buffer is reused for the next response (one Fetch in flight; nothing is kept).
 */
import { connect } from 'node:net';
import { Fetch, decodeResponseFrame, encodeRequestFrame, scanBatches } from '@oxbow/protocol';

const VERSION = 11;
const [portText, topic, partitionsText, secondsText] = process.argv.slice(2);
if (portText === undefined || topic === undefined) {
  process.stderr.write('usage: fetch-reader.ts PORT TOPIC PARTITIONS SECONDS\n');
  process.exit(2);
}
const partitions = Number(partitionsText ?? 1);
const next = Array.from({ length: partitions }, () => 0n);
const end: (bigint | undefined)[] = Array.from({ length: partitions }, () => undefined);
const scratch = Buffer.allocUnsafe(64 * 1024);
const head = Buffer.alloc(4);
let headFilled = 0;
let store = Buffer.allocUnsafe(0);
/** The response being received (without its size prefix), and how much of it has arrived. */
let frame: Buffer | null = null;
let filled = 0;
const socket = connect({
  port: Number(portText),
  host: '127.0.0.1',
  onread: {
    // The rest of the current frame, so the kernel copies into it; otherwise the scratch buffer.
    buffer: () => (frame !== null ? frame.subarray(filled) : scratch),
    callback: (n: number, buf: Uint8Array): boolean => {
      if (buf !== scratch) {
        filled += n;
        if (frame !== null && filled === frame.length) received();
      } else {
        fromScratch(n);
      }
      return true; // keep reading
    },
  },
});

/** Bytes that landed in the scratch buffer: size prefixes, and the start of a frame. */
function fromScratch(n: number): void {
  let p = 0;
  while (p < n) {
    if (frame === null) {
      const k = Math.min(4 - headFilled, n - p);
      scratch.copy(head, headFilled, p, p + k);
      headFilled += k;
      p += k;
      if (headFilled < 4) return;
      headFilled = 0;
      const size = head.readInt32BE(0);
      if (size < 0 || size > 256 * 1024 * 1024) return done(`bad frame size ${size}`);
      if (store.length < size) store = Buffer.allocUnsafe(size);
      frame = store.subarray(0, size);
      filled = 0;
    }
    const k = Math.min(frame.length - filled, n - p);
    scratch.copy(frame, filled, p, p + k);
    filled += k;
    p += k;
    if (filled === frame.length) received();
  }
}
let correlationId = 0;
let bytes = 0;
let batches = 0;
let t0 = 0;
const deadline = performance.now() + Number(secondsText ?? 30) * 1000;

let cpu0 = process.cpuUsage();
const cpuOf = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

function done(error: string | null): void {
  const complete = end.every((e, p) => e !== undefined && next[p] !== undefined && next[p] >= e);
  const cpuSeconds = cpuOf(process.cpuUsage(cpu0));
  const processCpuSeconds = cpuOf(process.cpuUsage());
  process.stdout.write(`${JSON.stringify({ bytes, batches, seconds: (performance.now() - t0) / 1000, complete, error, cpuSeconds, processCpuSeconds })}\n`);
  process.exit(0);
}

function request(): void {
  const wanted = next.flatMap((offset, partition) => (end[partition] !== undefined && offset >= (end[partition] ?? 0n) ? [] : [{ partition, fetchOffset: offset, partitionMaxBytes: 4 * 1024 * 1024 }]));
  if (wanted.length === 0 || performance.now() > deadline) return done(null);
  for (const c of encodeRequestFrame(Fetch, { apiVersion: VERSION, correlationId: ++correlationId, clientId: 'oxbow-bench-fetch' }, {
    maxWaitMs: 100,
    minBytes: 1,
    maxBytes: 52428800,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: wanted.map((w) => ({ ...w, currentLeaderEpoch: -1, logStartOffset: -1n })) }],
    forgottenTopicsData: [],
    rackId: '',
  })) socket.write(c);
}

socket.on('connect', () => {
  t0 = performance.now();
  cpu0 = process.cpuUsage();
  request();
});
socket.on('error', (err) => done(err.message));

/** A whole response is in `frame`: check it, then ask for the next one. */
function received(): void {
  const whole = frame as Buffer;
  frame = null;
  const { body } = decodeResponseFrame(whole, Fetch, VERSION);
  if (body.errorCode !== 0) return done(`fetch error ${body.errorCode}`);
  for (const t of body.responses) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0) return done(`partition ${p.partitionIndex}: error ${p.errorCode}`);
      end[p.partitionIndex] ??= p.highWatermark;
      const views = scanBatches(p.records ?? Buffer.alloc(0), { allowPartialTail: true });
      const last = views[views.length - 1];
      if (last !== undefined) next[p.partitionIndex] = last.lastOffset + 1n;
      for (const v of views) bytes += v.size;
      batches += views.length;
    }
  }
  request();
}
