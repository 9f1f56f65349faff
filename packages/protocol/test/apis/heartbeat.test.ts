import { describe, expect, it } from 'vitest';
import { Heartbeat } from '../../src/apis/heartbeat.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('heartbeat');

describe('Heartbeat', () => {
  it.each([0, 1, 2, 3])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      groupId: 'consumers',
      groupGenerationId: 12,
      memberId: 'member-1',
      groupInstanceId: 'instance-a',
    });
    const { header, body } = decodeRequestFrame(frame, only(Heartbeat));
    expect(header).toEqual({ apiKey: 12, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      groupId: 'consumers',
      generationId: 12,
      memberId: 'member-1',
      groupInstanceId: version >= 3 ? 'instance-a' : null,
    });
  });

  it('decodes a kafkajs v3 request without a group instance id as null', async () => {
    const frame = await kafkajs.goldenRequest(3, { groupId: 'g', groupGenerationId: 1, memberId: 'm' });
    expect(decodeRequestFrame(frame, only(Heartbeat)).body.groupInstanceId).toBeNull();
  });

  it.each([0, 1, 2, 3])('kafkajs decodes our v%i responses', async (version) => {
    const bytes = responseBody(Heartbeat, version, { throttleTimeMs: 40, errorCode: 27 });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    if (version === 0) expect(decoded).toEqual({ errorCode: 27 });
    else if (version === 1) expect(decoded).toEqual({ errorCode: 27, throttleTime: 40 });
    else expect(decoded).toEqual({ errorCode: 27, throttleTime: 0, clientSideThrottleTime: 40 });
  });

  it('encodes v4 with compact strings and tagged fields', () => {
    const w = new Writer();
    Heartbeat.encodeRequest(w, 4, { groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: null });
    // compact string "g", int32 2, compact string "m", compact null, no tagged fields
    expect(w.toBuffer()).toEqual(Buffer.from([2, 0x67, 0, 0, 0, 2, 2, 0x6d, 0, 0]));
    expect(Heartbeat.decodeRequest(new Reader(w.toBuffer()), 4)).toEqual({
      groupId: 'g',
      generationId: 2,
      memberId: 'm',
      groupInstanceId: null,
    });
  });
});
