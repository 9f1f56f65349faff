import { DescribeGroups, KafkaErrorCode } from '@oxbow/protocol';
import { GROUP_STATE } from '../groups/classic-group.js';
import { defineHandler } from './handler.js';

/**
 * DescribeGroups (15), v0-6: state, protocol and members of classic groups. Member metadata and
 * assignments are shown only once the group is Stable (Kafka's rule). An unknown group is a Dead
 * group, or GROUP_ID_NOT_FOUND from v6.
 */
export const describeGroupsHandler = defineHandler({
  api: DescribeGroups,
  minVersion: 0,
  maxVersion: 6,
  handle(request, ctx) {
    const groups = request.groups.map((groupId) => {
      const base = { errorMessage: null, groupId, protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 };
      const status = ctx.services.groups.status(groupId);
      if (status !== 0) return { ...base, errorCode: status, groupState: '' };
      const group = ctx.services.groups.membership.groups.get(groupId);
      if (group === undefined) {
        return ctx.apiVersion >= 6
          ? { ...base, errorCode: KafkaErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.`, groupState: GROUP_STATE.Dead }
          : { ...base, errorCode: 0, groupState: GROUP_STATE.Dead };
      }
      const stable = group.is(GROUP_STATE.Stable);
      return {
        ...base,
        errorCode: 0,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        protocolData: stable ? (group.protocolName ?? '') : '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? m.metadataFor(group.protocolName) : Buffer.alloc(0),
          memberAssignment: stable ? m.assignment : Buffer.alloc(0),
        })),
      };
    });
    return Promise.resolve({ throttleTimeMs: 0, groups });
  },
  errorResponse: (request, errorCode) => ({
    groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [] })),
  }),
});
