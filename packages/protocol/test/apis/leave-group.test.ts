import { describe, expect, it } from 'vitest';
import { LeaveGroup } from '../../src/apis/leave-group.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('leaveGroup');

describe('LeaveGroup', () => {
  it.each([0, 1, 2])('decodes kafkajs v%i requests (single member)', async (version) => {
    const frame = await kafkajs.goldenRequest(version, { groupId: 'consumers', memberId: 'member-1' });
    const { header, body } = decodeRequestFrame(frame, only(LeaveGroup));
    expect(header).toEqual({ apiKey: 13, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({ groupId: 'consumers', memberId: 'member-1', members: [] });
  });

  it.each([
    ['instance-b', 'instance-b'],
    [undefined, null],
  ])('decodes kafkajs v3 requests (member batch, instance id %s)', async (groupInstanceId, expected) => {
    // kafkajs's v3 builder wraps the single member into a one-entry batch.
    const frame = await kafkajs.goldenRequest(3, { groupId: 'consumers', memberId: 'member-2', groupInstanceId });
    const { header, body } = decodeRequestFrame(frame, only(LeaveGroup));
    expect(header).toEqual({ apiKey: 13, apiVersion: 3, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      groupId: 'consumers',
      memberId: '',
      members: [{ memberId: 'member-2', groupInstanceId: expected, reason: null }],
    });
  });

  it.each([0, 1, 2])('kafkajs decodes our v%i responses', async (version) => {
    const bytes = responseBody(LeaveGroup, version, { throttleTimeMs: 15, errorCode: 25 });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    if (version === 0) expect(decoded).toEqual({ errorCode: 25 });
    else if (version === 1) expect(decoded).toEqual({ errorCode: 25, throttleTime: 15 });
    else expect(decoded).toEqual({ errorCode: 25, throttleTime: 0, clientSideThrottleTime: 15 });
  });

  it('kafkajs decodes our v3 responses', async () => {
    const bytes = responseBody(LeaveGroup, 3, {
      throttleTimeMs: 15,
      errorCode: 0,
      members: [
        { memberId: 'member-1', groupInstanceId: null, errorCode: 0 },
        { memberId: '', groupInstanceId: 'instance-b', errorCode: 25 },
      ],
    });
    expect(await kafkajs.decodeResponse(3, bytes)).toEqual({
      throttleTime: 0,
      clientSideThrottleTime: 15,
      errorCode: 0,
      members: [
        { memberId: 'member-1', groupInstanceId: null, errorCode: 0 },
        { memberId: '', groupInstanceId: 'instance-b', errorCode: 25 },
      ],
    });
  });

  it('rejects a single member id at v3+ and carries the v5 reason', () => {
    expect(() => LeaveGroup.encodeRequest(new Writer(), 3, { groupId: 'g', memberId: 'm' })).toThrow();
    const w = new Writer();
    LeaveGroup.encodeRequest(w, 5, { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null, reason: 'shutdown' }] });
    expect(LeaveGroup.decodeRequest(new Reader(w.toBuffer()), 5).members).toEqual([
      { memberId: 'm', groupInstanceId: null, reason: 'shutdown' },
    ]);
  });
});
