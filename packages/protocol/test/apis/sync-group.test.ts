import { describe, expect, it } from 'vitest';
import { SyncGroup } from '../../src/apis/sync-group.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('syncGroup');

const assignment = Buffer.from([0, 1, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);

describe('SyncGroup', () => {
  it.each([0, 1, 2, 3])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      groupId: 'consumers',
      generationId: 4,
      memberId: 'member-1',
      groupInstanceId: 'instance-a',
      groupAssignment: [
        { memberId: 'member-1', memberAssignment: assignment },
        { memberId: 'member-2', memberAssignment: Buffer.alloc(0) },
      ],
    });
    const { header, body } = decodeRequestFrame(frame, only(SyncGroup));
    expect(header).toEqual({ apiKey: 14, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      groupId: 'consumers',
      generationId: 4,
      memberId: 'member-1',
      groupInstanceId: version >= 3 ? 'instance-a' : null,
      protocolType: null,
      protocolName: null,
      assignments: [
        { memberId: 'member-1', assignment },
        { memberId: 'member-2', assignment: Buffer.alloc(0) },
      ],
    });
  });

  it.each([0, 1, 2, 3])('kafkajs decodes our v%i responses', async (version) => {
    const bytes = responseBody(SyncGroup, version, { throttleTimeMs: 8, errorCode: 0, assignment });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    if (version === 0) expect(decoded).toEqual({ errorCode: 0, memberAssignment: assignment });
    else if (version === 1) expect(decoded).toEqual({ errorCode: 0, memberAssignment: assignment, throttleTime: 8 });
    else expect(decoded).toEqual({ errorCode: 0, memberAssignment: assignment, throttleTime: 0, clientSideThrottleTime: 8 });
  });

  it('carries the v5 protocol type and name', () => {
    const w = new Writer();
    SyncGroup.encodeResponse(w, 5, { errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment });
    expect(SyncGroup.decodeResponse(new Reader(w.toBuffer()), 5)).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      protocolType: 'consumer',
      protocolName: 'range',
      assignment,
    });
  });
});
