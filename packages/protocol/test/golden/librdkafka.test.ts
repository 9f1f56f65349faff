/**
 * Golden request frames from librdkafka 2.0.2 (via python3-confluent-kafka 1.7.0, librdkafka's C
 * admin API and kcat), captured by test/golden/capture/capture.ts. librdkafka is an independent
 * implementation, so decoding its bytes field by field — and re-encoding them byte for byte —
 * checks our field tables against a real client rather than against ourselves.
 *
 * Every expected value below is what test/golden/capture/librdkafka-scenario.py sent (or what the
 * capture server handed out: producer ids, member ids). No python or kcat is needed here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AddOffsetsToTxn } from '../../src/apis/add-offsets-to-txn.js';
import { AddPartitionsToTxn } from '../../src/apis/add-partitions-to-txn.js';
import { AlterConfigs } from '../../src/apis/alter-configs.js';
import { ApiVersions } from '../../src/apis/api-versions.js';
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
import { EndTxn } from '../../src/apis/end-txn.js';
import { Fetch } from '../../src/apis/fetch.js';
import { FindCoordinator } from '../../src/apis/find-coordinator.js';
import { Heartbeat } from '../../src/apis/heartbeat.js';
import { InitProducerId } from '../../src/apis/init-producer-id.js';
import { JoinGroup } from '../../src/apis/join-group.js';
import { LeaveGroup } from '../../src/apis/leave-group.js';
import { ListGroups } from '../../src/apis/list-groups.js';
import { ListOffsets } from '../../src/apis/list-offsets.js';
import { Metadata } from '../../src/apis/metadata.js';
import { OffsetCommit } from '../../src/apis/offset-commit.js';
import { OffsetDelete } from '../../src/apis/offset-delete.js';
import { OffsetFetch } from '../../src/apis/offset-fetch.js';
import { Produce } from '../../src/apis/produce.js';
import { lookupApi } from '../../src/apis/registry.js';
import { SaslAuthenticate } from '../../src/apis/sasl-authenticate.js';
import { SaslHandshake } from '../../src/apis/sasl-handshake.js';
import { SyncGroup } from '../../src/apis/sync-group.js';
import { TxnOffsetCommit } from '../../src/apis/txn-offset-commit.js';
import type { CompressionName } from '../../src/compression/codecs.js';
import { decodeRequestFrame, encodeRequestFrame, type DecodedRequest } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { scanBatches } from '../../src/records/batch-view.js';
import { decodeRecordBatch, type RecordHeader } from '../../src/records/record-batch.js';
import type { Api, RequestOf } from '../../src/schema/api.js';
import { IDEMPOTENT_PRODUCER, TRANSACTIONAL_PRODUCER } from './capture/capture-server.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'librdkafka');

interface IndexEntry {
  readonly file: string;
  readonly api: string;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly variant: string | null;
}
interface Index {
  readonly librdkafka: string;
  readonly confluentKafkaPython: string;
  readonly files: readonly IndexEntry[];
}
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Index;

// ---- what the scenario sent (keep in sync with librdkafka-scenario.py) -------------------------

const CLIENT = 'golden-librdkafka';
const KCAT = 'golden-kcat';
const TOPIC = 'golden-topic';
const TXN_TOPIC = 'golden-txn-topic';
const ADMIN_TOPIC = 'golden-admin-topic';
const GROUP = 'golden-group';
const TXN_ID = 'golden-txn';
/** Member id the capture server gave the scenario's only consumer, generation 1. */
const MEMBER = `${CLIENT}-member-1`;
const T0 = 1_700_000_000_000n;
const FILLER = 'golden '.repeat(16);
const PARTITION_OF: Record<CompressionName, number> = { none: 0, gzip: 1, snappy: 2, lz4: 0, zstd: 1 };
/** Kafka's enums as librdkafka's admin API sends them. */
const RESOURCE = { any: 1, topic: 2, group: 3 } as const;
const PATTERN = { any: 1, match: 2, literal: 3, prefixed: 4 } as const;
const OPERATION = { any: 1, read: 3, describe: 8 } as const;
const PERMISSION = { any: 1, deny: 2, allow: 3 } as const;

