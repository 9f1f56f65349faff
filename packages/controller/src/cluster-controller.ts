/**
 * The cluster controller loop. Every node runs one; it acts only while its coordinator says this
 * node is the elected controller with a live session (`isController()`), and re-checks that
 * before every write.
 *
 * What it does, on every change of brokers or topics and whenever this node becomes controller:
 * for each partition whose leader is not a registered broker, it elects the first replica (in
 * assignment order) that is in the ISR and alive, bumps the leader epoch and drops dead brokers from
 * the ISR. With no such replica the partition goes offline (leader -1, epoch bumped, ISR kept so a
 * returning member can be elected cleanly). For a partition with leader -1, a live ISR member is
 * elected as soon as it (re)appears. Unclean election (any live replica, ISR reset to it) happens
 * only when enabled, per topic with `unclean.leader.election.enable=true` or for all topics by
 * option. All writes are `updatePartition` compare-and-swaps on the epoch the decision was based
 * on, so two controllers overlapping for a moment cannot both move a partition.
 *
 * ISR changes of a partition with a live leader are the leader's job (it sees follower lag), done
 * with `changeIsr`; the controller never writes them, so within an epoch only the leader changes
 * the ISR, as the Coordinator contract requires.
 */
import { KafkaApiError } from '@oxbow/protocol';
import type { Coordinator, PartitionState, TopicRecord } from './coordinator.js';
import { type CoordinatorLogger, processWarningLogger } from './etcd/coordinator-logger.js';

/** A Coordinator that takes part in controller election (EtcdCoordinator). */
export interface ControllableCoordinator extends Coordinator {
  readonly nodeId: number;
  /** True only while this node is the elected controller and may act as one. */
  isController(): boolean;
  onControllerChange(listener: (active: boolean, controllerId: number) => void): () => void;
}

export interface ClusterControllerOptions {
  /** Elect out-of-sync replicas when no ISR member is alive, for every topic (default false). */
  readonly uncleanLeaderElection?: boolean;
  readonly logger?: CoordinatorLogger;
  /** Delay before retrying after a failed pass (default 1000 ms). */
  readonly retryDelayMs?: number;
}

/** Topic config that enables unclean leader election for one topic (Kafka's name). */
export const UNCLEAN_LEADER_ELECTION_CONFIG = 'unclean.leader.election.enable';

export class ClusterController {
  readonly #coordinator: ControllableCoordinator;
  readonly #unclean: boolean;
  readonly #log: CoordinatorLogger;
  readonly #retryDelayMs: number;
  #unsubscribe: (() => void)[] = [];
  #running: Promise<void> | undefined;
  #dirty = false;
  #stopped = true;
  #retryTimer: NodeJS.Timeout | undefined;
  #elections = 0;

  constructor(coordinator: ControllableCoordinator, options: ClusterControllerOptions = {}) {
    this.#coordinator = coordinator;
    this.#unclean = options.uncleanLeaderElection ?? false;
    this.#log = options.logger ?? processWarningLogger;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
  }

  /** Whether this node currently acts as controller. */
  get active(): boolean {
    return !this.#stopped && this.#coordinator.isController();
  }

  /** Partition leader elections this controller has written since start. */
  get elections(): number {
    return this.#elections;
  }

