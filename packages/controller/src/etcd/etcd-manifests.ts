/**
 * The EtcdCoordinator's manifest writes (keys in docs/etcd-keyspace.md), each one etcd transaction
 * run through EtcdCalls (a span and a latency sample each), resolved once this node's view has
 * applied its revision:
 *
 * - `commitObject`: compares every partition's `next` key with the expected offset (`Value ==`, or
 *   `Create == 0` for 0) and puts the new `next` and the entry key: 2 operations per partition, so
 *   MAX_MANIFEST_APPENDS partitions need etcd's `--max-txn-ops` >= 2048. The decision is etcd's,
 *   not the view's, so a stale view never makes a commit conflict or succeed wrongly.
 * - `replaceManifestEntries`, `advanceManifestStart`: decided on the view, committed with
 *   `Mod ==` on the partition's `start` key, which both re-put: any other replace or advance in
 *   between makes the compare fail, and the writer catches up and decides again. Commits do not
 *   touch that key: they only add entries at or above the next offset, which neither changes.
 */
import { randomBytes } from 'node:crypto';
import { KafkaApiError } from '@oxbow/protocol';
import { CoordinatorError } from '../coordinator-error.js';
import type { ManifestAppend, ManifestCommitResult, ManifestEntry } from '../manifest.js';
import { checkAppends, checkPartitionRef, checkReplacement, entryToJson, offsetFromText, planAdvance, planReplace } from '../manifest-state.js';
import type { Budget } from './etcd-telemetry.js';
import type { EtcdWriteDeps } from './etcd-txn.js';

/**
 * Bytes of keys and values one manifest transaction may carry: etcd rejects requests above
 * `--max-request-bytes` (default 1.5 MiB); the rest is headroom for compares and framing.
 */
export const MAX_MANIFEST_TXN_BYTES = 1024 * 1024;

export interface EtcdManifestDeps extends EtcdWriteDeps {
  readonly maxTxnOps: number;
}

interface TxnResult {
  readonly succeeded: boolean;
  readonly header: { readonly revision: string };
  readonly responses: readonly { readonly response_range?: { readonly kvs: readonly { readonly value: Buffer }[] } | null }[];
}

export class EtcdManifests {
  readonly #d: EtcdManifestDeps;
  #secretKey: Buffer | undefined;

  constructor(deps: EtcdManifestDeps) {
    this.#d = deps;
  }

