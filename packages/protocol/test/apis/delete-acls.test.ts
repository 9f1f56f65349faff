import { describe, expect, it } from 'vitest';
import { DeleteAcls } from '../../src/apis/delete-acls.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('deleteAcls');

describe('DeleteAcls', () => {
  it.each([0, 1])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      filters: [
        {
          resourceType: 2,
          resourceName: null,
          ...(version >= 1 ? { resourcePatternType: 1 } : {}),
          principal: 'User:alice',
          host: null,
          operation: 1,
          permissionType: 1,
        },
      ],
    });
    const { header, body } = decodeRequestFrame(frame, only(DeleteAcls));
    expect(header).toEqual({ apiKey: 31, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      filters: [
        {
          resourceTypeFilter: 2,
          resourceNameFilter: null,
          // v0 has no pattern type: Kafka's default, LITERAL (3)
          patternTypeFilter: version >= 1 ? 1 : 3,
          principalFilter: 'User:alice',
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        },
      ],
    });
  });

  it.each([0, 1])('encodes v%i responses kafkajs reads back', async (version) => {
    const acl = { resourceType: 2, resourceName: 'orders', principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };
    const bytes = responseBody(DeleteAcls, version, {
      throttleTimeMs: 9,
      filterResults: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [{ errorCode: 0, errorMessage: null, ...acl, ...(version >= 1 ? { patternType: 4 } : {}) }],
        },
        { errorCode: 0, errorMessage: null, matchingAcls: [] },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const throttle = version === 0 ? { throttleTime: 9 } : { throttleTime: 0, clientSideThrottleTime: 9 };
    expect(decoded).toEqual({
      ...throttle,
      filterResponses: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [{ errorCode: 0, errorMessage: null, ...acl, ...(version >= 1 ? { resourcePatternType: 4 } : {}) }],
        },
        { errorCode: 0, errorMessage: null, matchingAcls: [] },
      ],
    });
  });

  it('encodes v3 exactly as the spec lays it out', () => {
    const body = {
      filters: [
        {
          resourceTypeFilter: 1,
          resourceNameFilter: null,
          patternTypeFilter: 1,
          principalFilter: null,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        },
      ],
    };
    const w = new Writer();
    DeleteAcls.encodeRequest(w, 3, body);
    const expected = Buffer.from([
      0x02, // filters: compact array of 1
      0x01, //   resourceTypeFilter ANY
      0x00, //   resourceNameFilter: null
      0x01, //   patternTypeFilter ANY
      0x00, //   principalFilter: null
      0x00, //   hostFilter: null
      0x01, //   operation ANY
      0x01, //   permissionType ANY
      0x00, //   filter tagged fields
      0x00, // top-level tagged fields
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(DeleteAcls.decodeRequest(new Reader(expected), 3)).toEqual(body);
  });
});
