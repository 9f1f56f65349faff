import { f, Reader } from '@oxbow/protocol';
import { decodeRecordBody as decodeBody, defineRecord, encodeRecord as encode } from '../internal/versioned-record.js';

/**
 * The records of `__consumer_offsets`, in Kafka's own formats so Kafka tooling can read the topic:
 * every key and value is an INT16 schema version followed by that version's fields. Key versions
 * 0-1 are offset commits, 2 is group metadata (Kafka tells them apart by the key version).
 *
 * OffsetCommitKey (v0-1) => group topic partition
 * OffsetCommitValue (v3) => offset leader_epoch metadata commit_timestamp
 * GroupMetadataKey (v2) => group
 * GroupMetadataValue (v3) => protocol_type generation protocol leader current_state_timestamp [members]
 *   members => member_id group_instance_id client_id client_host rebalance_timeout session_timeout
 *              subscription assignment
 */

const OffsetCommitKeySchema = defineRecord('OffsetCommitKey', '0-1', 'none', 1, [f.string('group', '0+'), f.string('topic', '0+'), f.int32('partition', '0+')]);
const GroupMetadataKeySchema = defineRecord('GroupMetadataKey', '2', 'none', 2, [f.string('group', '2+')]);

const OffsetCommitValueSchema = defineRecord('OffsetCommitValue', '0-4', '4+', 3, [
  f.int64('offset', '0+'),
  f.int32('leaderEpoch', '3+', { default: -1 }),
  f.string('metadata', '0+'),
  f.int64('commitTimestamp', '0+'),
  f.int64('expireTimestamp', '1', { default: -1n }),
]);

const GroupMetadataValueSchema = defineRecord('GroupMetadataValue', '0-4', '4+', 3, [
  f.string('protocolType', '0+'),
  f.int32('generation', '0+'),
  f.string('protocol', '0+', { nullable: '0+' }),
  f.string('leader', '0+', { nullable: '0+' }),
  f.int64('currentStateTimestamp', '2+', { default: -1n }),
  f.structs('members', '0+', [
    f.string('memberId', '0+'),
    f.string('groupInstanceId', '3+', { nullable: '3+', default: null }),
    f.string('clientId', '0+'),
    f.string('clientHost', '0+'),
    f.int32('rebalanceTimeout', '1+', { default: -1 }),
    f.int32('sessionTimeout', '0+'),
    f.bytes('subscription', '0+'),
    f.bytes('assignment', '0+'),
  ]),
]);

export interface OffsetCommitKey {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
}

export interface OffsetCommitValue {
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: bigint;
}

export interface GroupMemberRecord {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeout: number;
  readonly sessionTimeout: number;
  readonly subscription: Buffer;
  readonly assignment: Buffer;
}

export interface GroupMetadataValue {
  readonly protocolType: string;
  readonly generation: number;
  readonly protocol: string | null;
  readonly leader: string | null;
  readonly currentStateTimestamp: bigint;
  readonly members: readonly GroupMemberRecord[];
}

export type GroupRecordKey = ({ readonly type: 'offset' } & OffsetCommitKey) | { readonly type: 'group'; readonly group: string };

export function encodeOffsetCommitKey(key: OffsetCommitKey): Buffer {
  return encode(OffsetCommitKeySchema, key);
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return encode(GroupMetadataKeySchema, { group });
}

export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  return encode(OffsetCommitValueSchema, value);
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  return encode(GroupMetadataValueSchema, { ...value, members: value.members.map((m) => ({ ...m })) });
}

/** Decodes a key; null for key versions this broker does not know (Kafka skips them too). */
export function decodeGroupRecordKey(bytes: Buffer): GroupRecordKey | null {
  const r = new Reader(bytes);
  const version = r.readInt16();
  if (version === 0 || version === 1) return { type: 'offset', ...decodeBody(OffsetCommitKeySchema, r, version) };
  if (version === 2) return { type: 'group', group: decodeBody(GroupMetadataKeySchema, r, version).group };
  return null;
}

export function decodeOffsetCommitValue(bytes: Buffer): OffsetCommitValue {
  const r = new Reader(bytes);
  const v = decodeBody(OffsetCommitValueSchema, r, r.readInt16());
  return { offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, commitTimestamp: v.commitTimestamp };
}

export function decodeGroupMetadataValue(bytes: Buffer): GroupMetadataValue {
  const r = new Reader(bytes);
  return decodeBody(GroupMetadataValueSchema, r, r.readInt16());
}