interface SentRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: bigint;
  readonly headers: readonly { key: string; value: string | null }[];
}

const compressionRecords = (codec: CompressionName): SentRecord[] => [
  {
    key: 'key-0',
    value: `${codec} value 0 ${FILLER}`,
    timestamp: T0,
    headers: [
      { key: 'trace-id', value: 'trace-0' },
      { key: 'empty', value: '' },
      { key: 'null', value: null },
    ],
  },
  { key: null, value: `${codec} value 1 ${FILLER}`, timestamp: T0 + 1000n, headers: [] },
  { key: 'key-2', value: null, timestamp: T0 + 2000n, headers: [{ key: 'tombstone', value: 'yes' }] },
];

/** Every fixture the capture is expected to produce: librdkafka 2.0.2's versions of each flow. */
const EXPECTED_FILES = [
  'Produce-v7-none.bin',
  'Produce-v7-gzip.bin',
  'Produce-v7-snappy.bin',
  'Produce-v7-lz4.bin',
  'Produce-v7-zstd.bin',
  'Produce-v7-none-idempotent.bin',
  'Produce-v7-none-transactional.bin',
  'Produce-v7-lz4-kcat.bin',
  'Fetch-v11.bin',
  'ListOffsets-v2.bin',
  'Metadata-v4.bin',
  'Metadata-v4-kcat.bin',
  'OffsetCommit-v7.bin',
  'OffsetFetch-v7.bin',
  'FindCoordinator-v2.bin',
  'FindCoordinator-v2-transaction.bin',
  'JoinGroup-v5.bin',
  'Heartbeat-v3.bin',
  'LeaveGroup-v1.bin',
  'SyncGroup-v3.bin',
  'DescribeGroups-v0.bin',
  'DescribeGroups-v4.bin',
  'ListGroups-v0.bin',
  'ListGroups-v4.bin',
  'SaslHandshake-v1.bin',
  'ApiVersions-v3.bin',
  'ApiVersions-v3-kcat.bin',
  'CreateTopics-v4.bin',
  'DeleteTopics-v1.bin',
  'DeleteRecords-v1.bin',
  'InitProducerId-v4.bin',
  'InitProducerId-v4-transactional.bin',
  'AddPartitionsToTxn-v0.bin',
  'AddOffsetsToTxn-v0.bin',
  'EndTxn-v1.bin',
  'EndTxn-v1-abort.bin',
  'TxnOffsetCommit-v3.bin',
  'DescribeAcls-v1.bin',
  'CreateAcls-v1.bin',
  'DeleteAcls-v1.bin',
  'DescribeConfigs-v1.bin',
  'AlterConfigs-v0.bin',
  'SaslAuthenticate-v0.bin',
  'CreatePartitions-v0.bin',
  'DeleteGroups-v1.bin',
  'OffsetDelete-v0.bin',
];

/**
 * librdkafka 2.0.2 writes the tag buffer of a ListGroups v3+ request twice (once in
 * rd_kafka_ListGroupsRequest, once more in rd_kafka_buf_finalize), leaving one 0x00 byte after
 * the body. Kafka ignores bytes after a request body, and so does decodeRequestFrame (it reports
 * them as `trailingBytes`).
 */
const TRAILING_BYTES: Readonly<Record<string, number>> = { 'ListGroups-v4.bin': 1 };

// ---- helpers -----------------------------------------------------------------------------------

const frameOf = (file: string): Buffer => readFileSync(join(dir, file));

/** The frame as decodeRequestFrame should accept it (known trailing bytes dropped). */
function bodyFrameOf(file: string): Buffer {
  const frame = frameOf(file);
  return frame.subarray(0, frame.length - (TRAILING_BYTES[file] ?? 0));
}

function decodeFile(file: string): DecodedRequest {
  return decodeRequestFrame(bodyFrameOf(file), lookupApi);
}

/** Decodes a fixture, checks it is `api` from `clientId`, and returns its typed body. */
function request<A extends Api>(file: string, api: A, clientId = CLIENT): RequestOf<A> {
  const { header, api: decodedApi, body } = decodeFile(file);
  expect(decodedApi).toBe(api);
  expect(header.clientId).toBe(clientId);
  return body as RequestOf<A>;
}

