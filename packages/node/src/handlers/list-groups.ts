import { ListGroups } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** ListGroups (16), v0-5: groups this node coordinates; v4+ filters by state, v5+ by type (all are "classic"). */
export const listGroupsHandler = defineHandler({
  api: ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const states = ctx.apiVersion >= 4 ? request.statesFilter.map((s) => s.toLowerCase()) : [];
    const types = ctx.apiVersion >= 5 ? request.typesFilter.map((s) => s.toLowerCase()) : [];
    const groups = ctx.services.groups.listGroups()
      .filter((g) => states.length === 0 || states.includes(g.state.toLowerCase()))
      .filter(() => types.length === 0 || types.includes('classic'))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: 'classic' }));
    return Promise.resolve({ throttleTimeMs: 0, errorCode: 0, groups });
  },
  errorResponse: (_request, errorCode) => ({ errorCode, groups: [] }),
});
