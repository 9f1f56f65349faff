import { describe, expect, it } from 'vitest';
import { DescribeAcls } from '../../src/apis/describe-acls.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('describeAcls');

describe('DescribeAcls', () => {
  it('decodes a kafkajs v0 request, pattern type defaulting to LITERAL', async () => {
    const frame = await kafkajs.goldenRequest(0, {
      resourceType: 2,
      resourceName: 'orders',
      principal: null,
      host: null,
      operation: 3,
      permissionType: 1,
    });
    const { header, body } = decodeRequestFrame(frame, only(DescribeAcls));
    expect(header).toEqual({ apiKey: 29, apiVersion: 0, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      resourceTypeFilter: 2,
      resourceNameFilter: 'orders',
      patternTypeFilter: 3,
      principalFilter: null,
      hostFilter: null,
      operation: 3,
      permissionType: 1,
    });
  });

  it('decodes a kafkajs v1 request', async () => {
    const frame = await kafkajs.goldenRequest(1, {
      resourceType: 1,
      resourceName: null,
      resourcePatternType: 1,
      principal: 'User:alice',
      host: '*',
      operation: 1,
      permissionType: 3,
    });
    const { header, body } = decodeRequestFrame(frame, only(DescribeAcls));
    expect(header).toEqual({ apiKey: 29, apiVersion: 1, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      resourceTypeFilter: 1,
      resourceNameFilter: null,
      patternTypeFilter: 1,
      principalFilter: 'User:alice',
      hostFilter: '*',
      operation: 1,
      permissionType: 3,
    });
  });

  it.each([0, 1])('encodes v%i responses kafkajs reads back', async (version) => {
    const acls = [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }];
    const bytes = responseBody(DescribeAcls, version, {
      throttleTimeMs: 4,
      errorCode: 0,
      errorMessage: null,
      resources: [{ resourceType: 2, resourceName: 'orders', ...(version >= 1 ? { patternType: 4 } : {}), acls }],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const throttle = version === 0 ? { throttleTime: 4 } : { throttleTime: 0, clientSideThrottleTime: 4 };
    expect(decoded).toEqual({
      ...throttle,
      errorCode: 0,
      errorMessage: null,
      resources: [{ resourceType: 2, resourceName: 'orders', ...(version >= 1 ? { resourcePatternType: 4 } : {}), acls }],
    });
  });

  it('encodes v3 exactly as the spec lays it out', () => {
    const body = {
      resourceTypeFilter: 2,
      resourceNameFilter: 't',
      patternTypeFilter: 1,
      principalFilter: null,
      hostFilter: '*',
      operation: 2,
      permissionType: 3,
    };
    const w = new Writer();
    DescribeAcls.encodeRequest(w, 3, body);
    const expected = Buffer.from([
      0x02, // resourceTypeFilter
      0x02, 0x74, // resourceNameFilter "t"
      0x01, // patternTypeFilter ANY
      0x00, // principalFilter: null
      0x02, 0x2a, // hostFilter "*"
      0x02, // operation
      0x03, // permissionType
      0x00, // tagged fields: none
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(DescribeAcls.decodeRequest(new Reader(expected), 3)).toEqual(body);
  });
});
