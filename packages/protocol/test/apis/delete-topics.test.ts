import { describe, expect, it } from 'vitest';
import { DeleteTopics, type DeleteTopicsRequest } from '../../src/apis/delete-topics.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('deleteTopics');

const KJS_VERSIONS = [0, 1];

describe('DeleteTopics', () => {
  it.each(KJS_VERSIONS)('decodes kafkajs v%i request bytes', async (version) => {
    const frame = await kafkajs.goldenRequest(version, { topics: ['orders', 'payments'], timeout: 1500 });
    const { header, body } = decodeRequestFrame(frame, only(DeleteTopics));
    expect(header).toEqual({ apiKey: 20, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body as DeleteTopicsRequest).toEqual({ topics: [], topicNames: ['orders', 'payments'], timeoutMs: 1500 });
  });

  it.each(KJS_VERSIONS)('encodes a v%i response kafkajs can read', async (version) => {
    const bytes = responseBody(DeleteTopics, version, {
      throttleTimeMs: 20,
      responses: [
        { name: 'payments', errorCode: 3 },
        { name: 'orders', errorCode: 0 },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const topicErrors = [
      { topic: 'orders', errorCode: 0 },
      { topic: 'payments', errorCode: 3 },
    ];
    if (version === 0) expect(decoded).toEqual({ topicErrors });
    else expect(decoded).toEqual({ throttleTime: 0, clientSideThrottleTime: 20, topicErrors });
  });

  it('v6 request: topics by id (null name) or by name', () => {
    const body = {
      topics: [
        { name: null, topicId: '01020304-0506-0708-090a-0b0c0d0e0f10' },
        { name: 'x', topicId: '00000000-0000-0000-0000-000000000000' },
      ],
      topicNames: [],
      timeoutMs: 100,
    };
    const expected = Buffer.from([
      3, // topics: compact length 2
      0, // name null
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, // topicId
      0, // tagged fields
      2, 0x78, // name "x"
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // topicId (zero)
      0, // tagged fields
      0, 0, 0, 100, // timeoutMs
      0, // tagged fields
    ]);
    const w = new Writer();
    DeleteTopics.encodeRequest(w, 6, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(DeleteTopics.decodeRequest(new Reader(expected), 6)).toEqual(body);
  });

  it('v6 response: nullable name, topic id and error message', () => {
    const body = {
      throttleTimeMs: 1,
      responses: [{ name: null, topicId: '01020304-0506-0708-090a-0b0c0d0e0f10', errorCode: 100, errorMessage: 'no' }],
    };
    const expected = Buffer.from([
      0, 0, 0, 1, // throttleTimeMs
      2, // responses: compact length 1
      0, // name null
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, // topicId
      0, 100, // errorCode UNKNOWN_TOPIC_ID
      3, 0x6e, 0x6f, // errorMessage "no"
      0, // tagged fields
      0, // tagged fields
    ]);
    const w = new Writer();
    DeleteTopics.encodeResponse(w, 6, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(DeleteTopics.decodeResponse(new Reader(expected), 6)).toEqual(body);
  });
});
