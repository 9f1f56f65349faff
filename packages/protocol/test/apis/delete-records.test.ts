import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DeleteRecords, type DeleteRecordsRequest } from '../../src/apis/delete-records.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('deleteRecords');

const require = createRequire(import.meta.url);
// kafkajs's DeleteRecords response modules are factories taking the requested topics, not modules
// with a decode of their own, so kafkajs.decodeResponse cannot read them.
type KjsDecode = (buffer: Buffer) => Promise<unknown>;
const kjsDecoder = (v: number): KjsDecode =>
  (
    require(`kafkajs/src/protocol/requests/deleteRecords/v${v}/response`) as (o: { topics: unknown[] }) => {
      decode: KjsDecode;
    }
  )({ topics: [] }).decode;

const KJS_VERSIONS = [0, 1];

describe('DeleteRecords', () => {
  it.each(KJS_VERSIONS)('decodes kafkajs v%i request bytes', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      topics: [
        {
          topic: 'orders',
          partitions: [
            { partition: 0, offset: '100' },
            { partition: 1, offset: '-1' },
          ],
        },
      ],
      timeout: 2000,
    });
    const { header, body } = decodeRequestFrame(frame, only(DeleteRecords));
    expect(header).toEqual({ apiKey: 21, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body as DeleteRecordsRequest).toEqual({
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, offset: 100n },
            { partitionIndex: 1, offset: -1n },
          ],
        },
      ],
      timeoutMs: 2000,
    });
  });

  it.each(KJS_VERSIONS)('encodes a v%i response kafkajs can read', async (version) => {
    const bytes = responseBody(DeleteRecords, version, {
      throttleTimeMs: 3,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, lowWatermark: 100n, errorCode: 0 },
            { partitionIndex: 1, lowWatermark: -1n, errorCode: 1 },
          ],
        },
      ],
    });
    const decoded = await kjsDecoder(version)(bytes);
    const topics = [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, lowWatermark: 100n, errorCode: 0 },
          { partition: 1, lowWatermark: -1n, errorCode: 1 },
        ],
      },
    ];
    if (version === 0) expect(decoded).toEqual({ throttleTime: 3, topics });
    else expect(decoded).toEqual({ throttleTime: 0, clientSideThrottleTime: 3, topics });
  });

  it('v2 request: compact encoding', () => {
    const body = { topics: [{ name: 't', partitions: [{ partitionIndex: 2, offset: 258n }] }], timeoutMs: 5 };
    const expected = Buffer.from([
      2, // topics: compact length 1
      2, 0x74, // name "t"
      2, // partitions: compact length 1
      0, 0, 0, 2, // partitionIndex
      0, 0, 0, 0, 0, 0, 1, 2, // offset 258
      0, // partition tagged fields
      0, // topic tagged fields
      0, 0, 0, 5, // timeoutMs
      0, // tagged fields
    ]);
    const w = new Writer();
    DeleteRecords.encodeRequest(w, 2, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(DeleteRecords.decodeRequest(new Reader(expected), 2)).toEqual(body);
  });
});
