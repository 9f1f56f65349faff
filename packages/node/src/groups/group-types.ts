import type { JoinResult, Protocol, SyncResult } from './classic-group.js';
import type { TransactionalWrite } from '../internal/internal-topic.js';
import type { OffsetsTopicRecord } from './offsets-topic.js';

/** Where group state is made durable (the group's `__consumer_offsets` partition). */
export interface GroupLog {
  /** 0 when this node coordinates the group now, else NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS / COORDINATOR_NOT_AVAILABLE. */
  status(groupId: string): number;
  /** Appends with acks=all; resolves to the Kafka error code (0 = durable). */
  append(groupId: string, records: readonly OffsetsTopicRecord[]): Promise<number>;
  /** Appends records belonging to a producer's transaction (TxnOffsetCommit), acks=all. */
  appendTransactional(groupId: string, records: readonly OffsetsTopicRecord[], txn: TransactionalWrite): Promise<number>;
}

export interface GroupSettings {
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly initialRebalanceDelayMs: number;
  readonly maxSize: number;
}

export interface JoinRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string;
  readonly protocols: readonly Protocol[];
  readonly sessionTimeoutMs: number;
  /** -1 (v0) = the session timeout. */
  readonly rebalanceTimeoutMs: number;
  readonly clientId: string;
  readonly clientHost: string;
  /** JoinGroup v4+: a dynamic member's first join is bounced with MEMBER_ID_REQUIRED. */
  readonly requireKnownMemberId: boolean;
  /** JoinGroup v9+ (KIP-814): a rejoining static leader can be told to skip the assignment. */
  readonly supportsSkipAssignment: boolean;
}

export interface SyncRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignments: readonly { memberId: string; assignment: Buffer }[];
}

export interface MemberIdentity {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export const joinError = (errorCode: number, memberId = ''): JoinResult => ({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] });
export const syncError = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });

