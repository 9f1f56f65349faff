import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CreateAcls } from '../../src/apis/create-acls.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
}
type EncodeFrame = (a: { correlationId: number; clientId: string; request: KafkajsRequest }) => Promise<{ buffer: Buffer }>;
interface KafkajsCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType?: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}
interface KafkajsApi {
  protocol: (o: { version: number }) => (args: { creations: KafkajsCreation[] }) => { request: KafkajsRequest };
}
interface KafkajsResponse {
  decode: (buffer: Buffer) => Promise<unknown>;
}

const encodeFrame = require('kafkajs/src/protocol/request') as EncodeFrame;
const kafkajs = require('kafkajs/src/protocol/requests/createAcls/index.js') as KafkajsApi;
const kafkajsResponse = (v: number): KafkajsResponse =>
  require(`kafkajs/src/protocol/requests/createAcls/v${v}/response`) as KafkajsResponse;

async function goldenFrame(version: number, creations: KafkajsCreation[]): Promise<Buffer> {
  const { request } = kafkajs.protocol({ version })({ creations });
  return (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer.subarray(4);
}

const lookup = (k: number) => (k === CreateAcls.apiKey ? CreateAcls : undefined);

describe('CreateAcls', () => {
  it.each([0, 1])('decodes kafkajs v%i requests', async (version) => {
    const frame = await goldenFrame(version, [
      {
        resourceType: 2,
        resourceName: 'orders',
        ...(version >= 1 ? { resourcePatternType: 4 } : {}),
        principal: 'User:alice',
        host: '*',
        operation: 3,
        permissionType: 3,
      },
      { resourceType: 3, resourceName: 'g', resourcePatternType: 3, principal: 'User:bob', host: '10.0.0.1', operation: 2, permissionType: 2 },
    ]);
    const { header, body } = decodeRequestFrame(frame, lookup);
    expect(header).toEqual({ apiKey: 30, apiVersion: version, correlationId: 7, clientId: 'golden' });
    expect(body).toEqual({
      creations: [
        {
          resourceType: 2,
          resourceName: 'orders',
          // v0 has no pattern type: Kafka's default, LITERAL (3)
          resourcePatternType: version >= 1 ? 4 : 3,
          principal: 'User:alice',
          host: '*',
          operation: 3,
          permissionType: 3,
        },
        { resourceType: 3, resourceName: 'g', resourcePatternType: 3, principal: 'User:bob', host: '10.0.0.1', operation: 2, permissionType: 2 },
      ],
    });
  });

  it.each([0, 1])('encodes v%i responses kafkajs reads back', async (version) => {
    const results = [
      { errorCode: 0, errorMessage: null },
      { errorCode: 29, errorMessage: 'not authorized' },
    ];
    const w = new Writer();
    CreateAcls.encodeResponse(w, version, { throttleTimeMs: 6, results });
    const decoded = await kafkajsResponse(version).decode(w.toBuffer());
    const throttle = version === 0 ? { throttleTime: 6 } : { throttleTime: 0, clientSideThrottleTime: 6 };
    expect(decoded).toEqual({ ...throttle, creationResponses: results });
  });

  it('encodes v3 exactly as the spec lays it out', () => {
    const body = {
      creations: [{ resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'U', host: '*', operation: 4, permissionType: 3 }],
    };
    const w = new Writer();
    CreateAcls.encodeRequest(w, 3, body);
    const expected = Buffer.from([
      0x02, // creations: compact array of 1
      0x02, //   resourceType
      0x02, 0x74, //   resourceName "t"
      0x03, //   resourcePatternType LITERAL
      0x02, 0x55, //   principal "U"
      0x02, 0x2a, //   host "*"
      0x04, //   operation
      0x03, //   permissionType
      0x00, //   creation tagged fields
      0x00, // top-level tagged fields
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(CreateAcls.decodeRequest(new Reader(expected), 3)).toEqual(body);
  });
});
