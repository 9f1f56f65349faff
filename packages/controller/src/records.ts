/**
 * Immutable snapshots of coordinator records. Coordinators hand out only frozen copies, so a caller
 * can keep a record as long as it likes and nobody can change the coordinator's view through it.
 */
import { KafkaApiError } from '@oxbow/protocol';
import type { BrokerInfo, PartitionState, TopicRecord } from './coordinator.js';

/** A deep-frozen copy of `p`. */
export function freezePartition(p: PartitionState): PartitionState {
  return Object.freeze({
    partition: p.partition,
    replicas: Object.freeze([...p.replicas]),
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    isr: Object.freeze([...p.isr]),
  });
}

/** A deep-frozen copy of `t` (partitions are copied unless already frozen). */
export function freezeTopic(t: TopicRecord): TopicRecord {
  return Object.freeze({
    name: t.name,
    topicId: t.topicId,
    partitions: Object.freeze(t.partitions.map((p) => (Object.isFrozen(p) ? p : freezePartition(p)))),
    configs: Object.freeze({ ...t.configs }),
  });
}

/** A frozen copy of `b`. */
export function freezeBroker(b: BrokerInfo): BrokerInfo {
  return Object.freeze({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack, ...(typeof b.grpc === 'string' ? { grpc: b.grpc } : {}) });
}

export function sameBroker(a: BrokerInfo, b: BrokerInfo): boolean {
  return a.nodeId === b.nodeId && a.host === b.host && a.port === b.port && a.rack === b.rack && (a.grpc ?? null) === (b.grpc ?? null);
}

export function samePartitionState(a: Omit<PartitionState, 'partition'>, b: Omit<PartitionState, 'partition'>): boolean {
  const sameList = (x: readonly number[], y: readonly number[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  return a.leader === b.leader && a.leaderEpoch === b.leaderEpoch && sameList(a.replicas, b.replicas) && sameList(a.isr, b.isr);
}

/** Throws RangeError unless `b` is a well-formed registration (a programming or configuration error). */
export function validateBrokerInfo(b: BrokerInfo): void {
  if (!Number.isInteger(b.nodeId) || b.nodeId < 0) throw new RangeError(`Broker node id must be a non-negative integer, got ${b.nodeId}.`);
  if (typeof b.host !== 'string' || b.host.length === 0) throw new RangeError(`Broker ${b.nodeId}: host must be a non-empty string.`);
  if (!Number.isInteger(b.port) || b.port < 1 || b.port > 65535) throw new RangeError(`Broker ${b.nodeId}: port must be 1-65535, got ${b.port}.`);
  if (b.rack !== null && (typeof b.rack !== 'string' || b.rack.length === 0)) {
    throw new RangeError(`Broker ${b.nodeId}: rack must be null or a non-empty string.`);
  }
  if (b.grpc !== undefined && b.grpc !== null && (typeof b.grpc !== 'string' || !/^[^:\s]+:\d{1,5}$/.test(b.grpc))) {
    throw new RangeError(`Broker ${b.nodeId}: grpc must be null or host:port.`);
  }
}

/** A plain copy of topic configs; INVALID_CONFIG for an empty name or a non-string value. */
export function checkConfigs(configs: Readonly<Record<string, string>>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(configs)) {
    if (key.length === 0) throw new KafkaApiError('INVALID_CONFIG', 'Config names must not be empty.');
    if (typeof value !== 'string') throw new KafkaApiError('INVALID_CONFIG', `Config ${key} must be a string.`);
    copy[key] = value;
  }
  return copy;
}