const buf = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'utf8'));
const headersOf = (hs: SentRecord['headers']): RecordHeader[] => hs.map((h) => ({ key: h.key, value: buf(h.value) }));

/** The records blob of a single-partition Produce request, after checking where it goes. */
function producedRecords(body: RequestOf<typeof Produce>, topic: string, partition: number): Buffer {
  expect(body.topicData).toHaveLength(1);
  const [td] = body.topicData;
  expect(td?.name).toBe(topic);
  expect(td?.partitionData.map((p) => p.index)).toEqual([partition]);
  const records = td?.partitionData[0]?.records ?? null;
  expect(records).not.toBeNull();
  return records ?? Buffer.alloc(0);
}

/** Scans (CRC-checked) and fully decodes the one batch librdkafka sent, checking its records. */
async function singleBatch(records: Buffer, sent: readonly SentRecord[]) {
  const views = scanBatches(records, { verifyCrc: true });
  expect(views).toHaveLength(1);
  const [view] = views;
  if (view === undefined) throw new Error('no batch');
  expect(view.magic).toBe(2);
  expect(view.size).toBe(records.length);
  const batch = await decodeRecordBatch(view);
  expect(batch).toMatchObject({
    baseOffset: 0n,
    partitionLeaderEpoch: 0, // librdkafka writes 0 (the Java client writes -1)
    timestampType: 'create-time',
    control: false,
    lastOffsetDelta: sent.length - 1,
    baseTimestamp: sent[0]?.timestamp,
    maxTimestamp: sent.reduce((m, r) => (r.timestamp > m ? r.timestamp : m), -1n),
  });
  expect(batch.records).toEqual(
    sent.map((r, i) => ({ offset: BigInt(i), timestamp: r.timestamp, key: buf(r.key), value: buf(r.value), headers: headersOf(r.headers) })),
  );
  return batch;
}

/** ConsumerProtocolSubscription (JoinGroup protocol metadata) as librdkafka writes it. */
function decodeSubscription(b: Buffer) {
  const r = new Reader(b);
  const version = r.readInt16();
  const topics = Array.from({ length: r.readArrayLength() ?? 0 }, () => r.readString());
  const userData = r.readNullableBytes();
  const ownedPartitions =
    version >= 1
      ? Array.from({ length: r.readArrayLength() ?? 0 }, () => ({
          topic: r.readString(),
          partitions: Array.from({ length: r.readArrayLength() ?? 0 }, () => r.readInt32()),
        }))
      : [];
  expect(r.remaining).toBe(0);
  return { version, topics, userData, ownedPartitions };
}

/** ConsumerProtocolAssignment (SyncGroup assignment) as librdkafka writes it. */
function decodeAssignment(b: Buffer) {
  const r = new Reader(b);
  const version = r.readInt16();
  const topics = Array.from({ length: r.readArrayLength() ?? 0 }, () => ({
    topic: r.readString(),
    partitions: Array.from({ length: r.readArrayLength() ?? 0 }, () => r.readInt32()),
  }));
  const userData = r.readNullableBytes();
  expect(r.remaining).toBe(0);
  return { version, topics, userData };
}

// ---- tests -------------------------------------------------------------------------------------

