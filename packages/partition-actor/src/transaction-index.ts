/**
 * A partition's view of transactions, after Kafka's ProducerStateManager and TransactionIndex:
 * which producers have a transaction open here (and the offset of its first batch), and which
 * transactions ended in an abort (first offset to marker offset). The open transactions decide the
 * last stable offset (LSO); the aborted ones are what Fetch returns to `read_committed` consumers,
 * which drop those producers' records up to the abort marker.
 */

export interface AbortedTransaction {
  readonly producerId: bigint;
  /** Offset of the transaction's first batch in this partition. */
  readonly firstOffset: bigint;
  /** Offset of its abort marker. */
  readonly lastOffset: bigint;
}

export interface OpenTransaction {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly firstOffset: bigint;
}

export class TransactionIndex {
  /** Open transactions by producer id. */
  readonly #open = new Map<bigint, OpenTransaction>();
  /** Aborted transactions in marker order (so ascending `lastOffset`). */
  #aborted: AbortedTransaction[] = [];

  get openCount(): number {
    return this.#open.size;
  }

  open(): IterableIterator<OpenTransaction> {
    return this.#open.values();
  }

  aborted(): readonly AbortedTransaction[] {
    return this.#aborted;
  }

  openFor(producerId: bigint): OpenTransaction | undefined {
    return this.#open.get(producerId);
  }

  /** A transactional data batch stored at `baseOffset`: opens the producer's transaction here if none is open. */
  onData(producerId: bigint, producerEpoch: number, baseOffset: bigint): void {
    if (!this.#open.has(producerId)) this.#open.set(producerId, { producerId, producerEpoch, firstOffset: baseOffset });
  }

  /**
   * A commit or abort marker stored at `markerOffset` closes the producer's open transaction; an
   * abort of a transaction that wrote here is remembered for read_committed fetches. A marker for a
   * producer with nothing open (a retried marker, or a partition the transaction never wrote to)
   * changes nothing.
   */
  onMarker(producerId: bigint, commit: boolean, markerOffset: bigint): void {
    const txn = this.#open.get(producerId);
    if (txn === undefined) return;
    this.#open.delete(producerId);
    if (!commit) this.#aborted.push({ producerId, firstOffset: txn.firstOffset, lastOffset: markerOffset });
  }

  /** The first offset no read_committed consumer may pass: the oldest open transaction's start, else `highWatermark`. */
  lastStableOffset(highWatermark: bigint): bigint {
    let lso = highWatermark;
    for (const txn of this.#open.values()) if (txn.firstOffset < lso) lso = txn.firstOffset;
    return lso;
  }

  /** Aborted transactions overlapping offsets `[from, to]` (Fetch's `aborted_transactions`). */
  abortedBetween(from: bigint, to: bigint): { producerId: bigint; firstOffset: bigint }[] {
    const out: { producerId: bigint; firstOffset: bigint }[] = [];
    for (const a of this.#aborted) {
      if (a.lastOffset >= from && a.firstOffset <= to) out.push({ producerId: a.producerId, firstOffset: a.firstOffset });
    }
    return out;
  }

  /** Forgets aborted transactions wholly below the log start (retention, DeleteRecords). */
  truncateBefore(logStartOffset: bigint): number {
    const before = this.#aborted.length;
    this.#aborted = this.#aborted.filter((a) => a.lastOffset >= logStartOffset);
    return before - this.#aborted.length;
  }

  restore(open: readonly OpenTransaction[], aborted: readonly AbortedTransaction[]): void {
    this.#open.clear();
    for (const t of open) this.#open.set(t.producerId, t);
    this.#aborted = [...aborted];
  }
}
