/**
 * The embedded coordinator's manifests: every partition's manifest in memory, made durable by the
 * manifest journal. The coordinator runs one write at a time; each manifest write is decided here
 * (`commit`, `replace`, `advance`, `dropTopic` return the result and the pending change), then
 * `persist` journals the change and only then applies it, so a failed disk write changes nothing.
 */
import { join } from 'node:path';
import type { ManifestAppend, ManifestCommitResult, ManifestEntry, PartitionManifest } from './manifest.js';
import { type JournalRecord, ManifestJournal } from './manifest-journal.js';
import {
  EMPTY_MANIFEST,
  MutableManifest,
  checkAppends,
  checkPartitionRef,
  checkReplacement,
  conflictsOf,
  partitionKey,
  planAdvance,
  planReplace,
} from './manifest-state.js';

/** A decided manifest write: its journal record; applying it replays the record. */
export interface ManifestChange {
  readonly record: JournalRecord;
}

export class EmbeddedManifests {
  readonly #journal: ManifestJournal;
  /** By `topicId/partition`. */
  readonly #partitions = new Map<string, MutableManifest>();

  constructor(coordinatorDir: string) {
    this.#journal = new ManifestJournal(join(coordinatorDir, 'manifests.jsonl'));
  }

  get journalPath(): string {
    return this.#journal.path;
  }

  async load(): Promise<void> {
    for (const record of await this.#journal.load()) this.#replay(record);
  }

  async close(): Promise<void> {
    await this.#journal.close();
  }

  manifest(topicId: string, partition: number): PartitionManifest {
    return this.#partitions.get(partitionKey(topicId, partition))?.snapshot() ?? EMPTY_MANIFEST;
  }

  commit(appends: readonly ManifestAppend[]): { result: ManifestCommitResult; manifest?: ManifestChange } {
    checkAppends(appends);
    if (appends.length === 0) return { result: { ok: true } };
    const conflicts = conflictsOf(appends, (topicId, partition) => this.manifest(topicId, partition).nextOffset);
    if (conflicts.length > 0) return { result: Object.freeze({ ok: false, conflicts: Object.freeze(conflicts) }) };
    const record: JournalRecord = { op: 'commit', appends: appends.map((a) => ({ topicId: a.topicId, partition: a.partition, entry: a.entry })) };
    return { result: { ok: true }, manifest: { record } };
  }

  replace(
    topicId: string,
    partition: number,
    expected: readonly Pick<ManifestEntry, 'baseOffset' | 'objectKey'>[],
    entries: readonly ManifestEntry[],
  ): { result: boolean; manifest?: ManifestChange } {
    checkPartitionRef(topicId, partition);
    checkReplacement(expected, entries);
    const plan = planReplace(this.manifest(topicId, partition), expected, entries);
    if (plan === undefined) return { result: false };
    return { result: true, manifest: { record: { op: 'replace', topicId, partition, from: plan.from, to: plan.to, entries } } };
  }

  advance(topicId: string, partition: number, startOffset: bigint): { result: readonly ManifestEntry[]; manifest?: ManifestChange } {
    checkPartitionRef(topicId, partition);
    const plan = planAdvance(this.manifest(topicId, partition), startOffset);
    if (plan === undefined) return { result: Object.freeze([]) };
    return { result: Object.freeze(plan.dropped), manifest: { record: { op: 'advance', topicId, partition, start: plan.start, keepFrom: plan.keepFrom } } };
  }

  /** The change that forgets a deleted topic's manifests, or undefined when it has none. */
  dropTopic(topicId: string): ManifestChange | undefined {
    const prefix = `${topicId}/`;
    for (const key of this.#partitions.keys()) if (key.startsWith(prefix)) return { record: { op: 'drop', topicId } };
    return undefined;
  }

  /**
   * Journals `change` durably, then applies it; compacts the journal when it has grown enough.
   * `bestEffort` (dropping a deleted topic's manifests, after the deletion is durable): a failed
   * append is only warned about and the change applied anyway; the manifests stay orphaned on
   * disk, harmless since topic ids are never reused.
   */
  async persist(change: ManifestChange, bestEffort = false): Promise<void> {
    try {
      await this.#journal.append(change.record);
    } catch (error) {
      if (!bestEffort) throw error;
      process.emitWarning(`Could not journal the removal of a deleted topic's manifests: ${error instanceof Error ? error.message : String(error)}`, 'CoordinatorWarning');
    }
    this.#replay(change.record);
    if (this.#journal.wantsCompaction) {
      // A failed compaction leaves the journal as it was: still complete, just long.
      await this.#journal.rewrite(this.#snapshotRecords()).catch((error: unknown) => {
        process.emitWarning(`Manifest journal compaction failed (will retry later): ${error instanceof Error ? error.message : String(error)}`, 'CoordinatorWarning');
      });
    }
  }

  #replay(record: JournalRecord): void {
    switch (record.op) {
      case 'commit':
        for (const a of record.appends) this.#partition(a.topicId, a.partition).append(a.entry);
        break;
      case 'replace':
        this.#partition(record.topicId, record.partition).replace(record, record.entries);
        break;
      case 'advance':
        this.#partition(record.topicId, record.partition).advance(record.start, record.keepFrom);
        break;
      case 'drop': {
        const prefix = `${record.topicId}/`;
        for (const key of [...this.#partitions.keys()]) if (key.startsWith(prefix)) this.#partitions.delete(key);
        break;
      }
      case 'partition': {
        const m = new MutableManifest();
        for (const e of record.entries) m.append(e);
        m.setOffsets(record.next, record.start);
        this.#partitions.set(partitionKey(record.topicId, record.partition), m);
        break;
      }
    }
  }

  #partition(topicId: string, partition: number): MutableManifest {
    const key = partitionKey(topicId, partition);
    let m = this.#partitions.get(key);
    if (m === undefined) this.#partitions.set(key, (m = new MutableManifest()));
    return m;
  }

  *#snapshotRecords(): Iterable<JournalRecord> {
    for (const [key, m] of this.#partitions) {
      const slash = key.lastIndexOf('/');
      yield { op: 'partition', topicId: key.slice(0, slash), partition: Number(key.slice(slash + 1)), next: m.nextOffset, start: m.startOffset, entries: m.entries() };
    }
  }
}
