import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { JoinGroup } from '../../src/apis/join-group.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
}
type EncodeFrame = (a: { correlationId: number; clientId: string; request: KafkajsRequest }) => Promise<{ buffer: Buffer }>;
interface KafkajsArgs {
  groupId: string;
  sessionTimeout: number;
  rebalanceTimeout?: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType: string;
  groupProtocols: { name: string; metadata: Buffer }[];
}
interface KafkajsApi {
  protocol: (o: { version: number }) => (args: KafkajsArgs) => { request: KafkajsRequest };
}
interface KafkajsResponse {
  decode: (buffer: Buffer) => Promise<unknown>;
}

const encodeFrame = require('kafkajs/src/protocol/request') as EncodeFrame;
const kafkajs = require('kafkajs/src/protocol/requests/joinGroup/index.js') as KafkajsApi;
const kafkajsResponse = (v: number): KafkajsResponse =>
  require(`kafkajs/src/protocol/requests/joinGroup/v${v}/response`) as KafkajsResponse;

async function goldenFrame(version: number, args: KafkajsArgs): Promise<Buffer> {
  const { request } = kafkajs.protocol({ version })(args);
  return (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer.subarray(4);
}

const lookup = (k: number) => (k === JoinGroup.apiKey ? JoinGroup : undefined);
const subscription = Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0xff, 0xff, 0xff, 0xff]);

describe('JoinGroup', () => {
  it.each([0, 1, 2, 3, 4, 5])('decodes kafkajs v%i requests', async (version) => {
    const frame = await goldenFrame(version, {
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
    const { header, body } = decodeRequestFrame(frame, lookup);
    expect(header).toEqual({ apiKey: 11, apiVersion: version, correlationId: 7, clientId: 'golden' });
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
    const w = new Writer();
    JoinGroup.encodeResponse(w, version, {
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
    const decoded = await kafkajsResponse(version).decode(w.toBuffer());
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
