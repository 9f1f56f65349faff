import { SyncGroup } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** SyncGroup (14), v0-5: the leader's assignments are handed to every member of the generation. */
export const syncGroupHandler = defineHandler({
  api: SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const r = await ctx.services.groups.membership.sync({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      protocolType: ctx.apiVersion >= 5 ? request.protocolType : null,
      protocolName: ctx.apiVersion >= 5 ? request.protocolName : null,
      assignments: request.assignments,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  },
  errorResponse: (_request, errorCode) => ({ errorCode, assignment: Buffer.alloc(0) }),
});
