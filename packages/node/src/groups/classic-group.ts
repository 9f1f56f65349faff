import { KafkaErrorCode } from '@oxbow/protocol';

/**
 * A classic-protocol consumer group as the coordinator holds it in memory: members, generation,
 * the selected protocol, its leader and committed offsets. Transitions live in GroupCoordinator;
 * this file holds the data and the rules that only read it (protocol selection, Kafka's states).
 */

export const GROUP_STATE = {
  Empty: 'Empty',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
} as const;
export type GroupState = (typeof GROUP_STATE)[keyof typeof GROUP_STATE];

export interface Protocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string;
  readonly memberId: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
  /** KIP-814: the leader gets the members but must keep the current assignment. */
  readonly skipAssignment?: boolean;
}

export interface SyncResult {
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export class GroupMember {
  memberId: string;
  readonly groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: readonly Protocol[];
  assignment: Buffer = Buffer.alloc(0);
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  awaitingJoin: ((result: JoinResult) => void) | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((result: SyncResult) => void) | null = null;
  sessionTimer: NodeJS.Timeout | null = null;

  constructor(init: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    rebalanceTimeoutMs: number;
    sessionTimeoutMs: number;
    protocolType: string;
    protocols: readonly Protocol[];
  }) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
  }

  stopSession(): void {
    if (this.sessionTimer !== null) clearTimeout(this.sessionTimer);
    this.sessionTimer = null;
  }

  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** Same protocol names and metadata, in the same order (a rejoin that changes nothing). */
  sameProtocols(protocols: readonly Protocol[]): boolean {
    return protocols.length === this.protocols.length && protocols.every((p, i) => p.name === this.protocols[i]?.name && p.metadata.equals(this.protocols[i].metadata));
  }
}

export interface CommittedOffset {
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: number;
}