  async commit(appends: readonly ManifestAppend[], b: Budget): Promise<ManifestCommitResult> {
    checkAppends(appends);
    if (appends.length === 0) return { ok: true };
    this.#checkOps(2 * appends.length, `An object commit of ${appends.length} partitions`);
    const { keys } = this.#d;
    const client = this.#d.client();
    const puts = appends.map((a) => ({
      next: keys.manifestNext(a.topicId, a.partition),
      entryKey: keys.manifestEntry(a.topicId, a.partition, a.entry.baseOffset),
      entryValue: JSON.stringify(entryToJson(a.entry, false)),
    }));
    const bytes = puts.reduce((n, p) => n + 2 * p.next.length + 20 + p.entryKey.length + Buffer.byteLength(p.entryValue), 0);
    this.#checkBytes(bytes, `An object commit of ${appends.length} partitions`);
    const res = await this.#d.calls.run(
      'commit-object',
      b,
      (deadline) => {
        const [first, ...rest] = appends.map((a, i) => [puts[i]?.next ?? '', a.expectedNextOffset] as const);
        if (first === undefined) throw new Error('unreachable: no appends');
        const head = nextCompare(first[1]);
        const txn = client.if(first[0], head.column, '==', head.value);
        for (const [key, expected] of rest) {
          const c = nextCompare(expected);
          txn.and(key, c.column, '==', c.value);
        }
        return txn
          .then(...puts.flatMap((p, i) => [client.put(p.next).value(((appends[i]?.entry.lastOffset ?? 0n) + 1n).toString()), client.put(p.entryKey).value(p.entryValue)]))
          .else(...puts.map((p) => client.get(p.next)))
          .options({ deadline })
          .commit();
      },
      outcome,
    );
    await this.#d.watch().awaitRevision(Number(res.header.revision), b);
    if (res.succeeded) return { ok: true };
    const conflicts = appends.flatMap((a, i) => {
      const kv = res.responses[i]?.response_range?.kvs[0];
      const nextOffset = kv === undefined ? 0n : offsetFromText(kv.value.toString('utf8'));
      return nextOffset === a.expectedNextOffset ? [] : [Object.freeze({ topicId: a.topicId, partition: a.partition, nextOffset })];
    });
    if (conflicts.length === 0) throw new CoordinatorError('corrupt-state', 'An object commit failed its compares, yet every next offset read back as expected (a non-canonical value under manifests/).');
    return Object.freeze({ ok: false, conflicts: Object.freeze(conflicts) });
  }

  async replace(
    topicId: string,
    partition: number,
    expected: readonly Pick<ManifestEntry, 'baseOffset' | 'objectKey'>[],
    entries: readonly ManifestEntry[],
    b: Budget,
  ): Promise<boolean> {
    checkPartitionRef(topicId, partition);
    checkReplacement(expected, entries);
    this.#checkOps(2 * entries.length + 1, `Replacing with ${entries.length} entries`);
    const { keys, view } = this.#d;
    const client = this.#d.client();
    const values = entries.map((e) => JSON.stringify(entryToJson(e, false)));
    this.#checkBytes(values.reduce((n, v) => n + v.length + 200, 0), `Replacing with ${entries.length} entries`);
    let synced = false;
    for (;;) {
      const current = view.manifests.manifest(topicId, partition);
      const plan = planReplace(current, expected, entries);
      if (plan === undefined) {
        // The view may lag the caller (who read another node's view): decide on etcd's present once.
        if (synced) return false;
        await this.#sync(b);
        synced = true;
        continue;
      }
      const startKey = keys.manifestStart(topicId, partition);
      const bound = (i: number): string => {
        const next = entries[i + 1];
        return keys.manifestEntry(topicId, partition, next === undefined ? plan.to + 1n : next.baseOffset);
      };
      // Puts may not fall inside a delete range of the same transaction: delete the gaps between them.
      const ops = entries.flatMap((e, i) => {
        const key = keys.manifestEntry(topicId, partition, e.baseOffset);
        return [client.put(key).value(values[i] ?? ''), client.delete().inRange({ start: `${key}\0`, end: bound(i) })];
      });
      const res = await this.#d.calls.run(
        'replace-manifest-entries',
        b,
        (deadline) =>
          client
            .if(startKey, 'Mod', '==', view.manifests.startRevision(topicId, partition))
            .then(...ops, client.put(startKey).value(current.startOffset.toString()))
            .options({ deadline })
            .commit(),
        outcome,
      );
      await this.#d.watch().awaitRevision(Number(res.header.revision), b);
      if (res.succeeded) return true;
    }
  }

  async advance(topicId: string, partition: number, startOffset: bigint, b: Budget): Promise<readonly ManifestEntry[]> {
    checkPartitionRef(topicId, partition);
    const { keys, view } = this.#d;
    const client = this.#d.client();
    for (;;) {
      const current = view.manifests.manifest(topicId, partition);
      const plan = planAdvance(current, startOffset);
      if (plan === undefined) return Object.freeze([]);
      const startKey = keys.manifestStart(topicId, partition);
      const res = await this.#d.calls.run(
        'advance-manifest-start',
        b,
        (deadline) => {
          const txn = client.if(startKey, 'Mod', '==', view.manifests.startRevision(topicId, partition));
          // Clamped to the view's next offset: only if that is still the next offset.
          if (plan.clamped) {
            const c = nextCompare(current.nextOffset);
            txn.and(keys.manifestNext(topicId, partition), c.column, '==', c.value);
          }
          const dropRange = { start: keys.manifestEntries(topicId, partition), end: keys.manifestEntry(topicId, partition, plan.keepFrom) };
          return txn.then(client.put(startKey).value(plan.start.toString()), client.delete().inRange(dropRange)).options({ deadline }).commit();
        },
        outcome,
      );
      await this.#d.watch().awaitRevision(Number(res.header.revision), b);
      if (res.succeeded) return Object.freeze(plan.dropped);
    }
  }

  /** The cluster's secret key: put-if-absent, then whatever etcd holds. Cached; never logged. */
  async secretKey(b: Budget): Promise<Buffer> {
    if (this.#secretKey !== undefined) return Buffer.from(this.#secretKey);
    const client = this.#d.client();
    const key = this.#d.keys.clusterSecretKey();
    const fresh = randomBytes(32).toString('base64');
    const res = await this.#d.calls.run('init-cluster-secret-key', b, (deadline) =>
      client.if(key, 'Create', '==', 0).then(client.put(key).value(fresh)).else(client.get(key)).options({ deadline }).commit(),
    );
    const stored = res.succeeded ? fresh : (res.responses[0]?.response_range?.kvs[0]?.value.toString('utf8') ?? '');
    const bytes = Buffer.from(stored, 'base64');
    if (bytes.length !== 32 || bytes.toString('base64') !== stored) throw new CoordinatorError('corrupt-state', `The cluster secret key ${key} in etcd is not 32 bytes of base64.`);
    this.#secretKey = bytes;
    return Buffer.from(bytes);
  }

  /** Waits until the view holds etcd's current revision (one cheap read). */
  async #sync(b: Budget): Promise<void> {
    const client = this.#d.client();
    const res = await this.#d.calls.run('sync-view', b, (deadline) => client.get(this.#d.keys.clusterId()).options({ deadline }).exec());
    await this.#d.watch().awaitRevision(Number(res.header.revision), b);
  }

  #checkOps(ops: number, what: string): void {
    if (ops > this.#d.maxTxnOps) {
      throw new KafkaApiError('INVALID_REQUEST', `${what} needs ${ops} operations in one etcd transaction, above maxTxnOps ${this.#d.maxTxnOps} (etcd --max-txn-ops).`);
    }
  }

  #checkBytes(bytes: number, what: string): void {
    if (bytes > MAX_MANIFEST_TXN_BYTES) {
      throw new KafkaApiError('INVALID_REQUEST', `${what} is ~${bytes} bytes, above the ${MAX_MANIFEST_TXN_BYTES} bytes one etcd transaction may carry (etcd --max-request-bytes).`);
    }
  }
}

/** The compare "this next key holds `expected`" (absent means 0; a next key is never written as 0). */
function nextCompare(expected: bigint): { readonly column: 'Create' | 'Value'; readonly value: number | string } {
  return expected === 0n ? { column: 'Create', value: 0 } : { column: 'Value', value: expected.toString() };
}

function outcome(res: TxnResult): string {
  return res.succeeded ? 'committed' : 'compare-failed';
}