  /** Subscribes to the coordinator; runs a pass now and after every relevant change. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#unsubscribe = [
      this.#coordinator.watch((event) => {
        if (event.type !== 'topic-deleted') this.#schedule();
      }),
      this.#coordinator.onControllerChange((active) => {
        if (active) this.#schedule();
      }),
    ];
    this.#schedule();
  }

  /** Stops acting; waits for a pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await this.#running;
  }

  /** Runs a pass (or waits for the current one and runs another); resolves when the work is done. */
  async reconcile(): Promise<void> {
    this.#schedule();
    while (this.#running !== undefined) await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#dirty = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
  }

  async #loop(): Promise<void> {
    do {
      this.#dirty = false;
      await Promise.resolve();
      if (this.#stopped || !this.#coordinator.isController()) return;
      try {
        await this.#pass();
      } catch (error) {
        this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'Controller pass failed; retrying');
        clearTimeout(this.#retryTimer);
        this.#retryTimer = setTimeout(() => this.#schedule(), this.#retryDelayMs);
        return;
      }
    } while (this.#dirty && !this.#stopped);
  }

  async #pass(): Promise<void> {
    const c = this.#coordinator;
    const live = new Set(c.brokers().map((b) => b.nodeId));
    for (const topic of c.topics()) {
      const unclean = this.#unclean || topic.configs[UNCLEAN_LEADER_ELECTION_CONFIG] === 'true';
      const diskless = topic.configs[STORAGE_MODE_CONFIG] === 'diskless';
      for (const p of topic.partitions) {
        const next = diskless ? electDisklessLeader(p, live) : electLeader(p, live, unclean);
        if (next === undefined) continue;
        if (this.#stopped || !c.isController()) return;
        const written = await c.updatePartition(topic.name, p.partition, p.leaderEpoch, next);
        if (written === null) {
          // Someone moved the epoch since we read it; decide again on fresh state.
          this.#dirty = true;
          continue;
        }
        this.#elections += 1;
        this.#log.info(
          { topic: topic.name, partition: p.partition, from: p.leader, to: written.leader, leaderEpoch: written.leaderEpoch, isr: written.isr },
          written.leader === -1 ? 'Partition offline: no live in-sync replica' : 'Elected partition leader',
        );
      }
    }
  }
}

/**
 * The state a partition should move to given the live brokers, or undefined when it needs no
 * election (its leader is alive, or it is offline with no electable replica).
 */
export function electLeader(p: PartitionState, live: ReadonlySet<number>, unclean = false): Omit<PartitionState, 'partition'> | undefined {
  if (p.leader !== -1 && live.has(p.leader)) return undefined;
  const epoch = p.leaderEpoch + 1;
  const clean = p.replicas.find((id) => id !== p.leader && p.isr.includes(id) && live.has(id));
  if (clean !== undefined) return { replicas: p.replicas, leader: clean, leaderEpoch: epoch, isr: p.isr.filter((id) => live.has(id)) };
  if (unclean) {
    const any = p.replicas.find((id) => live.has(id));
    if (any !== undefined) return { replicas: p.replicas, leader: any, leaderEpoch: epoch, isr: [any] };
  }
  if (p.leader === -1) return undefined;
  return { replicas: p.replicas, leader: -1, leaderEpoch: epoch, isr: p.isr };
}

/** Topic config naming the storage mode; diskless partitions fail over to any live node. */
export const STORAGE_MODE_CONFIG = 'storage.mode';

/**
 * A diskless partition (BRIEF §5) keeps all its data in the object store and its offsets in the
 * manifest, so any live node can take it over: when its leader is gone, the first live assigned
 * replica leads, else a live broker chosen by partition number (spreading a dead node's partitions).
 * The new leader is the only replica and ISR member. Undefined when the leader is alive or no broker is.
 */
export function electDisklessLeader(p: PartitionState, live: ReadonlySet<number>): Omit<PartitionState, 'partition'> | undefined {
  if (p.leader !== -1 && live.has(p.leader)) return undefined;
  const sorted = [...live].sort((a, b) => a - b);
  const chosen = p.replicas.find((id) => live.has(id)) ?? sorted[p.partition % Math.max(1, sorted.length)];
  if (chosen === undefined) return p.leader === -1 ? undefined : { replicas: p.replicas, leader: -1, leaderEpoch: p.leaderEpoch + 1, isr: p.isr };
  return { replicas: [chosen], leader: chosen, leaderEpoch: p.leaderEpoch + 1, isr: [chosen] };
}

export interface IsrChange {
  readonly topic: string;
  readonly partition: number;
  /** The calling partition leader and the epoch it leads in. */
  readonly leaderId: number;
  readonly leaderEpoch: number;
  /** The complete new ISR; must contain the leader and only replicas. */
  readonly isr: readonly number[];
}

/**
 * For the partition leader: replaces the ISR within its leader epoch (compare-and-swap). Returns the
 * new state, or null when the caller no longer leads at that epoch (fenced: stop acting as leader).
 */
export async function changeIsr(coordinator: Coordinator, change: IsrChange): Promise<PartitionState | null> {
  const state = partitionOf(coordinator.topic(change.topic), change.topic, change.partition);
  if (state.leader !== change.leaderId || state.leaderEpoch !== change.leaderEpoch) return null;
  if (!change.isr.includes(change.leaderId)) {
    throw new KafkaApiError('INVALID_REQUEST', `The ISR of ${change.topic}-${change.partition} must contain its leader ${change.leaderId}.`);
  }
  const next = { replicas: state.replicas, leader: state.leader, leaderEpoch: state.leaderEpoch, isr: change.isr };
  const written = await coordinator.updatePartition(change.topic, change.partition, change.leaderEpoch, next);
  // The epoch held but another leader incarnation could not have written: still check the leader.
  return written !== null && written.leader === change.leaderId ? written : null;
}

/** `changeIsr` removing `replicas` from the current ISR. */
export function shrinkIsr(coordinator: Coordinator, topic: string, partition: number, leaderId: number, leaderEpoch: number, remove: readonly number[]): Promise<PartitionState | null> {
  const state = partitionOf(coordinator.topic(topic), topic, partition);
  return changeIsr(coordinator, { topic, partition, leaderId, leaderEpoch, isr: state.isr.filter((id) => !remove.includes(id)) });
}

/** `changeIsr` adding caught-up `replicas` to the current ISR. */
export function expandIsr(coordinator: Coordinator, topic: string, partition: number, leaderId: number, leaderEpoch: number, add: readonly number[]): Promise<PartitionState | null> {
  const state = partitionOf(coordinator.topic(topic), topic, partition);
  return changeIsr(coordinator, { topic, partition, leaderId, leaderEpoch, isr: [...state.isr, ...add.filter((id) => !state.isr.includes(id))] });
}

function partitionOf(topic: TopicRecord | undefined, name: string, partition: number): PartitionState {
  const state = topic?.partitions[partition];
  if (state === undefined) throw new KafkaApiError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' has no partition ${partition}.`);
  return state;
}
