/**
 * The manifest part of an EtcdView: every partition's manifest as of the view's revision, built
 * from the `manifests/` keys (docs/etcd-keyspace.md) one revision at a time, plus the mod
 * revisions the EtcdManifests writes compare against.
 */
import type { PartitionManifest, ManifestEntry } from '../manifest.js';
import { EMPTY_MANIFEST, MutableManifest, entryFromJson, offsetFromText, partitionKey } from '../manifest-state.js';
import type { Keyspace, ManifestKey } from './keyspace.js';

/** A manifest key's change, as the view hands it over. */
export interface ManifestKvChange {
  readonly type: 'put' | 'delete';
  readonly parsed: ManifestKey;
  readonly key: string;
  readonly value: string;
  readonly modRevision: number;
}

interface Slot {
  readonly topicId: string;
  readonly partition: number;
  readonly manifest: MutableManifest;
  hasNext: boolean;
  /** Mod revision of the start key, 0 when absent. */
  startRevision: number;
}

export class ManifestView {
  readonly #warn: (message: string, key: string, error: unknown) => void;
  readonly #slots = new Map<string, Slot>();

  constructor(warn: (message: string, key: string, error: unknown) => void) {
    this.#warn = warn;
  }

  manifest(topicId: string, partition: number): PartitionManifest {
    return this.#slots.get(partitionKey(topicId, partition))?.manifest.snapshot() ?? EMPTY_MANIFEST;
  }

  /** Mod revision of the partition's start key (0 when absent): the layout version writes compare. */
  startRevision(topicId: string, partition: number): number {
    return this.#slots.get(partitionKey(topicId, partition))?.startRevision ?? 0;
  }

  /** Applies one revision's manifest key changes. */
  apply(changes: readonly ManifestKvChange[]): void {
    const entryChanges = new Map<Slot, { puts: Map<bigint, ManifestEntry>; deletes: Set<bigint> }>();
    for (const c of changes) {
      const slot = this.#slot(c.parsed.topicId, c.parsed.partition);
      const m = slot.manifest;
      try {
        switch (c.parsed.kind) {
          case 'manifest-next':
            slot.hasNext = c.type === 'put';
            m.setOffsets(c.type === 'put' ? offsetFromText(c.value) : 0n, m.startOffset);
            break;
          case 'manifest-start':
            slot.startRevision = c.type === 'put' ? c.modRevision : 0;
            m.setOffsets(m.nextOffset, c.type === 'put' ? offsetFromText(c.value) : 0n);
            break;
          case 'manifest-entry': {
            let pending = entryChanges.get(slot);
            if (pending === undefined) entryChanges.set(slot, (pending = { puts: new Map(), deletes: new Set() }));
            if (c.type === 'put') pending.puts.set(c.parsed.baseOffset, entryFromJson(JSON.parse(c.value), c.parsed.baseOffset));
            else pending.deletes.add(c.parsed.baseOffset);
            break;
          }
        }
      } catch (error) {
        this.#warn('Ignoring an etcd manifest key whose value does not parse', c.key, error);
      }
    }
    for (const [slot, { puts, deletes }] of entryChanges) slot.manifest.change(puts, deletes);
    for (const c of changes) {
      const key = partitionKey(c.parsed.topicId, c.parsed.partition);
      const slot = this.#slots.get(key);
      if (slot !== undefined && !slot.hasNext && slot.startRevision === 0 && slot.manifest.size === 0) this.#slots.delete(key);
    }
  }

  /** Every manifest key the view holds (to find deletions when the view is reloaded). */
  *knownKeys(keys: Keyspace): Iterable<string> {
    for (const { topicId, partition, manifest, hasNext, startRevision } of this.#slots.values()) {
      if (hasNext) yield keys.manifestNext(topicId, partition);
      if (startRevision !== 0) yield keys.manifestStart(topicId, partition);
      for (const e of manifest.entries()) yield keys.manifestEntry(topicId, partition, e.baseOffset);
    }
  }

  #slot(topicId: string, partition: number): Slot {
    const key = partitionKey(topicId, partition);
    let slot = this.#slots.get(key);
    if (slot === undefined) this.#slots.set(key, (slot = { topicId, partition, manifest: new MutableManifest(), hasNext: false, startRevision: 0 }));
    return slot;
  }
}
