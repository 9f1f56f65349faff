/**
 * kcat 1.7.1 (librdkafka 2.0.2) against one real broker process: metadata listings, line-based
 * produce with keys and headers over every codec (stdin and -l file) and to explicit partitions,
 * exact read-back with a tab-separated -f format, relative (-o -5) and timestamp (-o s@) start
 * offsets, a nonexistent partition, and everything still there after kill -9 and a restart.
 * The topic is auto-created by the first produce (broker num.partitions=3).
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../support/broker-process.js';
import { runProcess, type RunResult } from '../support/client-process.js';

const TOPIC = 'kcat-lines';
const PARTITIONS = 3;
/** Fields: partition, offset, key length (-1 = null), key, value length (-1 = null), value, headers, timestamp. */
const FORMAT = '%p\\t%o\\t%K\\t%k\\t%S\\t%s\\t%h\\t%T\\n';
// Short client-side timeouts so a broker that does not answer fails fast (-m: metadata/query seconds).
const FAST = ['-m', '10', '-X', 'socket.timeout.ms=10000', '-X', 'socket.connection.setup.timeout.ms=5000', '-X', 'broker.address.family=v4'];
const PRODUCER = [...FAST, '-X', 'message.timeout.ms=15000', '-X', 'enable.idempotence=false'];
// -e ends at the high watermark: do not let each EOF wait out a long fetch.
const CONSUMER = [...FAST, '-X', 'fetch.wait.max.ms=50'];

interface Line {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: string;
  timestamp: number;
}

interface Run {
  codec: string;
  /** Explicit partition (-p), else librdkafka's default partitioner picks by key. */
  partition?: number;
  /** Send from a file with -l instead of stdin. */
  fromFile?: boolean;
  acks: string;
  lines: string[];
}

/** The records one kcat -P -K: run sends: key before the first ':', no ':' = null key. */
function parseInput(line: string): { key: string | null; value: string } {
  const i = line.indexOf(':');
  return i < 0 ? { key: null, value: line } : { key: line.slice(0, i), value: line.slice(i + 1) };
}

/** librdkafka's default partitioner (consistent_random): CRC32 of a non-empty key modulo the count. */
const partitionOf = (key: string): number => crc32(Buffer.from(key)) % PARTITIONS;

function keyedLines(codec: string, n: number): string[] {
  // Keys repeat (same key, same partition); values have spaces, ':' and non-ASCII; some are empty.
  return Array.from({ length: n }, (_, i) => (i % 9 === 4 ? `k-${codec}-${i % 7}:` : `k-${codec}-${i % 7}:value ${codec} #${i}: ünïcödé ${'x'.repeat(i * 3)}`));
}

function explicitLines(p: number, n: number): string[] {
  // Null keys (no ':') and empty keys (':v') only where the partition is explicit: the default
  // partitioner places those at random.
  return Array.from({ length: n }, (_, i) => (i % 5 === 0 ? `no key in p${p} #${i}` : i % 5 === 1 ? `:empty key p${p} #${i}` : `p${p}-key-${i}:p${p} value ${i}`));
}

const RUNS: readonly Run[] = [
  { codec: 'snappy', acks: 'all', lines: keyedLines('snappy', 40) },
  { codec: 'gzip', acks: '1', lines: keyedLines('gzip', 40), fromFile: true },
  { codec: 'lz4', acks: 'all', lines: keyedLines('lz4', 40) },
  { codec: 'zstd', acks: '1', lines: keyedLines('zstd', 40), fromFile: true },
  { codec: 'none', acks: 'all', lines: keyedLines('none', 40) },
  { codec: 'zstd', acks: 'all', lines: explicitLines(0, 15), partition: 0 },
  { codec: 'gzip', acks: '1', lines: explicitLines(1, 15), partition: 1 },
  { codec: 'none', acks: 'all', lines: explicitLines(2, 15), partition: 2, fromFile: true },
];

const headersOf = (run: Run, index: number): string => `codec=${run.codec},dup=1,dup=2,empty=,nullh=NULL,run=${index}`;

