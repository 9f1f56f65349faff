import { LeaveGroup } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** LeaveGroup (13), v0-5: v0-2 one member, v3+ a batch (static members by group.instance.id). */
export const leaveGroupHandler = defineHandler({
  api: LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const batched = ctx.apiVersion >= 3;
    const members = batched ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId })) : [{ memberId: request.memberId, groupInstanceId: null }];
    const r = ctx.services.groups.membership.leave(request.groupId, members);
    if (!batched) return Promise.resolve({ throttleTimeMs: 0, errorCode: r.errorCode !== 0 ? r.errorCode : (r.members[0]?.errorCode ?? 0) });
    return Promise.resolve({ throttleTimeMs: 0, errorCode: r.errorCode, members: r.members });
  },
  errorResponse: (_request, errorCode) => ({ errorCode }),
});
