import { randomUUID } from 'node:crypto';
import { KafkaErrorCode } from '@oxbow/protocol';
import type { Logger } from '../observability/logger.js';
import { ClassicGroup, GROUP_STATE, GroupMember, type JoinResult, type SyncResult } from './classic-group.js';
import { groupMetadataRecord } from './group-metadata-record.js';
import { joinError, syncError, type GroupLog, type GroupSettings, type JoinRequest, type MemberIdentity, type SyncRequest } from './group-types.js';

/**
 * Classic-protocol group membership, after Kafka's GroupCoordinator: JoinGroup/SyncGroup
 * rebalances with generations, leader election and protocol selection, heartbeats and session
 * expiry, LeaveGroup and static membership. Group metadata is written to the GroupLog and the
 * in-memory state changes only after the write succeeds. Committed offsets live in the same
 * groups (see GroupOffsets).
 */
export class GroupCoordinator {
  readonly groups = new Map<string, ClassicGroup>();
  readonly #log: GroupLog;
  readonly #settings: GroupSettings;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(log: GroupLog, settings: GroupSettings, logger: Logger, now: () => number = Date.now) {
    this.#log = log;
    this.#settings = settings;
    this.#logger = logger;
    this.#now = now;
  }

  get log(): GroupLog {
    return this.#log;
  }

  now(): number {
    return this.#now();
  }

  getOrCreate(groupId: string): ClassicGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = new ClassicGroup(groupId, this.#now());
      this.groups.set(groupId, group);
    }
    return group;
  }

  async join(req: JoinRequest): Promise<JoinResult> {
    const status = this.#log.status(req.groupId);
    if (status !== 0) return joinError(status);
    if (req.groupId === '') return joinError(KafkaErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.#settings.minSessionTimeoutMs || req.sessionTimeoutMs > this.#settings.maxSessionTimeoutMs) {
      return joinError(KafkaErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const existing = this.groups.get(req.groupId);
    if (existing === undefined && req.memberId !== '') return joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    const group = existing ?? this.getOrCreate(req.groupId);
    if (group.is(GROUP_STATE.Dead)) return joinError(KafkaErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return joinError(KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    return req.memberId === '' ? this.#joinUnknownMember(group, req) : this.#joinKnownMember(group, req);
  }

  async #joinUnknownMember(group: ClassicGroup, req: JoinRequest): Promise<JoinResult> {
    const newId = `${req.clientId}-${randomUUID()}`;
    const known = group.staticMember(req.groupInstanceId);
    if (known !== undefined) return this.#replaceStaticMember(group, known, newId, req);
    if (group.members.size + group.pendingMembers.size >= this.#settings.maxSize) return joinError(KafkaErrorCode.GROUP_MAX_SIZE_REACHED);
    if (req.groupInstanceId === null && req.requireKnownMemberId) {
      // KIP-394: the member gets its id first, so a join that times out on the client leaves no orphan.
      const timer = setTimeout(() => group.pendingMembers.delete(newId), req.sessionTimeoutMs);
      timer.unref();
      group.pendingMembers.set(newId, timer);
      return joinError(KafkaErrorCode.MEMBER_ID_REQUIRED, newId);
    }
    return this.#addMemberAndRebalance(group, newId, req);
  }

  async #joinKnownMember(group: ClassicGroup, req: JoinRequest): Promise<JoinResult> {
    const pending = group.pendingMembers.get(req.memberId);
    if (pending !== undefined) {
      clearTimeout(pending);
      group.pendingMembers.delete(req.memberId);
      return this.#addMemberAndRebalance(group, req.memberId, req);
    }
    const member = group.members.get(req.memberId);
    if (req.groupInstanceId !== null) {
      const owner = group.staticMembers.get(req.groupInstanceId);
      if (owner !== undefined && owner !== req.memberId) return joinError(KafkaErrorCode.FENCED_INSTANCE_ID, req.memberId);
    }
    if (member === undefined || group.is(GROUP_STATE.Empty)) return joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    const unchanged = member.sameProtocols(req.protocols);
    switch (group.state) {
      case GROUP_STATE.PreparingRebalance:
        return this.#awaitJoin(group, member, req);
      case GROUP_STATE.CompletingRebalance:
        if (unchanged) return this.#currentGeneration(group, member);
        return this.#awaitJoin(group, member, req, true);
      case GROUP_STATE.Stable:
        if (unchanged && member.memberId !== group.leaderId) return this.#currentGeneration(group, member);
        return this.#awaitJoin(group, member, req, true);
      default:
        return joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    }
  }

  /** The answer for a member rejoining the generation it is already in. */
  #currentGeneration(group: ClassicGroup, member: GroupMember): JoinResult {
    this.#heartbeat(group, member);
    return group.joinAnswer(member);
  }

  #addMemberAndRebalance(group: ClassicGroup, memberId: string, req: JoinRequest): Promise<JoinResult> {
    const member = new GroupMember({
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
    });
    if (group.members.size === 0) group.protocolType = req.protocolType;
    group.members.set(memberId, member);
    if (req.groupInstanceId !== null) group.staticMembers.set(req.groupInstanceId, memberId);
    group.leaderId ??= memberId;
    return this.#awaitJoin(group, member, req, true);
  }

  /** Parks a member's JoinGroup until the join phase completes, starting a rebalance if asked. */
  #awaitJoin(group: ClassicGroup, member: GroupMember, req: JoinRequest, rebalance = false): Promise<JoinResult> {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    if (req.rebalanceTimeoutMs >= 0) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.stopSession();
    // A member that joins again while parked replaces its previous request (Kafka answers the old one with an error).
    member.awaitingJoin?.(joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    const result = new Promise<JoinResult>((resolve) => (member.awaitingJoin = resolve));
    if (rebalance || !group.is(GROUP_STATE.PreparingRebalance)) this.prepareRebalance(group, `member ${member.memberId} joined`);
    this.#tryCompleteJoin(group);
    return result;
  }

  /** Static membership: a known instance id with a new member id takes over the old member. */
  async #replaceStaticMember(group: ClassicGroup, old: GroupMember, newId: string, req: JoinRequest): Promise<JoinResult> {
    const oldId = old.memberId;
    old.awaitingJoin?.(joinError(KafkaErrorCode.FENCED_INSTANCE_ID, oldId));
    old.awaitingJoin = null;
    old.awaitingSync?.(syncError(KafkaErrorCode.FENCED_INSTANCE_ID));
    old.awaitingSync = null;
    old.stopSession();
    const rename = (from: string, to: string): void => {
      const m = group.members.get(from);
      if (m === undefined) return;
      group.members.delete(from);
      m.memberId = to;
      group.members.set(to, m);
      if (group.pendingSync.delete(from)) group.pendingSync.add(to);
      if (req.groupInstanceId !== null) group.staticMembers.set(req.groupInstanceId, to);
      if (group.leaderId === from) group.leaderId = to;
    };
    rename(oldId, newId);
    const oldLeader = group.leaderId === newId ? oldId : group.leaderId;
    if (group.is(GROUP_STATE.Stable)) {
      const oldProtocols = old.protocols;
      old.protocols = req.protocols;
      if (group.selectProtocol() === group.protocolName) {
        // No rebalance: persist the new member id, then answer with the current generation.
        const error = await this.persist(group);
        if (error !== 0) {
          old.protocols = oldProtocols;
          rename(newId, oldId);
          this.#heartbeat(group, old);
          return joinError(error);
        }
        this.#heartbeat(group, old);
        const answer = { ...this.#currentGeneration(group, old), members: [] };
        // v9+ (KIP-814): a static leader learns the members but must not reassign; older clients
        // are told the old leader id, so they do not think they lead and keep their assignment.
        if (!req.supportsSkipAssignment) return { ...answer, leader: oldLeader ?? '' };
        const isLeader = newId === group.leaderId;
        return { ...answer, members: isLeader ? group.memberList() : [], skipAssignment: isLeader };
      }
      old.protocols = oldProtocols;
    }
    // During CompletingRebalance the leader may already have assigned to the old id: rebalance.
    return this.#awaitJoin(group, old, req, true);
  }

  /** Starts (or continues) the join phase: every member must rejoin within the rebalance timeout. */
  prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is(GROUP_STATE.PreparingRebalance) || group.is(GROUP_STATE.Dead)) return;
    if (group.is(GROUP_STATE.CompletingRebalance)) {
      for (const m of group.members.values()) {
        m.assignment = Buffer.alloc(0);
        m.awaitingSync?.(syncError(KafkaErrorCode.REBALANCE_IN_PROGRESS));
        m.awaitingSync = null;
      }
    }
    group.cancelSyncExpiration();
    const wasEmpty = group.is(GROUP_STATE.Empty);
    group.transition(GROUP_STATE.PreparingRebalance, this.#now());
    this.#logger.debug({ group: group.groupId, generation: group.generationId, reason }, 'preparing group rebalance');
    if (wasEmpty && this.#settings.initialRebalanceDelayMs > 0) {
      group.initialDelay = true;
      this.#scheduleJoin(group, Math.min(this.#settings.initialRebalanceDelayMs, group.rebalanceTimeoutMs()), () => {
        group.initialDelay = false;
        if (group.allMembersJoined()) this.#completeJoin(group);
        else this.#scheduleJoin(group, group.rebalanceTimeoutMs(), () => this.#completeJoin(group));
      });
    } else {
      this.#scheduleJoin(group, group.rebalanceTimeoutMs(), () => this.#completeJoin(group));
    }
  }

  #scheduleJoin(group: ClassicGroup, delayMs: number, fn: () => void): void {
    if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    group.joinTimer = setTimeout(() => {
      group.joinTimer = null;
      fn();
    }, delayMs);
    group.joinTimer.unref();
  }

  #tryCompleteJoin(group: ClassicGroup): void {
    if (group.is(GROUP_STATE.PreparingRebalance) && !group.initialDelay && group.allMembersJoined()) this.#completeJoin(group);
  }

  /** Ends the join phase: drops members that did not rejoin, bumps the generation, answers every JoinGroup. */
  #completeJoin(group: ClassicGroup): void {
    if (!group.is(GROUP_STATE.PreparingRebalance)) return;
    if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    group.joinTimer = null;
    group.initialDelay = false;
    for (const m of [...group.members.values()]) if (m.awaitingJoin === null) group.removeMember(m);
    group.generationId += 1;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.leaderId = null;
      group.transition(GROUP_STATE.Empty, this.#now());
      void this.persist(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    if (group.leaderId === null || !group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value ?? null;
    group.transition(GROUP_STATE.CompletingRebalance, this.#now());
    this.#scheduleSyncExpiration(group);
    this.#logger.debug({ group: group.groupId, generation: group.generationId, members: group.members.size, protocol: group.protocolName }, 'group join phase complete');
    for (const m of group.members.values()) {
      const respond = m.awaitingJoin;
      m.awaitingJoin = null;
      this.#heartbeat(group, m);
      respond?.(this.#currentGeneration(group, m));
    }
  }

  /**
   * Every member must send SyncGroup within the rebalance timeout of the join phase's end; those
   * that do not are removed and the group rebalances (Kafka's pending-sync expiration).
   */
  #scheduleSyncExpiration(group: ClassicGroup): void {
    group.expectSyncs((missing) => {
      for (const m of missing) group.removeMember(m);
      this.prepareRebalance(group, `members ${missing.map((m) => m.memberId).join(', ')} sent no SyncGroup in time`);
    });
  }

  async sync(req: SyncRequest): Promise<SyncResult> {
    const status = this.#log.status(req.groupId);
    if (status !== 0) return syncError(status);
    const group = this.groups.get(req.groupId);
    if (group === undefined) return syncError(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    if (group.is(GROUP_STATE.Dead)) return syncError(KafkaErrorCode.COORDINATOR_NOT_AVAILABLE);
    const member = group.members.get(req.memberId);
    const fenced = group.fencedError(req);
    if (fenced !== 0) return syncError(fenced);
    if (member === undefined) return syncError(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== group.generationId) return syncError(KafkaErrorCode.ILLEGAL_GENERATION);
    if ((req.protocolType !== null && req.protocolType !== group.protocolType) || (req.protocolName !== null && req.protocolName !== group.protocolName)) {
      return syncError(KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    switch (group.state) {
      case GROUP_STATE.Empty:
        return syncError(KafkaErrorCode.UNKNOWN_MEMBER_ID);
      case GROUP_STATE.PreparingRebalance:
        return syncError(KafkaErrorCode.REBALANCE_IN_PROGRESS);
      case GROUP_STATE.Stable:
        this.#heartbeat(group, member);
        group.synced(member.memberId);
        return group.syncAnswer(member);
      default:
        break;
    }
    this.#heartbeat(group, member);
    group.synced(member.memberId);
    member.awaitingSync?.(syncError(KafkaErrorCode.UNKNOWN_MEMBER_ID));
    const result = new Promise<SyncResult>((resolve) => (member.awaitingSync = resolve));
    if (member.memberId === group.leaderId) {
      const generation = group.generationId;
      const assignments = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
      const error = await this.persist(group, assignments);
      if (group.is(GROUP_STATE.CompletingRebalance) && group.generationId === generation) {
        if (error !== 0) {
          for (const m of group.members.values()) m.awaitingSync?.(syncError(error === KafkaErrorCode.NOT_LEADER_OR_FOLLOWER ? KafkaErrorCode.NOT_COORDINATOR : error));
          for (const m of group.members.values()) m.awaitingSync = null;
          this.prepareRebalance(group, 'failed to persist the assignment');
        } else {
          group.completeSync(assignments, this.#now());
        }
      }
    }
    return result;
  }

  heartbeat(req: MemberIdentity & { groupId: string; generationId: number }): number {
    const status = this.#log.status(req.groupId);
    if (status !== 0) return status;
    const group = this.groups.get(req.groupId);
    if (group === undefined) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is(GROUP_STATE.Dead)) return KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
    const fenced = group.fencedError(req);
    if (fenced !== 0) return fenced;
    const member = group.members.get(req.memberId);
    if (member === undefined || group.is(GROUP_STATE.Empty)) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return KafkaErrorCode.ILLEGAL_GENERATION;
    this.#heartbeat(group, member);
    return group.is(GROUP_STATE.PreparingRebalance) ? KafkaErrorCode.REBALANCE_IN_PROGRESS : 0;
  }

  /** LeaveGroup: one result per member; the group rebalances without them. */
  leave(groupId: string, members: readonly MemberIdentity[]): { errorCode: number; members: (MemberIdentity & { errorCode: number })[] } {
    const status = this.#log.status(groupId);
    if (status !== 0) return { errorCode: status, members: [] };
    const group = this.groups.get(groupId);
    if (group === undefined || group.is(GROUP_STATE.Dead)) {
      return { errorCode: group === undefined ? KafkaErrorCode.UNKNOWN_MEMBER_ID : KafkaErrorCode.COORDINATOR_NOT_AVAILABLE, members: members.map((m) => ({ ...m, errorCode: KafkaErrorCode.UNKNOWN_MEMBER_ID })) };
    }
    const results = members.map((id) => {
      const member = id.memberId === '' ? group.staticMember(id.groupInstanceId) : group.members.get(id.memberId);
      const fenced = id.memberId === '' ? 0 : group.fencedError(id);
      if (fenced !== 0) return { ...id, errorCode: fenced };
      if (member === undefined && group.pendingMembers.has(id.memberId)) {
        clearTimeout(group.pendingMembers.get(id.memberId));
        group.pendingMembers.delete(id.memberId);
        this.#tryCompleteJoin(group);
        return { ...id, errorCode: 0 };
      }
      if (member === undefined) return { ...id, errorCode: KafkaErrorCode.UNKNOWN_MEMBER_ID };
      this.#memberGone(group, member, 'member left the group');
      return { ...id, errorCode: 0 };
    });
    return { errorCode: 0, members: results };
  }

  #heartbeat(group: ClassicGroup, member: GroupMember): void {
    member.stopSession();
    member.sessionTimer = setTimeout(() => {
      member.sessionTimer = null;
      // A member parked in JoinGroup or SyncGroup is kept alive by its request.
      if (member.awaitingJoin !== null || member.awaitingSync !== null) return this.#heartbeat(group, member);
      if (group.members.get(member.memberId) === member) this.#memberGone(group, member, `member ${member.memberId} session timed out`);
    }, member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  /** Commits from a member count as liveness, as in Kafka. */
  touch(group: ClassicGroup, memberId: string): void {
    const member = group.members.get(memberId);
    if (member !== undefined && member.sessionTimer !== null) this.#heartbeat(group, member);
  }

  /** A member left or expired: Stable and CompletingRebalance groups rebalance, a joining group may complete. */
  #memberGone(group: ClassicGroup, member: GroupMember, reason: string): void {
    member.awaitingJoin?.(joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingJoin = null;
    member.awaitingSync?.(syncError(KafkaErrorCode.UNKNOWN_MEMBER_ID));
    member.awaitingSync = null;
    group.removeMember(member);
    this.#logger.info({ group: group.groupId, member: member.memberId, reason }, 'group member removed');
    if (group.is(GROUP_STATE.Stable) || group.is(GROUP_STATE.CompletingRebalance)) this.prepareRebalance(group, reason);
    else this.#tryCompleteJoin(group);
  }

  /** Writes the group's metadata record (members with their assignments); resolves to the error code. */
  persist(group: ClassicGroup, assignments?: ReadonlyMap<string, Buffer>): Promise<number> {
    return this.#log.append(group.groupId, [groupMetadataRecord(group, assignments)]).catch((err: unknown) => {
      this.#logger.error({ err, group: group.groupId }, 'writing group metadata failed');
      return KafkaErrorCode.UNKNOWN_SERVER_ERROR;
    });
  }

  /** Restarts session timers of members restored from the log (they must heartbeat again). */
  resumeMembers(group: ClassicGroup): void {
    for (const m of group.members.values()) this.#heartbeat(group, m);
  }

  /** Drops a group's in-memory state (deleted, or its partition moved away). */
  unload(group: ClassicGroup): void {
    if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    group.cancelSyncExpiration();
    for (const t of group.pendingMembers.values()) clearTimeout(t);
    for (const m of group.members.values()) {
      m.stopSession();
      m.awaitingJoin?.(joinError(KafkaErrorCode.NOT_COORDINATOR, m.memberId));
      m.awaitingSync?.(syncError(KafkaErrorCode.NOT_COORDINATOR));
    }
    group.transition(GROUP_STATE.Dead, this.#now());
    this.groups.delete(group.groupId);
  }

  close(): void {
    for (const g of [...this.groups.values()]) this.unload(g);
  }
}
