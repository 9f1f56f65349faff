import type { ClassicGroup } from './classic-group.js';
import { encodeGroupMetadataKey, encodeGroupMetadataValue } from './group-records.js';
import type { OffsetsTopicRecord } from './offsets-topic.js';

/**
 * The GroupMetadata record of a group as it stands: generation, protocol, leader and every member
 * with its subscription (the selected protocol's metadata) and assignment (`assignments` overrides
 * members' current ones: the leader's SyncGroup is written before it takes effect).
 */
export function groupMetadataRecord(group: ClassicGroup, assignments?: ReadonlyMap<string, Buffer>): OffsetsTopicRecord {
  const value = encodeGroupMetadataValue({
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: BigInt(group.stateTimestamp),
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.metadataFor(group.protocolName),
      assignment: assignments?.get(m.memberId) ?? m.assignment,
    })),
  });
  return { key: encodeGroupMetadataKey(group.groupId), value };
}
