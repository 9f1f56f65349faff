/**
 * Replica assignment and its validation: pure functions shared by every Coordinator implementation.
 *
 * Assignment is greedy and load-aware, in two steps per new partition. The replica set: each slot
 * takes, among brokers not yet in the partition, one on a rack the partition does not use yet
 * while any is left, on the least loaded rack (replicas per broker of the rack), then the broker
 * holding the fewest replicas, then the next in round-robin order from a per-topic offset. The
 * preferred leader: the member leading the fewest partitions. A final pass (`balanceLeaders`)
 * evens out leaderships within those sets. Properties (test/assignment.test.ts): replicas are
 * distinct; on brokers whose replica counts differ by at most one (a fresh cluster) they still do
 * afterwards, and so do preferred-leader counts for a fresh topic; with equal-size racks each
 * partition spans min(RF, racks) racks and stays balanced. When loads differ (a broker joined
 * later), new partitions fill the emptier brokers first.
 */
import { KafkaApiError } from '@oxbow/protocol';
import type { BrokerInfo, PartitionState, TopicRecord } from './coordinator.js';

export interface AssignmentInput {
  /** Live brokers to place replicas on. */
  readonly brokers: readonly BrokerInfo[];
  /** Topics already placed, for the current load per broker. */
  readonly existing: Iterable<TopicRecord>;
  /** Number of new partitions to assign. */
  readonly partitionCount: number;
  readonly replicationFactor: number;
  /** Round-robin offset (any integer); callers vary it per topic so topics do not all start alike. */
  readonly startOffset: number;
}

interface Load {
  replicas: number;
  leaders: number;
}

/** Replica lists for `partitionCount` new partitions, preferred leader first. */
export function assignReplicas(input: AssignmentInput): number[][] {
  const { partitionCount, replicationFactor } = input;
  checkReplicationFactor(replicationFactor, input.brokers.length);
  const brokers = [...input.brokers].sort((a, b) => a.nodeId - b.nodeId);
  const n = brokers.length;
  // A broker without a rack counts as a rack of its own.
  const rackOf = (b: BrokerInfo): string => (b.rack === null ? `\u0000node-${b.nodeId}` : `rack:${b.rack}`);
  const loads = new Map<number, Load>(brokers.map((b) => [b.nodeId, { replicas: 0, leaders: 0 }]));
  const rackSize = new Map<string, number>();
  for (const b of brokers) rackSize.set(rackOf(b), (rackSize.get(rackOf(b)) ?? 0) + 1);
  const rackLoad = new Map<string, number>();
  const place = (b: BrokerInfo, leader: boolean): void => {
    const load = loads.get(b.nodeId);
    if (load === undefined) return;
    load.replicas += 1;
    if (leader) load.leaders += 1;
    rackLoad.set(rackOf(b), (rackLoad.get(rackOf(b)) ?? 0) + 1);
  };
  const byId = new Map(brokers.map((b) => [b.nodeId, b]));
  for (const topic of input.existing) {
    for (const p of topic.partitions) {
      p.replicas.forEach((id, slot) => {
        const b = byId.get(id);
        if (b !== undefined) place(b, slot === 0);
      });
    }
  }
  const loadOf = (b: BrokerInfo): Load => loads.get(b.nodeId) ?? { replicas: 0, leaders: 0 };
  const position = new Map(brokers.map((b, i) => [b.nodeId, i]));
  const rotation = (b: BrokerInfo, origin: number): number => mod((position.get(b.nodeId) ?? 0) - origin, n);

  const result: number[][] = [];
  for (let p = 0; p < partitionCount; p++) {
    // First the set: each slot takes a broker on an unused rack if any is left, on the least
    // loaded rack (relative to its size), then the least loaded broker, then round-robin order.
    const chosen: BrokerInfo[] = [];
    const usedRacks = new Set<string>();
    for (let slot = 0; slot < replicationFactor; slot++) {
      const free = brokers.filter((b) => !chosen.includes(b));
      const onNewRack = free.filter((b) => !usedRacks.has(rackOf(b)));
      const candidates = onNewRack.length > 0 ? onNewRack : free;
      const origin = input.startOffset + p + slot;
      const best = minBy(candidates, (b) => [
        (rackLoad.get(rackOf(b)) ?? 0) / (rackSize.get(rackOf(b)) ?? 1),
        loadOf(b).replicas,
        rotation(b, origin),
      ]);
      chosen.push(best);
      usedRacks.add(rackOf(best));
      place(best, false);
    }
    // Then the preferred leader: the member leading the fewest partitions.
    const leader = minBy(chosen, (b) => [loadOf(b).leaders, rotation(b, input.startOffset + p)]);
    loadOf(leader).leaders += 1;
    result.push([leader, ...chosen.filter((b) => b !== leader)].map((b) => b.nodeId));
  }
  balanceLeaders(result, new Map([...loads].map(([id, load]) => [id, load.leaders])));
  return result;
}

