/** The embedded coordinator's manifest journal and secret key on disk (the behaviour is in the conformance suite). */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CoordinatorError, EmbeddedCoordinator, type ManifestAppend, type ManifestEntry } from '../src/index.js';

const entry = (baseOffset: bigint, lastOffset: bigint, objectKey = `objects/${baseOffset}`): ManifestEntry => ({
  baseOffset,
  lastOffset,
  objectKey,
  format: 'batches',
  position: 0,
  size: 100,
  records: Number(lastOffset - baseOffset + 1n),
  maxTimestamp: 1_700_000_000_000n,
  leaderEpoch: 0,
});
const append = (topicId: string, partition: number, e: ManifestEntry): ManifestAppend => ({ topicId, partition, expectedNextOffset: e.baseOffset, entry: e });

describe('EmbeddedCoordinator manifests on disk', () => {
  const dirs: string[] = [];
  const open: EmbeddedCoordinator[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function start(dataDir?: string): Promise<{ c: EmbeddedCoordinator; dataDir: string; journal: string }> {
    const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'oxbow-manifests-')));
    if (dataDir === undefined) dirs.push(dir);
    const c = new EmbeddedCoordinator({ dataDir: dir, nodeId: 1 });
    open.push(c);
    await c.start();
    return { c, dataDir: dir, journal: join(dir, 'coordinator', 'manifests.jsonl') };
  }

  it('journals manifests next to state.json (created on first use), and keeps the secret key in state.json only', async () => {
    const { c, dataDir, journal } = await start();
    const t = randomUUID();
    await c.clusterSecretKey();
    expect(await readdir(join(dataDir, 'coordinator'))).toEqual(['state.json']);
    const stateBefore = await readFile(c.statePath, 'utf8');
    expect(JSON.parse(stateBefore).clusterSecretKey).toBe((await c.clusterSecretKey()).toString('base64'));
    await c.commitObject([append(t, 0, entry(0n, 9n))]);
    await c.advanceManifestStart(t, 0, 3n);
    expect(await readFile(c.statePath, 'utf8')).toBe(stateBefore);
    const lines = (await readFile(journal, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { op: string });
    expect(lines.map((l) => l.op)).toEqual(['commit', 'advance']);
    expect(await readFile(journal, 'utf8')).not.toContain(JSON.parse(stateBefore).clusterSecretKey);
    expect((await stat(journal)).mode & 0o777).toBe(0o600);
  });

  it('cuts off a torn last line and keeps everything before it', async () => {
    const { c, dataDir, journal } = await start();
    const t = randomUUID();
    await c.commitObject([append(t, 0, entry(0n, 9n))]);
    await c.close();
    await appendFile(journal, '{"op":"commit","appends":[{"t":"');
    const { c: again } = await start(dataDir);
    expect(again.manifest(t, 0).nextOffset).toBe(10n);
    expect(await again.commitObject([append(t, 0, entry(10n, 11n))])).toEqual({ ok: true });
    await again.close();
    const { c: third } = await start(dataDir);
    expect(third.manifest(t, 0).entries.map((e) => e.baseOffset)).toEqual([0n, 10n]);
  });

  it('refuses a journal corrupt before its last line, naming the file', async () => {
    const { c, dataDir, journal } = await start();
    const t = randomUUID();
    await c.commitObject([append(t, 0, entry(0n, 9n))]);
    await c.commitObject([append(t, 0, entry(10n, 19n))]);
    await c.close();
    const [first = '', second = ''] = (await readFile(journal, 'utf8')).split('\n');
    await writeFile(journal, `${first.slice(0, 20)}\n${second}\n`);
    const broken = new EmbeddedCoordinator({ dataDir, nodeId: 1 });
    const error = await broken.start().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CoordinatorError);
    expect(error).toMatchObject({ code: 'corrupt-state', message: expect.stringContaining(journal) });
  });

  it('changes nothing when the journal cannot be written, and recovers', async () => {
    const { c, journal } = await start();
    const t = randomUUID();
    await mkdir(journal);
    await expect(c.commitObject([append(t, 0, entry(0n, 9n))])).rejects.toMatchObject({ code: 'io' });
    expect(c.manifest(t, 0).nextOffset).toBe(0n);
    await rm(journal, { recursive: true });
    expect(await c.commitObject([append(t, 0, entry(0n, 9n))])).toEqual({ ok: true });
    expect(c.manifest(t, 0).nextOffset).toBe(10n);
  });

  it('compacts the journal to one line per partition once it has grown, losing nothing', async () => {
    const { c, dataDir, journal } = await start();
    const t = randomUUID();
    // ~175 KB per commit: compaction starts past 4 MiB.
    for (let round = 0n; round < 26n; round++) {
      expect(await c.commitObject(Array.from({ length: 1024 }, (_, p) => append(t, p, entry(round, round))))).toEqual({ ok: true });
    }
    await c.advanceManifestStart(t, 5, 20n);
    const ops = (await readFile(journal, 'utf8')).trimEnd().split('\n').map((l) => (JSON.parse(l) as { op: string }).op);
    expect(ops.length).toBeLessThan(1024 + 26);
    expect(ops[0]).toBe('partition');
    expect(ops.at(-1)).toBe('advance');
    const before = [0, 5, 1023].map((p) => c.manifest(t, p));
    await c.close();
    const { c: again } = await start(dataDir);
    expect([0, 5, 1023].map((p) => again.manifest(t, p))).toEqual(before);
    expect(before[1]).toMatchObject({ nextOffset: 26n, startOffset: 20n });
  });
});
