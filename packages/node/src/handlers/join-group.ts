import { JoinGroup } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/**
 * JoinGroup (11), v0-9: classic-protocol rebalances (GroupCoordinator). From v4 a dynamic member's
 * first join answers MEMBER_ID_REQUIRED with its id; v5+ carries group.instance.id (static
 * membership). The response waits until the group's join phase completes.
 */
export const joinGroupHandler = defineHandler({
  api: JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const r = await ctx.services.groups.membership.join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      protocolType: request.protocolType,
      protocols: request.protocols,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: ctx.apiVersion >= 1 ? request.rebalanceTimeoutMs : -1,
      clientId: ctx.header.clientId ?? '',
      clientHost: ctx.remote.replace(/:\d+$/, ''),
      requireKnownMemberId: ctx.apiVersion >= 4,
      supportsSkipAssignment: ctx.apiVersion >= 9,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      // protocolName is nullable from v7 only; older versions carry "" for none.
      protocolName: r.protocolName ?? (ctx.apiVersion >= 7 ? null : ''),
      leader: r.leader,
      skipAssignment: r.skipAssignment ?? false,
      memberId: r.memberId,
      members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    };
  },
  errorResponse: (request, errorCode, ctx) => ({
    errorCode,
    generationId: -1,
    protocolName: ctx.apiVersion >= 7 ? null : '',
    leader: '',
    memberId: request.memberId,
    members: [],
  }),
});