/**
 * Hands preferred leaderships of the new partitions (`lists`, changed in place) to other members
 * of the same partitions while some broker leads at least two more than one it can reach: along
 * a chain "a leads q, which b replicates; b leads r, which c replicates; ...", each partition on
 * the chain passes to the next broker, so only the ends' counts change. Greedy choice alone
 * leaves such a gap in a few per cent of layouts; the replica sets (and so racks) never change.
 */
function balanceLeaders(lists: number[][], leaders: Map<number, number>): void {
  const count = (id: number): number => leaders.get(id) ?? 0;
  // Every move lowers the sum of squared counts, so this ends; the bound is only a safeguard.
  for (let round = 0; round < lists.length * Math.max(1, leaders.size); round++) {
    const led = new Map<number, number[]>();
    lists.forEach((replicas, q) => {
      const leader = replicas[0];
      if (leader === undefined) return;
      const partitions = led.get(leader);
      if (partitions === undefined) led.set(leader, [q]);
      else partitions.push(q);
    });
    const chain = findLeaderChain(lists, led, count);
    if (chain === undefined) return;
    for (const { partition, to } of chain) {
      const replicas = lists[partition] ?? [];
      lists[partition] = [to, ...replicas.filter((id) => id !== to)];
    }
    const first = chain[0];
    const last = chain[chain.length - 1];
    if (first === undefined || last === undefined) return;
    leaders.set(first.from, count(first.from) - 1);
    leaders.set(last.to, count(last.to) + 1);
  }
}

interface LeaderMove {
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/** A breadth-first search from the busiest leaders for a broker leading two fewer. */
function findLeaderChain(lists: readonly number[][], led: ReadonlyMap<number, number[]>, count: (id: number) => number): LeaderMove[] | undefined {
  const sources = [...led.keys()].sort((a, b) => count(b) - count(a));
  for (const source of sources) {
    const via = new Map<number, LeaderMove>();
    const queue = [source];
    const seen = new Set([source]);
    for (let head = 0; head < queue.length; head++) {
      const from = queue[head] ?? source;
      for (const partition of led.get(from) ?? []) {
        for (const to of lists[partition] ?? []) {
          if (seen.has(to)) continue;
          seen.add(to);
          via.set(to, { partition, from, to });
          if (count(to) <= count(source) - 2) return unwind(via, to, source);
          queue.push(to);
        }
      }
    }
  }
  return undefined;
}

function unwind(via: ReadonlyMap<number, LeaderMove>, end: number, source: number): LeaderMove[] {
  const chain: LeaderMove[] = [];
  for (let at = end; at !== source; ) {
    const move = via.get(at);
    if (move === undefined) break;
    chain.unshift(move);
    at = move.from;
  }
  return chain;
}

/** Throws INVALID_REPLICATION_FACTOR unless 1 ≤ `replicationFactor` ≤ `availableBrokers`. */
export function checkReplicationFactor(replicationFactor: number, availableBrokers: number): void {
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new KafkaApiError('INVALID_REPLICATION_FACTOR', `Replication factor must be larger than 0, got ${replicationFactor}.`);
  }
  if (replicationFactor > availableBrokers) {
    throw new KafkaApiError(
      'INVALID_REPLICATION_FACTOR',
      `Replication factor ${replicationFactor} is larger than the number of available brokers: ${availableBrokers} ` +
        `${availableBrokers === 1 ? 'broker is' : 'brokers are'} registered.`,
    );
  }
}

/** Throws INVALID_PARTITIONS unless `count` is a positive integer. */
export function checkPartitionCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new KafkaApiError('INVALID_PARTITIONS', `Number of partitions must be larger than 0, got ${count}.`);
  }
}

/**
 * Throws INVALID_REPLICA_ASSIGNMENT unless `assignments` is non-empty, every list is non-empty,
 * holds distinct `registered` node ids, and all lists have the same length (`replicationFactor`
 * when given). `firstPartition` is the partition index of `assignments[0]`, for messages.
 */
