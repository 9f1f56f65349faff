import { describe, expect, it } from 'vitest';
import { FindCoordinator, type FindCoordinatorRequest } from '../../src/apis/find-coordinator.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, requestFrame, responseBody } from '../support/kafkajs.js';

// kafkajs is an independent implementation: its encoders give golden request bytes and its
// decoders check our responses. It only has v0-v2; v4+ (batched keys) is checked against bytes
// written out from the spec.
const kafkajs = kafkajsApi('findCoordinator');

describe('FindCoordinator', () => {
  it('covers every kafkajs version', () => {
    expect(kafkajs.versions).toEqual([0, 1, 2]);
    expect(FindCoordinator.validVersions).toBe('0-6');
  });

  describe.each(kafkajs.versions)('kafkajs v%i', (version) => {
    it('decodes the request kafkajs encodes', async () => {
      const frame = await kafkajs.goldenRequest(version, { groupId: 'group-1', coordinatorType: 1 });
      const { header, body } = decodeRequestFrame(frame, only(FindCoordinator));
      expect(header).toEqual({ apiKey: 10, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
      const req = body as FindCoordinatorRequest;
      expect(req).toEqual({ key: 'group-1', keyType: version >= 1 ? 1 : 0, coordinatorKeys: [] });
      expect(requestFrame(FindCoordinator, version, req)).toEqual(frame);
    });

    it('encodes a response kafkajs decodes', async () => {
      const bytes = responseBody(FindCoordinator, version, {
        throttleTimeMs: 3,
        errorCode: 0,
        errorMessage: null,
        nodeId: 2,
        host: 'broker-2.local',
        port: 9093,
      });
      const decoded = await kafkajs.decodeResponse(version, bytes);
      const coordinator = { nodeId: 2, host: 'broker-2.local', port: 9093 };
      const expected =
        version === 0
          ? { errorCode: 0, coordinator }
          : { throttleTime: version === 1 ? 3 : 0, errorCode: 0, errorMessage: null, coordinator };
      expect(decoded).toEqual(version === 2 ? { ...expected, clientSideThrottleTime: 3 } : expected);
    });
  });

  it('matches spec bytes for a batched v6 request with a tagged field', () => {
    // prettier-ignore
    const expected = Buffer.from([
      0x01,                               // key_type: 1 (transaction)
      0x03,                               // coordinator_keys: compact array, 2 entries
      0x04, 0x74, 0x2d, 0x61,             //   "t-a" (compact string: length + 1, then UTF-8)
      0x02, 0x62,                         //   "b"
      0x01,                               // tagged fields: 1
      0x07, 0x02, 0xca, 0xfe,             //   tag 7, 2 bytes
    ]);
    const body = { keyType: 1, coordinatorKeys: ['t-a', 'b'], _unknownTaggedFields: [{ tag: 7, data: Buffer.from([0xca, 0xfe]) }] };
    const w = new Writer();
    FindCoordinator.encodeRequest(w, 6, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(FindCoordinator.decodeRequest(new Reader(expected), 6)).toEqual({ key: '', ...body });
  });

  it('matches spec bytes for a v4 response with one coordinator per key', () => {
    // prettier-ignore
    const expected = Buffer.from([
      0x00, 0x00, 0x00, 0x00,             // throttle_time_ms: 0
      0x02,                               // coordinators: compact array, 1 entry
      0x02, 0x67,                         //   key: "g"
      0x00, 0x00, 0x00, 0x01,             //   node_id: 1
      0x03, 0x68, 0x31,                   //   host: "h1"
      0x00, 0x00, 0x23, 0x84,             //   port: 9092
      0x00, 0x00,                         //   error_code: 0
      0x00,                               //   error_message: null
      0x00,                               //   (coordinator) tagged fields: 0
      0x00,                               // tagged fields: 0
    ]);
    const body = {
      throttleTimeMs: 0,
      coordinators: [{ key: 'g', nodeId: 1, host: 'h1', port: 9092, errorCode: 0, errorMessage: null }],
    };
    const w = new Writer();
    FindCoordinator.encodeResponse(w, 4, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(FindCoordinator.decodeResponse(new Reader(expected), 4)).toMatchObject({ ...body, errorCode: 0, host: '' });
  });
});
