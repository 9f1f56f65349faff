import { describe, expect, it } from 'vitest';
import { CreatePartitions, type CreatePartitionsRequest } from '../../src/apis/create-partitions.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('createPartitions');

const KJS_VERSIONS = [0, 1];

describe('CreatePartitions', () => {
  it.each(KJS_VERSIONS)('decodes kafkajs v%i request bytes', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      topicPartitions: [
        { topic: 'orders', count: 5, assignments: [[1, 2], [2, 3]] },
        // kafkajs writes an empty assignment list as null.
        { topic: 'payments', count: 2 },
      ],
      timeout: 3000,
      validateOnly: true,
    });
    const { header, body } = decodeRequestFrame(frame, only(CreatePartitions));
    expect(header).toEqual({ apiKey: 37, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body as CreatePartitionsRequest).toEqual({
      topics: [
        { name: 'orders', count: 5, assignments: [{ brokerIds: [1, 2] }, { brokerIds: [2, 3] }] },
        { name: 'payments', count: 2, assignments: null },
      ],
      timeoutMs: 3000,
      validateOnly: true,
    });
  });

  it.each(KJS_VERSIONS)('encodes a v%i response kafkajs can read', async (version) => {
    const bytes = responseBody(CreatePartitions, version, {
      throttleTimeMs: 10,
      results: [
        { name: 'payments', errorCode: 37, errorMessage: 'Number of partitions is invalid' },
        { name: 'orders', errorCode: 0, errorMessage: null },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const topicErrors = [
      { topic: 'orders', errorCode: 0, errorMessage: null },
      { topic: 'payments', errorCode: 37, errorMessage: 'Number of partitions is invalid' },
    ];
    if (version === 0) expect(decoded).toEqual({ throttleTime: 10, topicErrors });
    else expect(decoded).toEqual({ throttleTime: 0, clientSideThrottleTime: 10, topicErrors });
  });

  it('v3 request: compact encoding with a null assignment list', () => {
    const body = {
      topics: [
        { name: 't', count: 3, assignments: null },
        { name: 'u', count: 2, assignments: [{ brokerIds: [7] }] },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    };
    const expected = Buffer.from([
      3, // topics: compact length 2
      2, 0x74, // name "t"
      0, 0, 0, 3, // count
      0, // assignments null
      0, // tagged fields
      2, 0x75, // name "u"
      0, 0, 0, 2, // count
      2, // assignments: compact length 1
      2, 0, 0, 0, 7, // brokerIds [7]
      0, // assignment tagged fields
      0, // topic tagged fields
      0, 0, 0x03, 0xe8, // timeoutMs
      0, // validateOnly
      0, // tagged fields
    ]);
    const w = new Writer();
    CreatePartitions.encodeRequest(w, 3, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(CreatePartitions.decodeRequest(new Reader(expected), 3)).toEqual(body);
  });
});
