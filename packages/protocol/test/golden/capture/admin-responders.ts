/**
 * Capture-server responders for the admin APIs: topics, partitions, records, configs (topic and
 * broker) and ACLs.
 */
import {
  AlterConfigs,
  CreateAcls,
  CreatePartitions,
  CreateTopics,
  DeleteAcls,
  DeleteRecords,
  DeleteTopics,
  DescribeAcls,
  DescribeConfigs,
  IncrementalAlterConfigs,
  type RequestOf,
} from '../../../src/index.js';
import { DEFAULT_PARTITIONS, partitionLog, ZERO_UUID, type Acl, type FakeCluster } from './fake-cluster.js';
import type { On } from './handlers.js';

export function registerAdminResponders(on: On, cluster: FakeCluster): void {
  const { topics, topic, topicById, acls, brokerConfigs } = cluster;

  on(CreateTopics, (b, v, _req, respond) =>
    respond(CreateTopics, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => {
        const count = tt.numPartitions > 0 ? tt.numPartitions : Math.max(tt.assignments.length, DEFAULT_PARTITIONS);
        const t = topic(tt.name, count);
        if (!b.validateOnly) for (const c of tt.configs) if (c.value !== null) t.configs.set(c.name, c.value);
        return {
          name: tt.name,
          topicId: t.id,
          errorCode: 0,
          errorMessage: null,
          ...(v >= 5
            ? {
                numPartitions: t.partitions.length,
                replicationFactor: 1,
                configs: [...t.configs].map(([name, value]) => ({ name, value, readOnly: false, configSource: 1, isSensitive: false })),
              }
            : {}),
        };
      }),
    }),
  );

  on(DeleteTopics, (b, v, _req, respond) => {
    const names = v >= 6 ? b.topics.map((t) => t.name ?? topicById(t.topicId)?.name ?? null) : b.topicNames;
    return respond(DeleteTopics, {
      throttleTimeMs: 0,
      responses: names.map((name) => {
        const t = name === null ? undefined : topics.get(name);
        if (name !== null) topics.delete(name);
        return { name, topicId: t?.id ?? ZERO_UUID, errorCode: t === undefined ? 3 : 0, errorMessage: null };
      }),
    });
  });

  on(CreatePartitions, (b, _v, _req, respond) =>
    respond(CreatePartitions, {
      throttleTimeMs: 0,
      results: b.topics.map((tt) => {
        const t = topics.get(tt.name);
        if (t === undefined) return { name: tt.name, errorCode: 3, errorMessage: 'unknown topic' };
        if (!b.validateOnly) while (t.partitions.length < tt.count) t.partitions.push(partitionLog());
        return { name: tt.name, errorCode: 0, errorMessage: null };
      }),
    }),
  );

  on(DeleteRecords, (b, _v, _req, respond) =>
    respond(DeleteRecords, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => {
          const p = topics.get(tt.name)?.partitions[pp.partitionIndex];
          if (p === undefined) return { partitionIndex: pp.partitionIndex, lowWatermark: -1n, errorCode: 3 };
          const target = pp.offset === -1n ? p.highWatermark : pp.offset;
          if (target > p.logStartOffset) p.logStartOffset = target;
          return { partitionIndex: pp.partitionIndex, lowWatermark: p.logStartOffset, errorCode: 0 };
        }),
      })),
    }),
  );

  const configsOf = (resourceType: number, name: string): Map<string, string> =>
    resourceType === 2 ? topic(name).configs : brokerConfigs;

  on(DescribeConfigs, (b, v, _req, respond) =>
    respond(DescribeConfigs, {
      throttleTimeMs: 0,
      results: b.resources.map((r) => {
        const stored = configsOf(r.resourceType, r.resourceName);
        const names = r.configurationKeys ?? [...new Set([...stored.keys(), 'cleanup.policy', 'retention.ms'])];
        return {
          errorCode: 0,
          errorMessage: null,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configs: names.map((name) => {
            const value = stored.get(name) ?? (name === 'cleanup.policy' ? 'delete' : name === 'retention.ms' ? '604800000' : null);
            const isDefault = !stored.has(name);
            return {
              name,
              value,
              readOnly: false,
              isSensitive: false,
              ...(v === 0 ? { isDefault } : { configSource: isDefault ? 5 : 1, synonyms: [] }),
              ...(v >= 3 ? { configType: 0, documentation: null } : {}),
            };
          }),
        };
      }),
    }),
  );

  on(AlterConfigs, (b, _v, _req, respond) =>
    respond(AlterConfigs, {
      throttleTimeMs: 0,
      responses: b.resources.map((r) => {
        if (!b.validateOnly) {
          const stored = configsOf(r.resourceType, r.resourceName);
          stored.clear();
          for (const c of r.configs) if (c.value !== null) stored.set(c.name, c.value);
        }
        return { errorCode: 0, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
      }),
    }),
  );

  on(IncrementalAlterConfigs, (b, _v, _req, respond) =>
    respond(IncrementalAlterConfigs, {
      throttleTimeMs: 0,
      responses: b.resources.map((r) => {
        if (!b.validateOnly) {
          const stored = configsOf(r.resourceType, r.resourceName);
          for (const c of r.configs) {
            if (c.configOperation === 0 && c.value !== null) stored.set(c.name, c.value);
            else if (c.configOperation === 1) stored.delete(c.name);
          }
        }
        return { errorCode: 0, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
      }),
    }),
  );

  // Filters: resource type 1 / pattern type 1 / operation 1 / permission 1 = ANY; pattern 2 = MATCH.
  const matches = (a: Acl, f: RequestOf<typeof DescribeAcls>): boolean =>
    (f.resourceTypeFilter === 1 || f.resourceTypeFilter === a.resourceType) &&
    (f.resourceNameFilter === null || f.resourceNameFilter === a.resourceName) &&
    (f.patternTypeFilter === 1 || f.patternTypeFilter === 2 || f.patternTypeFilter === a.patternType) &&
    (f.principalFilter === null || f.principalFilter === a.principal) &&
    (f.hostFilter === null || f.hostFilter === a.host) &&
    (f.operation === 1 || f.operation === a.operation) &&
    (f.permissionType === 1 || f.permissionType === a.permissionType);

  on(CreateAcls, (b, _v, _req, respond) => {
    for (const c of b.creations) acls.push({ ...c, patternType: c.resourcePatternType });
    return respond(CreateAcls, { throttleTimeMs: 0, results: b.creations.map(() => ({ errorCode: 0, errorMessage: null })) });
  });

  on(DescribeAcls, (b, v, _req, respond) => {
    const found = acls.filter((a) => matches(a, b));
    const byResource = new Map<string, Acl[]>();
    for (const a of found) {
      const key = `${a.resourceType}\0${a.resourceName}\0${a.patternType}`;
      byResource.set(key, [...(byResource.get(key) ?? []), a]);
    }
    return respond(DescribeAcls, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      resources: [...byResource.values()].map((list) => {
        const first = list[0] as Acl;
        return {
          resourceType: first.resourceType,
          resourceName: first.resourceName,
          ...(v >= 1 ? { patternType: first.patternType } : {}),
          acls: list.map((a) => ({ principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType })),
        };
      }),
    });
  });

  on(DeleteAcls, (b, v, _req, respond) =>
    respond(DeleteAcls, {
      throttleTimeMs: 0,
      filterResults: b.filters.map((filter) => {
        const hit = acls.filter((a) => matches(a, filter));
        for (const a of hit) acls.splice(acls.indexOf(a), 1);
        return {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: hit.map((a) => ({
            errorCode: 0,
            errorMessage: null,
            resourceType: a.resourceType,
            resourceName: a.resourceName,
            ...(v >= 1 ? { patternType: a.patternType } : {}),
            principal: a.principal,
            host: a.host,
            operation: a.operation,
            permissionType: a.permissionType,
          })),
        };
      }),
    }),
  );
}
