/**
 * Capture-server responders for coordinators and consumer groups: FindCoordinator (always this
 * node), the join/sync/heartbeat/leave cycle, committed offsets, and the group admin APIs.
 */
import {
  DeleteGroups,
  DescribeGroups,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  SyncGroup,
} from '../../../src/index.js';
import { NODE_ID, type FakeCluster, type Group } from './fake-cluster.js';
import type { On } from './handlers.js';

export function registerGroupResponders(on: On, cluster: FakeCluster): void {
  const { host, groups, group, groupState } = cluster;

  on(FindCoordinator, (b, v, _req, respond) =>
    respond(
      FindCoordinator,
      v <= 3
        ? { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: NODE_ID, host, port: cluster.advertisedPort }
        : {
            throttleTimeMs: 0,
            coordinators: b.coordinatorKeys.map((key) => ({ key, nodeId: NODE_ID, host, port: cluster.advertisedPort, errorCode: 0, errorMessage: null })),
          },
    ),
  );

  on(JoinGroup, (b, v, req, respond) => {
    const g = group(b.groupId);
    const memberId = b.memberId === '' ? `${req.header.clientId ?? 'member'}-member-${++cluster.memberCounter}` : b.memberId;
    const chosen = b.protocols[0];
    const member = g.members.get(memberId) ?? {
      memberId,
      clientId: req.header.clientId ?? '',
      groupInstanceId: b.groupInstanceId,
      metadata: Buffer.alloc(0),
      assignment: Buffer.alloc(0),
    };
    member.metadata = Buffer.from(chosen?.metadata ?? Buffer.alloc(0));
    g.members.set(memberId, member);
    g.protocolType = b.protocolType;
    g.protocolName = chosen?.name ?? '';
    g.generationId += 1;
    if (!g.members.has(g.leader)) g.leader = memberId;
    return respond(JoinGroup, {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: g.generationId,
      ...(v >= 7 ? { protocolType: g.protocolType } : {}),
      protocolName: g.protocolName,
      leader: g.leader,
      memberId,
      members:
        g.leader === memberId
          ? [...g.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata }))
          : [],
    });
  });

  on(SyncGroup, (b, v, _req, respond) => {
    const g = group(b.groupId);
    for (const a of b.assignments) {
      const m = g.members.get(a.memberId);
      if (m !== undefined) m.assignment = Buffer.from(a.assignment);
    }
    return respond(SyncGroup, {
      throttleTimeMs: 0,
      errorCode: 0,
      ...(v >= 5 ? { protocolType: g.protocolType, protocolName: g.protocolName } : {}),
      assignment: g.members.get(b.memberId)?.assignment ?? Buffer.alloc(0),
    });
  });

  on(Heartbeat, (_b, _v, _req, respond) => respond(Heartbeat, { throttleTimeMs: 0, errorCode: 0 }));

  on(LeaveGroup, (b, v, _req, respond) => {
    const g = group(b.groupId);
    const leaving = v <= 2 ? [{ memberId: b.memberId, groupInstanceId: null }] : b.members;
    for (const m of leaving) g.members.delete(m.memberId);
    return respond(LeaveGroup, {
      throttleTimeMs: 0,
      errorCode: 0,
      ...(v >= 3 ? { members: leaving.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: 0 })) } : {}),
    });
  });

  on(OffsetCommit, (b, _v, _req, respond) => {
    const g = group(b.groupId);
    return respond(OffsetCommit, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => {
          g.offsets.set(`${tt.name}\0${pp.partitionIndex}`, {
            offset: pp.committedOffset,
            leaderEpoch: pp.committedLeaderEpoch,
            metadata: pp.committedMetadata,
          });
          return { partitionIndex: pp.partitionIndex, errorCode: 0 };
        }),
      })),
    });
  });

  const committed = (g: Group, requested: { name: string; partitionIndexes: number[] }[] | null) => {
    const list =
      requested ??
      [...new Set([...g.offsets.keys()].map((k) => k.split('\0')[0] ?? ''))].map((name) => ({
        name,
        partitionIndexes: [...g.offsets.keys()].filter((k) => k.startsWith(`${name}\0`)).map((k) => Number(k.split('\0')[1])),
      }));
    return list.map((tt) => ({
      name: tt.name,
      partitions: tt.partitionIndexes.map((idx) => {
        const c = g.offsets.get(`${tt.name}\0${idx}`);
        return {
          partitionIndex: idx,
          committedOffset: c?.offset ?? -1n,
          committedLeaderEpoch: c?.leaderEpoch ?? -1,
          metadata: c?.metadata ?? '',
          errorCode: 0,
        };
      }),
    }));
  };

  on(OffsetFetch, (b, v, _req, respond) =>
    respond(
      OffsetFetch,
      v <= 7
        ? { throttleTimeMs: 0, topics: committed(group(b.groupId), b.topics), errorCode: 0 }
        : {
            throttleTimeMs: 0,
            groups: b.groups.map((gg) => ({ groupId: gg.groupId, topics: committed(group(gg.groupId), gg.topics), errorCode: 0 })),
          },
    ),
  );

  on(OffsetDelete, (b, _v, _req, respond) => {
    const g = group(b.groupId);
    return respond(OffsetDelete, {
      errorCode: 0,
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => {
          g.offsets.delete(`${tt.name}\0${pp.partitionIndex}`);
          return { partitionIndex: pp.partitionIndex, errorCode: 0 };
        }),
      })),
    });
  });

  on(ListGroups, (_b, v, _req, respond) =>
    respond(ListGroups, {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [...groups.values()].map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        ...(v >= 4 ? { groupState: groupState(g) } : {}),
        ...(v >= 5 ? { groupType: 'classic' } : {}),
      })),
    }),
  );

  on(DescribeGroups, (b, _v, _req, respond) =>
    respond(DescribeGroups, {
      throttleTimeMs: 0,
      groups: b.groups.map((id) => {
        const g = groups.get(id);
        if (g === undefined) {
          return { errorCode: 0, groupId: id, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
        }
        return {
          errorCode: 0,
          groupId: id,
          groupState: groupState(g),
          protocolType: g.protocolType,
          protocolData: g.protocolName,
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: `/${host}`,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
        };
      }),
    }),
  );

  on(DeleteGroups, (b, _v, _req, respond) =>
    respond(DeleteGroups, {
      throttleTimeMs: 0,
      results: b.groupsNames.map((id) => {
        const existed = groups.delete(id);
        return { groupId: id, errorCode: existed ? 0 : 69 };
      }),
    }),
  );
}