export const offsetKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class ClassicGroup {
  readonly groupId: string;
  state: GroupState = GROUP_STATE.Empty;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** When the group last changed state (Kafka's currentStateTimestamp; offsets of an empty group expire from it). */
  stateTimestamp: number;
  readonly members = new Map<string, GroupMember>();
  /** group.instance.id → member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, valid until their session timeout. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  readonly offsets = new Map<string, CommittedOffset & { readonly topic: string; readonly partition: number }>();
  /** Completes the join phase when it fires (rebalance timeout or initial delay). */
  joinTimer: NodeJS.Timeout | null = null;
  /** Members of this generation whose SyncGroup has not arrived yet; they are removed when `syncTimer` fires. */
  readonly pendingSync = new Set<string>();
  syncTimer: NodeJS.Timeout | null = null;
  /** True while the initial rebalance delay of a new group runs (joins do not complete it early). */
  initialDelay = false;

  constructor(groupId: string, now: number) {
    this.groupId = groupId;
    this.stateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transition(state: GroupState, now: number): void {
    this.state = state;
    this.stateTimestamp = now;
  }

  /** The member a static instance id maps to, if any. */
  staticMember(groupInstanceId: string | null): GroupMember | undefined {
    if (groupInstanceId === null) return undefined;
    const id = this.staticMembers.get(groupInstanceId);
    return id === undefined ? undefined : this.members.get(id);
  }

  /** Kafka's check: a new member must share the group's protocol type and one of its protocols. */
  supportsProtocols(protocolType: string, protocols: readonly Protocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    const names = new Set(protocols.map((p) => p.name));
    return this.candidateProtocols().some((c) => names.has(c));
  }

  /** Protocol names every member supports, in the first member's preference order. */
  candidateProtocols(): string[] {
    const all = [...this.members.values()];
    const first = all[0];
    if (first === undefined) return [];
    return first.protocols.map((p) => p.name).filter((name) => all.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** Each member votes for its most preferred candidate; the most votes win (Kafka's rule). */
  selectProtocol(): string | null {
    const candidates = this.candidateProtocols();
    if (candidates.length === 0) return null;
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const vote = m.protocols.find((p) => candidates.includes(p.name))?.name;
      if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = -1;
    for (const c of candidates) {
      const v = votes.get(c) ?? 0;
      if (v > bestVotes) {
        best = c;
        bestVotes = v;
      }
    }
    return best;
  }

  allMembersJoined(): boolean {
    return this.pendingMembers.size === 0 && [...this.members.values()].every((m) => m.awaitingJoin !== null);
  }

  /** The longest rebalance timeout among members: how long the join phase may wait. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Topics some "consumer"-protocol member subscribes to; null when that cannot be known. */
  isSubscribedTo(topic: string, subscribed: (metadata: Buffer) => readonly string[]): boolean {
    if (this.protocolType !== 'consumer' || this.protocolName === null) return false;
    for (const m of this.members.values()) if (subscribed(m.metadataFor(this.protocolName)).includes(topic)) return true;
    return false;
  }

  /** The members as the leader's JoinGroup response lists them, with the selected protocol's metadata. */
  memberList(): JoinResult['members'] {
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(this.protocolName) }));
  }

  /** A JoinGroup answer for the current generation (the leader also gets the member list). */
  joinAnswer(member: GroupMember): JoinResult {
    return {
      errorCode: 0,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: member.memberId === this.leaderId ? this.memberList() : [],
    };
  }

  syncAnswer(member: GroupMember): SyncResult {
    return { errorCode: 0, protocolType: this.protocolType, protocolName: this.protocolName, assignment: member.assignment };
  }

  /**
   * FENCED_INSTANCE_ID when a static instance id belongs to another member id, UNKNOWN_MEMBER_ID
   * for an unknown static member, else 0.
   */
  fencedError(id: { readonly memberId: string; readonly groupInstanceId: string | null }): number {
    if (id.groupInstanceId === null) return 0;
    const owner = this.staticMembers.get(id.groupInstanceId);
    if (owner === undefined) return this.members.has(id.memberId) ? 0 : KafkaErrorCode.UNKNOWN_MEMBER_ID;
    return owner === id.memberId ? 0 : KafkaErrorCode.FENCED_INSTANCE_ID;
  }

  /** Starts the pending-sync window: `onExpire` gets the members still silent after the rebalance timeout. */
  expectSyncs(onExpire: (missing: GroupMember[]) => void): void {
    this.cancelSyncExpiration();
    for (const id of this.members.keys()) this.pendingSync.add(id);
    const generation = this.generationId;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      if (this.generationId !== generation || !(this.is(GROUP_STATE.CompletingRebalance) || this.is(GROUP_STATE.Stable))) return;
      const missing = [...this.pendingSync].flatMap((id) => this.members.get(id) ?? []);
      this.pendingSync.clear();
      if (missing.length > 0) onExpire(missing);
    }, this.rebalanceTimeoutMs());
    this.syncTimer.unref();
  }

  cancelSyncExpiration(): void {
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.pendingSync.clear();
  }

  synced(memberId: string): void {
    this.pendingSync.delete(memberId);
    if (this.pendingSync.size === 0 && this.syncTimer !== null) {
      clearTimeout(this.syncTimer);
      this.syncTimer = null;
    }
  }

  /** The leader's assignments took effect: the group is Stable and every waiting SyncGroup is answered. */
  completeSync(assignments: ReadonlyMap<string, Buffer>, now: number): void {
    for (const m of this.members.values()) m.assignment = assignments.get(m.memberId) ?? Buffer.alloc(0);
    this.transition(GROUP_STATE.Stable, now);
    for (const m of this.members.values()) {
      const respond = m.awaitingSync;
      m.awaitingSync = null;
      respond?.(this.syncAnswer(m));
    }
  }

  /** Drops a member (its session timer, static mapping, pending sync); the leader passes to the next member. */
  removeMember(member: GroupMember): void {
    member.stopSession();
    this.members.delete(member.memberId);
    this.synced(member.memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === member.memberId) this.staticMembers.delete(member.groupInstanceId);
    if (this.leaderId === member.memberId) this.leaderId = this.members.keys().next().value ?? null;
  }
}
