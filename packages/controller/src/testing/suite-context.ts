/**
 * Shared plumbing for the Coordinator conformance suite: the per-test context and assertions.
 * Imported only from tests (it depends on vitest).
 */
import { KafkaApiError, type KafkaErrorName } from '@oxbow/protocol';
import { expect, vi } from 'vitest';
import type { BrokerInfo, Coordinator, CoordinatorEvent, CreateTopicRequest, TopicRecord } from '../coordinator.js';

/** What an implementation's factory returns for one test. */
export interface CoordinatorHarness {
  /** A started coordinator over fresh, empty state: no topics, no registered brokers. */
  readonly coordinator: Coordinator;
  /**
   * Closes the current coordinator cleanly and returns a new, started one over the same persisted
   * state (a node restart). Omit it when the implementation cannot restart; those tests are skipped.
   */
  readonly restart?: () => Promise<Coordinator>;
  /**
   * Opens and starts another coordinator of the same cluster (another node: same etcd prefix), to
   * race the first one. Omit it for single-node implementations; tests then race calls on one.
   * `cleanup` closes peers too.
   */
  readonly peer?: () => Promise<Coordinator>;
  /** Closes whatever is still open and removes the state. */
  readonly cleanup: () => Promise<void>;
}

export type MakeCoordinator = () => Promise<CoordinatorHarness>;

/** The coordinator under test for the running test; `coordinator` follows restarts. */
export interface SuiteContext {
  readonly coordinator: Coordinator;
  readonly canRestart: boolean;
  restart(): Promise<Coordinator>;
  /** Another node's coordinator when the harness offers one, else the coordinator under test. */
  peer(): Promise<Coordinator>;
}

/** Awaits `promise`, expecting a KafkaApiError with `errorName` (and a message matching `message`). */
export async function expectKafkaError(promise: Promise<unknown>, errorName: KafkaErrorName, message?: RegExp): Promise<KafkaApiError> {
  const outcome = await promise.then(
    (value: unknown) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected ${errorName}, but the call succeeded with ${JSON.stringify(outcome.value)}`);
  const error = outcome.error;
  if (!(error instanceof KafkaApiError)) throw new Error(`expected KafkaApiError ${errorName}, got ${String(error)}`, { cause: error });
  expect(error.errorName).toBe(errorName);
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}

/** Registers brokers 1..count on 127.0.0.1 (ports 9101, 9102, ...), with `racks[i]` for broker i+1. */
export async function registerBrokers(c: Coordinator, count: number, racks: readonly (string | null)[] = []): Promise<BrokerInfo[]> {
  const brokers: BrokerInfo[] = [];
  for (let i = 1; i <= count; i++) {
    const info: BrokerInfo = { nodeId: i, host: '127.0.0.1', port: 9100 + i, rack: racks[i - 1] ?? null };
    await c.registerBroker(info);
    brokers.push(info);
  }
  return brokers;
}

/** Replicas and preferred leaderships per broker over `topics`, with 0 for `brokerIds` that hold none. */
export function loadPerBroker(topics: readonly TopicRecord[], brokerIds: readonly number[]): { replicas: number[]; leaders: number[] } {
  const replicas = new Map<number, number>(brokerIds.map((id) => [id, 0]));
  const leaders = new Map<number, number>(brokerIds.map((id) => [id, 0]));
  for (const t of topics) {
    for (const p of t.partitions) {
      p.replicas.forEach((id, slot) => {
        replicas.set(id, (replicas.get(id) ?? 0) + 1);
        if (slot === 0) leaders.set(id, (leaders.get(id) ?? 0) + 1);
      });
    }
  }
  return { replicas: [...replicas.values()], leaders: [...leaders.values()] };
}

export function spread(counts: readonly number[]): number {
  return Math.max(...counts) - Math.min(...counts);
}

/** Records every event from now on; `waitFor(n)` waits (briefly) until at least n have arrived. */
export function recordEvents(c: Coordinator): {
  readonly events: CoordinatorEvent[];
  readonly stop: () => void;
  waitFor(count: number): Promise<void>;
} {
  const events: CoordinatorEvent[] = [];
  const stop = c.watch((event) => events.push(event));
  return {
    events,
    stop,
    async waitFor(count: number) {
      await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(count), { timeout: 5_000, interval: 10 });
    },
  };
}

/** Lets pending event deliveries (e.g. etcd watches) arrive before asserting that nothing came. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** A minimal topic request. */
export function topicRequest(name: string, partitions = 1, replicationFactor = 1, configs: Record<string, string> = {}): CreateTopicRequest {
  return { name, partitions, replicationFactor, configs };
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
