import { decodeControlKey, decodeRecordBatch, scanBatches, type RecordBatchView } from '@oxbow/protocol';
import type { PartitionBackend } from './backend.js';
import type { ProducerDescription } from './partition-handle.js';
import { decodeProducerSnapshot, encodeProducerSnapshot } from './producer-snapshot.js';
import { ProducerStateTable } from './producer-state.js';
import { TransactionIndex } from './transaction-index.js';

/** Bytes read per step when rebuilding producer state from the log (headers only are parsed). */
const REPLAY_CHUNK_BYTES = 1 << 20;

interface StoreLogger {
  warn(obj: object, msg: string): void;
}

/**
 * A partition's idempotent-producer state and transaction index, loaded together on first use
 * (the newest snapshot, then the batch headers after it; one load shared by concurrent callers),
 * dropped when the log changes under it (replication, truncation) and reloaded from the log, and
 * written as a snapshot when it changed.
 */
export class ProducerStateStore {
  /** Open and aborted transactions; reset by every load. */
  readonly txns = new TransactionIndex();
  readonly #backend: PartitionBackend;
  readonly #logger: StoreLogger | undefined;
  readonly #where: { readonly topic: string; readonly partition: number };
  #producers: ProducerStateTable | null = null;
  #loading: Promise<ProducerStateTable> | null = null;
  /** Changes since the last snapshot was written. */
  #changes = 0;

  constructor(backend: PartitionBackend, where: { readonly topic: string; readonly partition: number }, logger?: StoreLogger) {
    this.#backend = backend;
    this.#where = where;
    this.#logger = logger;
  }

  get isLoaded(): boolean {
    return this.#producers !== null;
  }

  /** Forgets the loaded state; the next use rebuilds it from the log. */
  invalidate(): void {
    this.#producers = null;
  }

  /** Counts a change for the next snapshot. */
  changed(): void {
    this.#changes++;
  }

  /** Drops producer and aborted-transaction state wholly below the log start. */
  async truncateBefore(): Promise<void> {
    const producers = await this.table();
    const start = this.#backend.logStartOffset;
    const before = producers.size;
    producers.truncateBefore(start);
    if (this.txns.truncateBefore(start) > 0 || producers.size !== before) this.#changes++;
  }

  /**
   * Producer state and the transaction index, loaded on first use: the newest snapshot, then the
   * batch headers after it (control batches are decoded for their marker type).
   */
  table(): Promise<ProducerStateTable> {
    if (this.#producers !== null) return Promise.resolve(this.#producers);
    this.#loading ??= this.#load().finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  /** DescribeProducers: every producer with state here or a transaction open here. */
  async describe(): Promise<ProducerDescription[]> {
    const table = await this.table();
    const ids = new Set<bigint>([...[...table.entries()].map((e) => e.producerId), ...[...this.txns.open()].map((t) => t.producerId)]);
    return [...ids].map((producerId): ProducerDescription => {
      const entry = table.get(producerId);
      const last = entry?.batches[entry.batches.length - 1];
      const open = this.txns.openFor(producerId);
      return {
        producerId,
        producerEpoch: entry?.epoch ?? open?.producerEpoch ?? -1,
        lastSequence: last?.lastSeq ?? -1,
        lastTimestamp: entry?.lastTimestamp ?? -1n,
        currentTxnStartOffset: open?.firstOffset ?? -1n,
      };
    });
  }

  async #load(): Promise<ProducerStateTable> {
    const table = new ProducerStateTable();
    const txns = this.txns;
    const end = this.#backend.logEndOffset;
    let from = this.#backend.logStartOffset;
    const snapshot = await this.#readSnapshot();
    // A snapshot past the log end belongs to records lost in recovery (a torn tail): not usable.
    if (snapshot !== null && snapshot.offset <= end) {
      for (const entry of snapshot.entries) table.restore(entry);
      txns.restore(snapshot.openTransactions, snapshot.abortedTransactions);
      if (snapshot.offset > from) from = snapshot.offset;
    } else {
      txns.restore([], []);
    }
    while (from < end) {
      const chunk = await this.#backend.read(from, REPLAY_CHUNK_BYTES, end, true);
      if (chunk.length === 0) break;
      for (const view of scanBatches(chunk, { verifyCrc: false })) {
        if (view.lastOffset >= from) await this.#replayBatch(table, view);
        from = view.lastOffset + 1n;
      }
    }
    this.#producers = table;
    return table;
  }

  async #replayBatch(table: ProducerStateTable, view: RecordBatchView): Promise<void> {
    if (view.producerId < 0n) return;
    if (!view.isControl) {
      table.replay(view);
      if (view.isTransactional) this.txns.onData(view.producerId, view.producerEpoch, view.baseOffset);
      return;
    }
    const [record] = (await decodeRecordBatch(view, { verifyCrc: false })).records;
    const type = decodeControlKey(record?.key ?? null).type;
    if (type !== 'commit' && type !== 'abort') return;
    table.bumpEpoch(view.producerId, view.producerEpoch, view.maxTimestamp);
    this.txns.onMarker(view.producerId, type === 'commit', view.baseOffset);
  }

  async #readSnapshot(): Promise<ReturnType<typeof decodeProducerSnapshot> | null> {
    try {
      const data = await this.#backend.readProducerSnapshot();
      return data === null ? null : decodeProducerSnapshot(data);
    } catch (err) {
      this.#logger?.warn({ err, topic: this.#where.topic, partition: this.#where.partition }, 'producer-state snapshot unreadable; rebuilding from the log');
      return null;
    }
  }

  /** Writes a snapshot at the log end when producer state changed since the last one. */
  async snapshot(): Promise<void> {
    const producers = this.#producers;
    if (producers === null || this.#changes === 0) return;
    const changes = this.#changes;
    try {
      await this.#backend.writeProducerSnapshot(this.#backend.logEndOffset, encodeProducerSnapshot(this.#backend.logEndOffset, producers, this.txns));
      this.#changes -= changes;
    } catch (err) {
      // Only restart time suffers: the log still holds everything.
      this.#logger?.warn({ err, topic: this.#where.topic, partition: this.#where.partition }, 'cannot write producer-state snapshot');
    }
  }
}
