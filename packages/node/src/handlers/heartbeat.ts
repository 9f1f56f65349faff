import { Heartbeat } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** Heartbeat (12), v0-4: keeps a member alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
export const heartbeatHandler = defineHandler({
  api: Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx) {
    const errorCode = ctx.services.groups.membership.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
    });
    return Promise.resolve({ throttleTimeMs: 0, errorCode });
  },
  errorResponse: (_request, errorCode) => ({ errorCode }),
});
