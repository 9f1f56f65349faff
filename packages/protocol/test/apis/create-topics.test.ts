import { describe, expect, it } from 'vitest';
import { CreateTopics, type CreateTopicsRequest } from '../../src/apis/create-topics.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('createTopics');

const KJS_VERSIONS = [0, 1, 2, 3];

describe('CreateTopics', () => {
  it.each(KJS_VERSIONS)('decodes kafkajs v%i request bytes', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      topics: [
        {
          topic: 'orders',
          numPartitions: 3,
          replicationFactor: 2,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: null },
          ],
        },
        {
          topic: 'manual',
          replicaAssignment: [
            { partition: 0, replicas: [1, 2] },
            { partition: 1, replicas: [2, 3] },
          ],
        },
      ],
      timeout: 1234,
      validateOnly: true,
    });
    const { header, body } = decodeRequestFrame(frame, only(CreateTopics));
    expect(header).toEqual({ apiKey: 19, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body as CreateTopicsRequest).toEqual({
      topics: [
        {
          name: 'orders',
          numPartitions: 3,
          replicationFactor: 2,
          assignments: [],
          configs: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: null },
          ],
        },
        {
          name: 'manual',
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [
            { partitionIndex: 0, brokerIds: [1, 2] },
            { partitionIndex: 1, brokerIds: [2, 3] },
          ],
          configs: [],
        },
      ],
      timeoutMs: 1234,
      // v0 has no validateOnly; Kafka's default applies.
      validateOnly: version >= 1,
    });
  });

  it.each(KJS_VERSIONS)('encodes a v%i response kafkajs can read', async (version) => {
    const bytes = responseBody(CreateTopics, version, {
      throttleTimeMs: 50,
      topics: [
        { name: 'b', errorCode: 36, errorMessage: 'Topic already exists' },
        { name: 'a', errorCode: 0, errorMessage: null },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    // kafkajs sorts topics by name.
    const topicErrors =
      version === 0
        ? [
            { topic: 'a', errorCode: 0 },
            { topic: 'b', errorCode: 36 },
          ]
        : [
            { topic: 'a', errorCode: 0, errorMessage: null },
            { topic: 'b', errorCode: 36, errorMessage: 'Topic already exists' },
          ];
    if (version < 2) expect(decoded).toEqual({ topicErrors });
    else if (version === 2) expect(decoded).toEqual({ throttleTime: 50, topicErrors });
    else expect(decoded).toEqual({ throttleTime: 0, clientSideThrottleTime: 50, topicErrors });
  });

  it('encodes a v7 response with topic id, null configs and the tagged config error code', () => {
    const body = {
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          topicId: '01020304-0506-0708-090a-0b0c0d0e0f10',
          errorCode: 0,
          errorMessage: null,
          topicConfigErrorCode: 5,
          numPartitions: 1,
          replicationFactor: 1,
          configs: null,
        },
      ],
    };
    const expected = Buffer.from([
      0, 0, 0, 0, // throttleTimeMs
      2, // topics: compact length 1
      2, 0x74, // name "t"
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, // topicId
      0, 0, // errorCode
      0, // errorMessage null
      0, 0, 0, 1, // numPartitions
      0, 1, // replicationFactor
      0, // configs null
      1, 0, 2, 0, 5, // topic tagged fields: tag 0 (topicConfigErrorCode), size 2, value 5
      0, // top-level tagged fields
    ]);
    const w = new Writer();
    CreateTopics.encodeResponse(w, 7, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(CreateTopics.decodeResponse(new Reader(expected), 7)).toEqual(body);
  });
});
