/** EtcdCoordinator manifests beyond the conformance suite: key layout, limits, several nodes racing. */
import { randomUUID } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KafkaApiError } from '@oxbow/protocol';
import type { ManifestAppend, ManifestEntry } from '../../src/index.js';
import { startEtcd, type EtcdServer } from '../../src/testing/index.js';
import { Coordinators, uniqueCluster } from './helpers.js';

let etcd: EtcdServer;
let nodes: Coordinators;
let raw: Etcd3;

beforeAll(async () => {
  etcd = await startEtcd();
  nodes = new Coordinators(etcd.endpoints);
  raw = new Etcd3({ hosts: [...etcd.endpoints] });
});
afterEach(async () => nodes.closeAll());
afterAll(async () => {
  raw?.close();
  await etcd?.stop();
});

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
const refs = (entries: readonly ManifestEntry[]) => entries.map(({ baseOffset, objectKey }) => ({ baseOffset, objectKey }));

describe('EtcdCoordinator manifests', () => {
  it('stores next, start and one key per entry under manifests/{topicId}/{partition}/', async () => {
    const clusterName = uniqueCluster('manifest-keys');
    const c = await nodes.start({ clusterName, nodeId: 1 });
    const t = randomUUID();
    await c.commitObject([append(t, 3, { ...entry(0n, 9n, 'o/1'), extra: 'x' })]);
    await c.advanceManifestStart(t, 3, 2n);
    const kvs = await raw.getAll().prefix(`/oxbow/${clusterName}/manifests/`).strings();
    expect(kvs).toEqual({
      [`/oxbow/${clusterName}/manifests/${t}/3/next`]: '10',
      [`/oxbow/${clusterName}/manifests/${t}/3/start`]: '2',
      [`/oxbow/${clusterName}/manifests/${t}/3/e/00000000000000000000`]:
        '{"last":"9","object":"o/1","format":"batches","pos":0,"size":100,"records":10,"maxTs":"1700000000000","epoch":0,"extra":"x"}',
    });
  });

  it('bounds a commit by maxTxnOps (2 operations per partition), naming the limit', async () => {
    const c = await nodes.start({ clusterName: uniqueCluster('manifest-ops'), nodeId: 1, maxTxnOps: 128 });
    const t = randomUUID();
    const appends = (n: number): ManifestAppend[] => Array.from({ length: n }, (_, p) => append(t, p, entry(0n, 0n)));
    expect(await c.commitObject(appends(64))).toEqual({ ok: true });
    const error = await c.commitObject(appends(65)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaApiError);
    expect(error).toMatchObject({ errorName: 'INVALID_REQUEST', message: expect.stringMatching(/130 operations.*maxTxnOps 128/) });
  });

  it('lets a node whose view lags the caller replace what the caller saw elsewhere', async () => {
    const clusterName = uniqueCluster('manifest-lag');
    const [a, b] = [await nodes.start({ clusterName, nodeId: 1 }), await nodes.start({ clusterName, nodeId: 2 })];
    const t = randomUUID();
    for (let i = 0n; i < 3n; i++) await a.commitObject([append(t, 0, entry(i * 10n, i * 10n + 9n))]);
    // Straight away: b's watch may not have delivered the commits yet.
    expect(await b.replaceManifestEntries(t, 0, refs(a.manifest(t, 0).entries), [entry(0n, 29n, 'merged')])).toBe(true);
    expect(b.manifest(t, 0).entries.map((e) => e.objectKey)).toEqual(['merged']);
  });

  it('does not make commits conflict with compaction or retention on another node, while those two exclude each other', async () => {
    const clusterName = uniqueCluster('manifest-race');
    const [a, b] = [await nodes.start({ clusterName, nodeId: 1 }), await nodes.start({ clusterName, nodeId: 2 })];
    const t = randomUUID();
    for (let i = 0n; i < 4n; i++) await a.commitObject([append(t, 0, entry(i * 10n, i * 10n + 9n))]);
    const old = a.manifest(t, 0).entries;
    const [committed, replaced, replacedAgain] = await Promise.all([
      a.commitObject([append(t, 0, entry(40n, 49n))]),
      b.replaceManifestEntries(t, 0, refs(old.slice(0, 2)), [entry(0n, 19n, 'merged-b')]),
      a.replaceManifestEntries(t, 0, refs(old.slice(1, 3)), [entry(10n, 29n, 'merged-a')]),
    ]);
    expect(committed).toEqual({ ok: true });
    // The two replaces overlap (entry 10): exactly one can have happened.
    expect([replaced, replacedAgain].filter(Boolean)).toHaveLength(1);
    const [dropped] = await Promise.all([b.advanceManifestStart(t, 0, 35n), a.commitObject([append(t, 0, entry(50n, 59n))])]);
    expect(dropped.map((e) => e.objectKey)).toEqual(replaced ? ['merged-b', 'objects/20'] : ['objects/0', 'merged-a']);
    // Each node saw its own write; the other's arrives through the watch.
    for (const c of [a, b]) {
      await expect.poll(() => [c.manifest(t, 0).nextOffset, c.manifest(t, 0).startOffset, ...c.manifest(t, 0).entries.map((e) => e.baseOffset)]).toEqual([60n, 35n, 30n, 40n, 50n]);
    }
  });

  it('gives two nodes asking first for the cluster secret key the same key', async () => {
    const clusterName = uniqueCluster('manifest-secret');
    const [a, b] = [await nodes.start({ clusterName, nodeId: 1 }), await nodes.start({ clusterName, nodeId: 2 })];
    const [ka, kb] = await Promise.all([a.clusterSecretKey(), b.clusterSecretKey()]);
    expect(ka.equals(kb)).toBe(true);
    const stored = await raw.get(`/oxbow/${clusterName}/secrets/cluster-key`).string();
    expect(Buffer.from(stored ?? '', 'base64').equals(ka)).toBe(true);
  });

  it('loads a prefix of more than one page of keys on start', async () => {
    const clusterName = uniqueCluster('manifest-pages');
    const a = await nodes.start({ clusterName, nodeId: 1, maxTxnOps: 4096 });
    const t = randomUUID();
    // 4 × 1024 entry keys + 1024 next keys: more than one page of 5000.
    for (let round = 0n; round < 4n; round++) {
      const appends = Array.from({ length: 1024 }, (_, p) => append(t, p, entry(round, round)));
      expect(await a.commitObject(appends)).toEqual({ ok: true });
    }
    const b = await nodes.start({ clusterName, nodeId: 2 });
    for (const p of [0, 511, 1023]) expect(b.manifest(t, p)).toEqual(a.manifest(t, p));
    expect(b.manifest(t, 1023).entries).toHaveLength(4);
  });
});
