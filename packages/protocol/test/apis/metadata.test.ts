import { describe, expect, it } from 'vitest';
import { Metadata, type MetadataRequest } from '../../src/apis/metadata.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, requestFrame, responseBody } from '../support/kafkajs.js';

// kafkajs is an independent implementation: its encoders give golden request bytes and its
// decoders check our responses.
const kafkajs = kafkajsApi('metadata');

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

describe('Metadata', () => {
  it('covers every kafkajs version', () => {
    expect(kafkajs.versions).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Metadata.validVersions).toBe('0-12');
  });

  describe.each(kafkajs.versions)('kafkajs v%i', (version) => {
    it('decodes the request kafkajs encodes', async () => {
      const frame = await kafkajs.goldenRequest(version, { topics: ['orders', 'audit'], allowAutoTopicCreation: false });
      const { header, body } = decodeRequestFrame(frame, only(Metadata));
      expect(header).toEqual({ apiKey: 3, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
      const req = body as MetadataRequest;
      expect(req).toEqual({
        topics: [
          { topicId: ZERO_UUID, name: 'orders' },
          { topicId: ZERO_UUID, name: 'audit' },
        ],
        allowAutoTopicCreation: version >= 4 ? false : true,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      expect(requestFrame(Metadata, version, req)).toEqual(frame);
    });

    it('decodes an empty topic list as kafkajs sends it', async () => {
      // kafkajs writes [] as a null array from v1 ("all topics" in Kafka's terms); v0 has no null.
      const frame = await kafkajs.goldenRequest(version, { topics: [] });
      const req = decodeRequestFrame(frame, only(Metadata)).body as MetadataRequest;
      expect(req.topics).toEqual(version === 0 ? [] : null);
    });

    it('encodes a response kafkajs decodes', async () => {
      const bytes = responseBody(Metadata, version, {
        throttleTimeMs: 9,
        brokers: [
          { nodeId: 1, host: 'b1', port: 9092, rack: 'r1' },
          { nodeId: 2, host: 'b2', port: 9093, rack: null },
        ],
        clusterId: 'cluster-x',
        controllerId: 1,
        topics: [
          {
            errorCode: 0,
            name: 'orders',
            isInternal: false,
            partitions: [
              {
                errorCode: 0,
                partitionIndex: 0,
                leaderId: 1,
                leaderEpoch: 5,
                replicaNodes: [1, 2],
                isrNodes: [1],
                offlineReplicas: [2],
              },
            ],
          },
          { errorCode: 0, name: '__consumer_offsets', isInternal: true, partitions: [] },
        ],
      });
      const decoded = await kafkajs.decodeResponse(version, bytes);

      const brokers = [
        { nodeId: 1, host: 'b1', port: 9092, rack: 'r1' },
        { nodeId: 2, host: 'b2', port: 9093, rack: null },
      ].map(({ rack, ...b }) => (version >= 1 ? { ...b, rack } : b));
      const partition = { partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1, 2], isr: [1] };
      const topicMetadata = [
        { topicErrorCode: 0, topic: 'orders', isInternal: false, partitionMetadata: [version >= 5 ? { ...partition, offlineReplicas: [2] } : partition] },
        { topicErrorCode: 0, topic: '__consumer_offsets', isInternal: true, partitionMetadata: [] },
      ].map(({ isInternal, ...t }) => (version >= 1 ? { ...t, isInternal } : t));
      let expected: Record<string, unknown> = { brokers, topicMetadata };
      if (version >= 1) expected = { ...expected, controllerId: 1 };
      if (version >= 2) expected = { ...expected, clusterId: 'cluster-x' };
      if (version >= 3) expected = { ...expected, throttleTime: 9 };
      if (version >= 6) expected = { ...expected, throttleTime: 0, clientSideThrottleTime: 9 };
      expect(decoded).toEqual(expected);
    });
  });

  it('carries topic ids and null names in the newest versions', () => {
    const id = '7d9f3c2a-1b4e-4f60-8a2b-c3d4e5f60718';
    const w = new Writer();
    Metadata.encodeRequest(w, 12, { topics: [{ topicId: id, name: null }], includeTopicAuthorizedOperations: true });
    const req = Metadata.decodeRequest(new Reader(w.toBuffer()), 12);
    expect(req).toEqual({
      topics: [{ topicId: id, name: null }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: true,
    });
    // A name may be null only from v10 in requests (and v12 in responses).
    expect(() => Metadata.encodeRequest(new Writer(), 9, { topics: [{ name: null }] })).toThrow();

    const rw = new Writer();
    Metadata.encodeResponse(rw, 12, {
      brokers: [],
      topics: [{ errorCode: 100, name: null, topicId: id, partitions: [] }],
    });
    const res = Metadata.decodeResponse(new Reader(rw.toBuffer()), 12);
    expect(res.topics).toEqual([
      { errorCode: 100, name: null, topicId: id, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 },
    ]);
    expect(res).toMatchObject({ clusterId: null, controllerId: -1, clusterAuthorizedOperations: -2147483648 });
  });
});
