import { DeleteGroups } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** DeleteGroups (42), v0-2: empty groups and their offsets; NON_EMPTY_GROUP for groups with members. */
export const deleteGroupsHandler = defineHandler({
  api: DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const results = [];
    for (const groupId of request.groupsNames) results.push({ groupId, errorCode: await ctx.services.groups.offsets.deleteGroup(groupId) });
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) }),
});
