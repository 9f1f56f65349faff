/**
 * librdkafka's admin API golden frames: topics, partitions, records, configs, ACLs and groups.
 * Loading and the scenario's constants: librdkafka-fixtures.ts.
 */
import { describe, expect, it } from 'vitest';
import { AlterConfigs } from '../../src/apis/alter-configs.js';
import { CreateAcls } from '../../src/apis/create-acls.js';
import { CreatePartitions } from '../../src/apis/create-partitions.js';
import { CreateTopics } from '../../src/apis/create-topics.js';
import { DeleteAcls } from '../../src/apis/delete-acls.js';
import { DeleteGroups } from '../../src/apis/delete-groups.js';
import { DeleteRecords } from '../../src/apis/delete-records.js';
import { DeleteTopics } from '../../src/apis/delete-topics.js';
import { DescribeAcls } from '../../src/apis/describe-acls.js';
import { DescribeConfigs } from '../../src/apis/describe-configs.js';
import { DescribeGroups } from '../../src/apis/describe-groups.js';
import { ListGroups } from '../../src/apis/list-groups.js';
import { OffsetDelete } from '../../src/apis/offset-delete.js';
import { ADMIN_TOPIC, GROUP, request, TOPIC } from './librdkafka-fixtures.js';

/** Kafka's enums as librdkafka's admin API sends them. */
const RESOURCE = { any: 1, topic: 2, group: 3 } as const;
const PATTERN = { any: 1, match: 2, literal: 3, prefixed: 4 } as const;
const OPERATION = { any: 1, read: 3, describe: 8 } as const;
const PERMISSION = { any: 1, deny: 2, allow: 3 } as const;

describe('librdkafka golden frames', () => {
  describe('admin', () => {
    it('CreateTopics v4: partitions, replication factor, configs', () => {
      expect(request('CreateTopics-v4.bin', CreateTopics)).toMatchObject({
        topics: [
          {
            name: ADMIN_TOPIC,
            numPartitions: 4,
            replicationFactor: 1,
            assignments: [],
            configs: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'retention.ms', value: '86400000' },
            ],
          },
        ],
        timeoutMs: 5000,
        validateOnly: false,
      });
    });

    it('CreatePartitions v0: new total, no assignments (null)', () => {
      expect(request('CreatePartitions-v0.bin', CreatePartitions)).toMatchObject({
        topics: [{ name: ADMIN_TOPIC, count: 6, assignments: null }],
        timeoutMs: 5000,
        validateOnly: false,
      });
    });

    it('DescribeConfigs v1: all configs of the topic (null keys), with synonyms', () => {
      expect(request('DescribeConfigs-v1.bin', DescribeConfigs)).toMatchObject({
        resources: [{ resourceType: RESOURCE.topic, resourceName: ADMIN_TOPIC, configurationKeys: null }],
        includeSynonyms: true,
      });
    });

    it('AlterConfigs v0', () => {
      expect(request('AlterConfigs-v0.bin', AlterConfigs)).toMatchObject({
        resources: [
          {
            resourceType: RESOURCE.topic,
            resourceName: ADMIN_TOPIC,
            configs: [
              { name: 'retention.ms', value: '3600000' },
              { name: 'cleanup.policy', value: 'delete' },
            ],
          },
        ],
        validateOnly: false,
      });
    });

    it('DeleteTopics v1', () => {
      expect(request('DeleteTopics-v1.bin', DeleteTopics)).toMatchObject({ topicNames: [ADMIN_TOPIC], timeoutMs: 5000 });
    });

    it('DeleteRecords v1', () => {
      expect(request('DeleteRecords-v1.bin', DeleteRecords)).toMatchObject({
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 2n }] }],
        timeoutMs: 10000,
      });
    });

    it('CreateAcls v1: literal topic ACL and prefixed group ACL', () => {
      expect(request('CreateAcls-v1.bin', CreateAcls)).toMatchObject({
        creations: [
          {
            resourceType: RESOURCE.topic,
            resourceName: TOPIC,
            resourcePatternType: PATTERN.literal,
            principal: 'User:golden',
            host: '*',
            operation: OPERATION.read,
            permissionType: PERMISSION.allow,
          },
          {
            resourceType: RESOURCE.group,
            resourceName: 'golden-',
            resourcePatternType: PATTERN.prefixed,
            principal: 'User:golden',
            host: '127.0.0.1',
            operation: OPERATION.describe,
            permissionType: PERMISSION.deny,
          },
        ],
      });
    });

    it('DescribeAcls v1: a filter with null host', () => {
      expect(request('DescribeAcls-v1.bin', DescribeAcls)).toMatchObject({
        resourceTypeFilter: RESOURCE.topic,
        resourceNameFilter: TOPIC,
        patternTypeFilter: PATTERN.any,
        principalFilter: 'User:golden',
        hostFilter: null,
        operation: OPERATION.any,
        permissionType: PERMISSION.any,
      });
    });

    it('DeleteAcls v1: a MATCH filter with null name and host', () => {
      expect(request('DeleteAcls-v1.bin', DeleteAcls)).toMatchObject({
        filters: [
          {
            resourceTypeFilter: RESOURCE.any,
            resourceNameFilter: null,
            patternTypeFilter: PATTERN.match,
            principalFilter: 'User:golden',
            hostFilter: null,
            operation: OPERATION.any,
            permissionType: PERMISSION.any,
          },
        ],
      });
    });

    it('ListGroups v0 (rd_kafka_list_groups) and v4 with a states filter (ListConsumerGroups)', () => {
      expect(request('ListGroups-v0.bin', ListGroups)).toMatchObject({ statesFilter: [] });
      expect(request('ListGroups-v4.bin', ListGroups)).toMatchObject({ statesFilter: ['Stable', 'Empty'] });
    });

    it('DescribeGroups v0 and v4', () => {
      expect(request('DescribeGroups-v0.bin', DescribeGroups)).toMatchObject({ groups: [GROUP] });
      expect(request('DescribeGroups-v4.bin', DescribeGroups)).toMatchObject({ groups: [GROUP], includeAuthorizedOperations: false });
    });

    it('OffsetDelete v0', () => {
      expect(request('OffsetDelete-v0.bin', OffsetDelete)).toMatchObject({
        groupId: GROUP,
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 1 }] }],
      });
    });

    it('DeleteGroups v1', () => {
      expect(request('DeleteGroups-v1.bin', DeleteGroups)).toMatchObject({ groupsNames: [GROUP] });
    });
  });
});