function parseConsumed(stdout: string): Line[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const f = l.split('\t');
      expect(f, `unparseable kcat line ${JSON.stringify(l)}`).toHaveLength(8);
      const [p, o, klen, k, vlen, v, h, t] = f as [string, string, string, string, string, string, string, string];
      return { partition: Number(p), offset: Number(o), key: klen === '-1' ? null : k, value: vlen === '-1' ? null : v, headers: h, timestamp: Number(t) };
    });
}

const byPosition = (a: Line, b: Line): number => a.partition - b.partition || a.offset - b.offset;

describe('kcat 1.7.1 against one broker', () => {
  let broker: BrokerProcess;
  let work: string;
  /** Wall-clock window of each produce run (for timestamp checks). */
  const windows: { start: number; end: number }[] = [];
  let consumed: Line[] = [];

  const kcat = (args: readonly string[], input?: string, timeoutMs = 30_000): Promise<RunResult> => runProcess('kcat', ['-b', broker.bootstrap, ...args], { timeoutMs, ...(input === undefined ? {} : { input }) });

  const consume = async (...args: string[]): Promise<Line[]> => {
    const r = await kcat(['-C', ...CONSUMER, '-t', TOPIC, '-e', '-f', FORMAT, ...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/ERROR/);
    return parseConsumed(r.stdout).sort(byPosition);
  };

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'num.partitions': String(PARTITIONS) } });
    work = await mkdtemp(join(tmpdir(), 'oxbow-e2e-kcat-'));
  });

  afterAll(async () => {
    await broker?.cleanup();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('kcat -L lists the broker as the controller', async () => {
    const r = await kcat(['-L', ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(' 1 brokers:');
    expect(r.stdout).toContain(`broker 0 at ${broker.bootstrap} (controller)`);
  });

  it('produces keyed lines with headers for every codec (stdin and -l file) and to explicit partitions', async () => {
    for (const [index, run] of RUNS.entries()) {
      const args = ['-P', ...PRODUCER, '-t', TOPIC, '-K', ':', '-z', run.codec, '-X', `acks=${run.acks}`];
      for (const h of headersOf(run, index).split(',')) args.push('-H', h === 'nullh=NULL' ? 'nullh' : h);
      if (run.partition !== undefined) args.push('-p', String(run.partition));
      const text = run.lines.join('\n') + '\n';
      let input: string | undefined = text;
      if (run.fromFile === true) {
        const file = join(work, `run-${index}.txt`);
        await writeFile(file, text);
        args.push('-l', file);
        input = undefined;
      }
      const start = Date.now();
      const r = await kcat(args, input);
      windows.push({ start, end: Date.now() });
      expect(r.code, `run ${index} (${run.codec}): ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(/ERROR|[Ff]ailed/);
      // Runs must get distinct timestamps for the s@ checks below.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('consumes from the beginning exactly what was produced, partition by partition, in order', async () => {
    consumed = await consume('-o', 'beginning');
    const expected: Omit<Line, 'offset' | 'timestamp'>[][] = Array.from({ length: PARTITIONS }, () => []);
    const windowOf: { start: number; end: number }[][] = Array.from({ length: PARTITIONS }, () => []);
    for (const [index, run] of RUNS.entries()) {
      for (const line of run.lines) {
        const { key, value } = parseInput(line);
        const partition = run.partition ?? partitionOf(key ?? '');
        expected[partition]?.push({ partition, key, value, headers: headersOf(run, index) });
        windowOf[partition]?.push(windows[index] ?? { start: 0, end: 0 });
      }
    }
    expect(consumed).toHaveLength(RUNS.reduce((n, r) => n + r.lines.length, 0));
    for (let p = 0; p < PARTITIONS; p++) {
      const got = consumed.filter((l) => l.partition === p);
      expect(got.map((l) => l.offset)).toEqual(got.map((_, i) => i));
      expect(got.map(({ offset: _o, timestamp: _t, ...rest }) => rest)).toEqual(expected[p]);
      // CreateTime set by the client while its run was going on.
      got.forEach((l, i) => {
        const w = windowOf[p]?.[i];
        expect(l.timestamp).toBeGreaterThanOrEqual(w?.start ?? Infinity);
        expect(l.timestamp).toBeLessThanOrEqual(w?.end ?? -Infinity);
      });
    }
    // Null and empty keys and empty values made it through as such.
    expect(consumed.some((l) => l.key === null)).toBe(true);
    expect(consumed.some((l) => l.key === '')).toBe(true);
    expect(consumed.some((l) => l.value === '')).toBe(true);
  });

  it('-o -5 starts five records before the end of every partition', async () => {
    const tail = await consume('-o', '-5');
    const expected = [0, 1, 2].flatMap((p) => consumed.filter((l) => l.partition === p).slice(-5));
    expect(tail).toEqual(expected);
  });

  it('-o s@<timestamp> starts at the earliest offset whose timestamp is at or after it', async () => {
    // The first record of each run, and one millisecond after, and past the last record.
    const targets = [...RUNS.keys()].flatMap((i) => [windows[i]?.start ?? 0, (windows[i]?.start ?? 0) + 1]);
    targets.push(Math.max(...consumed.map((l) => l.timestamp)) + 1, Math.min(...consumed.map((l) => l.timestamp)) - 1);
    for (const t of targets) {
      const expected = [0, 1, 2].flatMap((p) => {
        const inP = consumed.filter((l) => l.partition === p);
        const first = inP.findIndex((l) => l.timestamp >= t);
        return first < 0 ? [] : inP.slice(first);
      });
      expect(await consume('-o', `s@${t}`), `s@${t}`).toEqual(expected);
    }
  });

  it('consuming a partition the topic does not have fails with kcat\'s error', async () => {
    const r = await kcat(['-C', ...CONSUMER, '-t', TOPIC, '-p', '7', '-o', 'beginning', '-e']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Topic ${TOPIC} (with partitions 0..2): partition 7 does not exist`);
  });

  it('kcat -L -t shows each partition with its leader, replicas and ISR', async () => {
    const r = await kcat(['-L', ...FAST, '-t', TOPIC]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`topic "${TOPIC}" with 3 partitions:`);
    for (let p = 0; p < PARTITIONS; p++) expect(r.stdout).toContain(`partition ${p}, leader 0, replicas: 0, isrs: 0`);
  });

  it('after kill -9 and a restart, everything is still there, byte for byte, and offsets continue', async () => {
    // Acknowledged (acks=all) just before the kill: must survive it too.
    const last = ['late-1:acked right before kill -9', 'late-2:', 'late-3:third'];
    const produced = await kcat(['-P', ...PRODUCER, '-t', TOPIC, '-K', ':', '-p', '1', '-z', 'lz4', '-X', 'acks=all', '-H', 'late=yes'], last.join('\n') + '\n');
    expect(produced.code, produced.stderr).toBe(0);
    await broker.kill9();
    broker = await broker.restart();

    const after = await consume('-o', 'beginning');
    const p1 = consumed.filter((l) => l.partition === 1).length;
    expect(after.filter((l) => !(l.partition === 1 && l.offset >= p1))).toEqual(consumed);
    expect(after.filter((l) => l.partition === 1 && l.offset >= p1).map(({ partition, offset, key, value, headers }) => ({ partition, offset, key, value, headers }))).toEqual(
      last.map((line, i) => ({ partition: 1, offset: p1 + i, ...parseInput(line), headers: 'late=yes' })),
    );
    const r = await kcat(['-L', ...FAST, '-t', TOPIC]);
    expect(r.stdout).toContain(`topic "${TOPIC}" with 3 partitions:`);

    // The restarted log appends after what it recovered: no offset is handed out twice.
    const again = await kcat(['-P', ...PRODUCER, '-t', TOPIC, '-K', ':', '-p', '1', '-X', 'acks=all'], 'post:restart\n');
    expect(again.code, again.stderr).toBe(0);
    expect(await consume('-p', '1', '-o', '-1')).toEqual([expect.objectContaining({ partition: 1, offset: p1 + last.length, key: 'post', value: 'restart' })]);
  });
});
