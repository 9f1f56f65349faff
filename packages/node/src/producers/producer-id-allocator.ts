import type { Coordinator } from '@oxbow/controller';

/** Ids a broker takes from the coordinator at a time (Kafka's ProducerIdManager uses 1,000). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/**
 * A broker's producer ids: handed out from a local block taken from the coordinator
 * (`allocateProducerIds`), so most InitProducerId requests need no coordinator write. Ids are
 * never reused: the coordinator persists each block before returning it, and ids left in a block
 * when the broker stops are simply skipped.
 */
export class ProducerIdAllocator {
  readonly #coordinator: Coordinator;
  readonly #blockSize: number;
  #next = 0n;
  #end = 0n;
  #refill: Promise<void> | null = null;

  constructor(coordinator: Coordinator, blockSize = PRODUCER_ID_BLOCK_SIZE) {
    this.#coordinator = coordinator;
    this.#blockSize = blockSize;
  }

  async next(): Promise<bigint> {
    while (this.#next >= this.#end) {
      // One refill at a time; callers waiting on it then take ids from the new block in turn.
      this.#refill ??= this.#coordinator
        .allocateProducerIds(this.#blockSize)
        .then((block) => {
          this.#next = block.first;
          this.#end = block.first + BigInt(block.count);
        })
        .finally(() => {
          this.#refill = null;
        });
      await this.#refill;
    }
    const id = this.#next;
    this.#next++;
    return id;
  }
}