describe('librdkafka golden frames', () => {
  it('were captured from librdkafka 2.0.2, every expected flow included', () => {
    expect(index.librdkafka).toBe('2.0.2');
    expect(index.files.map((f) => f.file).sort()).toEqual([...EXPECTED_FILES].sort());
  });

  describe.each(index.files.map((e) => [e.file, e] as const))('%s', (file, entry) => {
    it('decodes with the recorded header, leaving no bytes over', () => {
      const frame = frameOf(file);
      const trailing = TRAILING_BYTES[file] ?? 0;
      expect(decodeRequestFrame(frame, lookupApi).trailingBytes).toBe(trailing);
      // librdkafka's extra bytes are an empty tag buffer; everything before them is the request.
      expect(frame.subarray(frame.length - trailing)).toEqual(Buffer.alloc(trailing));
      const { header, api } = decodeFile(file);
      expect(api.name).toBe(entry.api);
      expect(header).toMatchObject({ apiKey: entry.apiKey, apiVersion: entry.apiVersion, clientId: entry.clientId });
      expect(header.clientId).toBe(file.endsWith('-kcat.bin') ? KCAT : CLIENT);
      expect(header.correlationId).toBeGreaterThan(0);
      expect(header.taggedFields).toBeUndefined();
    });

    it('re-encodes to the identical bytes', () => {
      const { header, api, body } = decodeFile(file);
      const again = Buffer.concat(encodeRequestFrame(api, header, body));
      expect(again.readInt32BE(0)).toBe(again.length - 4);
      expect(again.subarray(4)).toEqual(bodyFrameOf(file));
    });
  });

  describe('Produce', () => {
    it.each(Object.keys(PARTITION_OF) as CompressionName[])('v7 %s: keys, null key, null value, headers, timestamps', async (codec) => {
      const body = request(`Produce-v7-${codec}.bin`, Produce);
      expect(body).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
      const batch = await singleBatch(producedRecords(body, TOPIC, PARTITION_OF[codec]), compressionRecords(codec));
      expect(batch).toMatchObject({ compression: codec, transactional: false, producerId: -1n, producerEpoch: -1, baseSequence: -1 });
      // librdkafka keeps a compressed batch only when it is smaller: check the codec really ran.
      if (codec !== 'none') {
        const plain = producedRecords(request('Produce-v7-none.bin', Produce), TOPIC, PARTITION_OF.none);
        expect(producedRecords(body, TOPIC, PARTITION_OF[codec]).length).toBeLessThan(plain.length);
      }
    });

    it('v7 idempotent: producer id and epoch from InitProducerId, sequence from 0', async () => {
      const body = request('Produce-v7-none-idempotent.bin', Produce);
      expect(body).toMatchObject({ transactionalId: null, acks: -1 });
      const sent = [0, 1, 2].map((i) => ({ key: `idem-${i}`, value: `idempotent value ${i}`, timestamp: T0 + 10000n + BigInt(i), headers: [] }));
      const batch = await singleBatch(producedRecords(body, TOPIC, 2), sent);
      expect(batch).toMatchObject({ compression: 'none', transactional: false, baseSequence: 0, ...IDEMPOTENT_PRODUCER });
    });

    it('v7 transactional: transactional id, transactional batch with the producer id and epoch', async () => {
      const body = request('Produce-v7-none-transactional.bin', Produce);
      expect(body).toMatchObject({ transactionalId: TXN_ID, acks: -1, timeoutMs: 30000 });
      const sent = [0, 1].map((i) => ({ key: `txn-${i}`, value: `committed value ${i}`, timestamp: T0 + 20000n + BigInt(i), headers: [] }));
      const batch = await singleBatch(producedRecords(body, TXN_TOPIC, 0), sent);
      expect(batch).toMatchObject({ compression: 'none', transactional: true, baseSequence: 0, ...TRANSACTIONAL_PRODUCER });
    });

    it('v7 from kcat -z lz4', async () => {
      const body = request('Produce-v7-lz4-kcat.bin', Produce, KCAT);
      expect(body).toMatchObject({ transactionalId: null, acks: -1 });
      const views = scanBatches(producedRecords(body, TOPIC, 0), { verifyCrc: true });
      expect(views).toHaveLength(1);
      const batch = await decodeRecordBatch(views[0] as (typeof views)[number]);
      expect(batch).toMatchObject({ compression: 'lz4', producerId: -1n, lastOffsetDelta: 0 });
      expect(batch.records).toHaveLength(1);
      expect(batch.records[0]).toMatchObject({
        key: Buffer.from('kcat-key'),
        value: Buffer.from('kcat value golden golden golden golden golden golden'),
        headers: [],
      });
      expect(batch.records[0]?.timestamp).toBeGreaterThan(1_600_000_000_000n); // kcat stamps wall-clock time
    });
  });

  describe('consumer', () => {
    it('Fetch v11: wait, sizes, read_committed, fetch offset 0, no session', () => {
      const body = request('Fetch-v11.bin', Fetch);
      expect(body).toMatchObject({
        replicaId: -1,
        maxWaitMs: 250,
        minBytes: 1,
        maxBytes: 5242880,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        forgottenTopicsData: [],
        rackId: '',
      });
      expect(body.topics.map((t) => t.topic)).toEqual([TOPIC]);
      const partitions = body.topics[0]?.partitions ?? [];
      expect(partitions.length).toBeGreaterThan(0);
      for (const p of partitions) {
        expect([0, 1, 2]).toContain(p.partition);
        expect(p).toMatchObject({ currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 262144 });
      }
    });

    it('ListOffsets v2: earliest, read_committed', () => {
      const body = request('ListOffsets-v2.bin', ListOffsets);
      expect(body).toMatchObject({ replicaId: -1, isolationLevel: 1 });
      expect(body.topics.map((t) => t.name)).toEqual([TOPIC]);
      for (const p of body.topics[0]?.partitions ?? []) {
        expect([0, 1, 2]).toContain(p.partitionIndex);
        expect(p.timestamp).toBe(-2n);
      }
    });

    it('Metadata v4: the topic asked for, auto-creation allowed (producer)', () => {
      expect(request('Metadata-v4.bin', Metadata)).toMatchObject({ topics: [{ name: TOPIC }], allowAutoTopicCreation: true });
    });

    it('Metadata v4 from kcat: brokers only (empty, not null, topic list)', () => {
      expect(request('Metadata-v4-kcat.bin', Metadata, KCAT)).toMatchObject({ topics: [], allowAutoTopicCreation: false });
    });

    it('FindCoordinator v2: the group', () => {
      expect(request('FindCoordinator-v2.bin', FindCoordinator)).toMatchObject({ key: GROUP, keyType: 0 });
    });

    it('JoinGroup v5: range and roundrobin subscriptions to the topic', () => {
      const body = request('JoinGroup-v5.bin', JoinGroup);
      expect(body).toMatchObject({
        groupId: GROUP,
        sessionTimeoutMs: 6000,
        rebalanceTimeoutMs: 300000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
      });
      expect(body.protocols.map((p) => p.name)).toEqual(['range', 'roundrobin']);
      for (const p of body.protocols) {
        expect(decodeSubscription(p.metadata)).toEqual({ version: 1, topics: [TOPIC], userData: Buffer.alloc(0), ownedPartitions: [] });
      }
    });

    it('SyncGroup v3: the leader assigns all three partitions to itself', () => {
      const body = request('SyncGroup-v3.bin', SyncGroup);
      expect(body).toMatchObject({ groupId: GROUP, generationId: 1, memberId: MEMBER, groupInstanceId: null });
      expect(body.assignments.map((a) => a.memberId)).toEqual([MEMBER]);
      expect(decodeAssignment(body.assignments[0]?.assignment ?? Buffer.alloc(0))).toEqual({
        version: 0,
        topics: [{ topic: TOPIC, partitions: [0, 1, 2] }],
        userData: Buffer.alloc(0),
      });
    });

    it('Heartbeat v3', () => {
      expect(request('Heartbeat-v3.bin', Heartbeat)).toMatchObject({ groupId: GROUP, generationId: 1, memberId: MEMBER, groupInstanceId: null });
    });

    it('OffsetFetch v7: the assigned partitions, require_stable', () => {
      expect(request('OffsetFetch-v7.bin', OffsetFetch)).toMatchObject({
        groupId: GROUP,
        topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2] }],
        requireStable: true,
      });
    });

    it('OffsetCommit v7: six records consumed from every partition', () => {
      const body = request('OffsetCommit-v7.bin', OffsetCommit);
      expect(body).toMatchObject({ groupId: GROUP, generationIdOrMemberEpoch: 1, memberId: MEMBER, groupInstanceId: null });
      expect(body.topics).toEqual([
        {
          name: TOPIC,
          partitions: [0, 1, 2].map((partitionIndex) => ({
            partitionIndex,
            committedOffset: 6n,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: '',
          })),
        },
      ]);
    });

    it('LeaveGroup v1', () => {
      expect(request('LeaveGroup-v1.bin', LeaveGroup)).toMatchObject({ groupId: GROUP, memberId: MEMBER });
    });
  });

  describe('transactions', () => {
    it('InitProducerId v4: idempotent (no transactional id)', () => {
      expect(request('InitProducerId-v4.bin', InitProducerId)).toMatchObject({
        transactionalId: null,
        transactionTimeoutMs: -1,
        producerId: -1n,
        producerEpoch: -1,
      });
    });

    it('InitProducerId v4: transactional', () => {
      expect(request('InitProducerId-v4-transactional.bin', InitProducerId)).toMatchObject({
        transactionalId: TXN_ID,
        transactionTimeoutMs: 30000,
        producerId: -1n,
        producerEpoch: -1,
      });
    });

    it('FindCoordinator v2: the transaction coordinator', () => {
      expect(request('FindCoordinator-v2-transaction.bin', FindCoordinator)).toMatchObject({ key: TXN_ID, keyType: 1 });
    });

    it('AddPartitionsToTxn v0', () => {
      expect(request('AddPartitionsToTxn-v0.bin', AddPartitionsToTxn)).toMatchObject({
        v3AndBelowTransactionalId: TXN_ID,
        v3AndBelowProducerId: TRANSACTIONAL_PRODUCER.producerId,
        v3AndBelowProducerEpoch: TRANSACTIONAL_PRODUCER.producerEpoch,
        v3AndBelowTopics: [{ name: TXN_TOPIC, partitions: [0] }],
      });
    });

    it('AddOffsetsToTxn v0', () => {
      expect(request('AddOffsetsToTxn-v0.bin', AddOffsetsToTxn)).toMatchObject({ transactionalId: TXN_ID, groupId: GROUP, ...TRANSACTIONAL_PRODUCER });
    });

    it('TxnOffsetCommit v3: the consumer group metadata and the offsets sent', () => {
      expect(request('TxnOffsetCommit-v3.bin', TxnOffsetCommit)).toMatchObject({
        transactionalId: TXN_ID,
        groupId: GROUP,
        ...TRANSACTIONAL_PRODUCER,
        generationId: 1,
        memberId: MEMBER,
        groupInstanceId: null,
        topics: [
          {
            name: TOPIC,
            partitions: [
              { partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, committedMetadata: '' },
              { partitionIndex: 1, committedOffset: 4n, committedLeaderEpoch: -1, committedMetadata: '' },
            ],
          },
        ],
      });
    });

    it('EndTxn v1: commit, then abort', () => {
      expect(request('EndTxn-v1.bin', EndTxn)).toMatchObject({ transactionalId: TXN_ID, ...TRANSACTIONAL_PRODUCER, committed: true });
      expect(request('EndTxn-v1-abort.bin', EndTxn)).toMatchObject({ transactionalId: TXN_ID, ...TRANSACTIONAL_PRODUCER, committed: false });
    });
  });

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

  describe('connection setup', () => {
    it('ApiVersions v3: client software name and version', () => {
      expect(request('ApiVersions-v3.bin', ApiVersions)).toEqual({
        clientSoftwareName: 'confluent-kafka-python',
        clientSoftwareVersion: `${index.confluentKafkaPython}-rdkafka-${index.librdkafka}`,
      });
      expect(request('ApiVersions-v3-kcat.bin', ApiVersions, KCAT)).toEqual({
        clientSoftwareName: 'librdkafka',
        clientSoftwareVersion: index.librdkafka,
      });
    });

    it('SaslHandshake v1: PLAIN', () => {
      expect(request('SaslHandshake-v1.bin', SaslHandshake)).toEqual({ mechanism: 'PLAIN' });
    });

    it('SaslAuthenticate v0: PLAIN token (authzid, user, password)', () => {
      const body = request('SaslAuthenticate-v0.bin', SaslAuthenticate);
      expect(body.authBytes).toEqual(Buffer.from('\0golden\0golden-secret', 'utf8'));
    });
  });
});
