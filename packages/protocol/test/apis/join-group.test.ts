import { describe, expect, it } from 'vitest';
import { JoinGroup } from '../../src/apis/join-group.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('joinGroup');

const subscription = Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0xff, 0xff, 0xff, 0xff]);

describe('JoinGroup', () => {
  it.each([0, 1, 2, 3, 4, 5])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      groupId: 'consumers',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      memberId: version >= 4 ? 'member-1' : '',
      groupInstanceId: 'instance-a',
      protocolType: 'consumer',
      groupProtocols: [
        { name: 'roundrobin', metadata: subscription },
        { name: 'range', metadata: Buffer.alloc(0) },
      ],
    });
    const { header, body } = decodeRequestFrame(frame, only(JoinGroup));
    expect(header).toEqual({ apiKey: 11, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      groupId: 'consumers',
      sessionTimeoutMs: 30000,
      // v0 has no rebalance timeout: Kafka's placeholder default.
      rebalanceTimeoutMs: version >= 1 ? 60000 : -1,
      memberId: version >= 4 ? 'member-1' : '',
      groupInstanceId: version >= 5 ? 'instance-a' : null,
      protocolType: 'consumer',
      protocols: [
        { name: 'roundrobin', metadata: subscription },
        { name: 'range', metadata: Buffer.alloc(0) },
      ],
      reason: null,
    });
  });

  it.each([0, 1, 2, 3, 4, 5])('kafkajs decodes our v%i responses', async (version) => {
    const bytes = responseBody(JoinGroup, version, {
      throttleTimeMs: 25,
      errorCode: 0,
      generationId: 3,
      protocolName: 'roundrobin',
      leader: 'member-1',
      memberId: 'member-2',
      members: [
        { memberId: 'member-1', groupInstanceId: version >= 5 ? 'instance-a' : null, metadata: subscription },
        { memberId: 'member-2', metadata: Buffer.from([9]) },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const members = [
      { memberId: 'member-1', memberMetadata: subscription, ...(version >= 5 ? { groupInstanceId: 'instance-a' } : {}) },
      { memberId: 'member-2', memberMetadata: Buffer.from([9]), ...(version >= 5 ? { groupInstanceId: null } : {}) },
    ];
    const common = { errorCode: 0, generationId: 3, groupProtocol: 'roundrobin', leaderId: 'member-1', memberId: 'member-2', members };
    if (version < 2) expect(decoded).toEqual(common);
    // v2 reports the throttle as is; from v3 kafkajs moves it to clientSideThrottleTime (KIP-219).
    else if (version === 2) expect(decoded).toEqual({ ...common, throttleTime: 25 });
    else expect(decoded).toEqual({ ...common, throttleTime: 0, clientSideThrottleTime: 25 });
  });

  it('carries the v9 fields and tagged extras', () => {
    const w = new Writer();
    JoinGroup.encodeResponse(w, 9, {
      errorCode: 0,
      generationId: 1,
      protocolType: null,
      protocolName: null,
      leader: 'l',
      skipAssignment: true,
      memberId: 'm',
      members: [],
      _unknownTaggedFields: [{ tag: 3, data: Buffer.from([1]) }],
    });
    const decoded = JoinGroup.decodeResponse(new Reader(w.toBuffer()), 9);
    expect(decoded).toMatchObject({ protocolType: null, protocolName: null, skipAssignment: true, throttleTimeMs: 0 });
    expect(decoded._unknownTaggedFields).toEqual([{ tag: 3, data: Buffer.from([1]) }]);
    // A null protocol name is only representable from v7.
    expect(() =>
      JoinGroup.encodeResponse(new Writer(), 6, {
        errorCode: 0,
        generationId: 1,
        protocolName: null,
        leader: '',
        memberId: '',
        members: [],
      }),
    ).toThrow();
  });
});