export function validateAssignments(
  assignments: readonly (readonly number[])[],
  registered: ReadonlySet<number>,
  options: { readonly replicationFactor?: number; readonly firstPartition?: number } = {},
): void {
  const first = options.firstPartition ?? 0;
  const invalid = (message: string): KafkaApiError => new KafkaApiError('INVALID_REPLICA_ASSIGNMENT', message);
  if (assignments.length === 0) throw invalid('The replica assignment is empty.');
  const expected = options.replicationFactor ?? assignments[0]?.length ?? 0;
  assignments.forEach((replicas, i) => {
    const partition = first + i;
    if (replicas.length === 0) throw invalid(`The replica assignment for partition ${partition} is empty.`);
    if (replicas.length !== expected) {
      throw invalid(
        `Inconsistent replication factor: partition ${partition} has ${replicas.length} replicas where ${expected} were expected.`,
      );
    }
    if (new Set(replicas).size !== replicas.length) {
      throw invalid(`Duplicate brokers are not allowed in replica assignment: ${replicas.join(', ')} for partition ${partition}.`);
    }
    const unknown = replicas.filter((id) => !registered.has(id));
    if (unknown.length > 0) {
      throw invalid(`Unknown broker(s) ${unknown.join(', ')} in the replica assignment for partition ${partition}.`);
    }
  });
}

/** A new partition: leader = first live replica (or -1), leader epoch 0, isr = live replicas. */
export function newPartitionState(partition: number, replicas: readonly number[], live: ReadonlySet<number>): PartitionState {
  const isr = replicas.filter((id) => live.has(id));
  return { partition, replicas: [...replicas], leader: isr[0] ?? -1, leaderEpoch: 0, isr };
}

/**
 * Throws unless `next` may replace `current` (epochs already compared by the caller): leader epoch
 * never decreases and grows when the leader changes (INVALID_REQUEST); replicas distinct and
 * non-empty, new ones registered (INVALID_REPLICA_ASSIGNMENT); leader in replicas and isr, isr a
 * set of replicas (INVALID_REQUEST).
 */
export function validatePartitionUpdate(
  current: PartitionState,
  next: Omit<PartitionState, 'partition'>,
  registered: ReadonlySet<number>,
): void {
  const where = `partition ${current.partition}`;
  const bad = (message: string): KafkaApiError => new KafkaApiError('INVALID_REQUEST', `Invalid state for ${where}: ${message}`);
  if (!Number.isInteger(next.leaderEpoch) || next.leaderEpoch < current.leaderEpoch) {
    throw bad(`leader epoch ${next.leaderEpoch} is below the current ${current.leaderEpoch}.`);
  }
  if (next.leader !== current.leader && next.leaderEpoch === current.leaderEpoch) {
    throw bad(`the leader changes from ${current.leader} to ${next.leader} without a new leader epoch.`);
  }
  if (next.replicas.length === 0 || new Set(next.replicas).size !== next.replicas.length) {
    throw new KafkaApiError('INVALID_REPLICA_ASSIGNMENT', `Replicas of ${where} must be distinct and non-empty: [${next.replicas.join(', ')}].`);
  }
  const added = next.replicas.filter((id) => !current.replicas.includes(id) && !registered.has(id));
  if (added.length > 0) {
    throw new KafkaApiError('INVALID_REPLICA_ASSIGNMENT', `Unknown broker(s) ${added.join(', ')} in the replicas of ${where}.`);
  }
  if (new Set(next.isr).size !== next.isr.length || next.isr.some((id) => !next.replicas.includes(id))) {
    throw bad(`isr [${next.isr.join(', ')}] must be distinct members of replicas [${next.replicas.join(', ')}].`);
  }
  if (next.leader !== -1 && !next.isr.includes(next.leader)) {
    throw bad(`leader ${next.leader} is not in isr [${next.isr.join(', ')}].`);
  }
}

/** The element with the lexicographically smallest key; `items` must not be empty. */
function minBy<T>(items: readonly T[], key: (item: T) => readonly number[]): T {
  let best: { item: T; key: readonly number[] } | undefined;
  for (const item of items) {
    const k = key(item);
    if (best === undefined || compareKeys(k, best.key) < 0) best = { item, key: k };
  }
  if (best === undefined) throw new Error('minBy: no candidates (the replication factor was checked)');
  return best.item;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
