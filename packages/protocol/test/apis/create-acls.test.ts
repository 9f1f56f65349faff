import { describe, expect, it } from 'vitest';
import { CreateAcls } from '../../src/apis/create-acls.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('createAcls');

describe('CreateAcls', () => {
  it.each([0, 1])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      creations: [
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
      ],
    });
    const { header, body } = decodeRequestFrame(frame, only(CreateAcls));
    expect(header).toEqual({ apiKey: 30, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
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
    const bytes = responseBody(CreateAcls, version, { throttleTimeMs: 6, results });
    const decoded = await kafkajs.decodeResponse(version, bytes);
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
