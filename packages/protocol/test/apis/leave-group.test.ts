import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { LeaveGroup } from '../../src/apis/leave-group.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
}
type EncodeFrame = (a: { correlationId: number; clientId: string; request: KafkajsRequest }) => Promise<{ buffer: Buffer }>;
// kafkajs's v3 builder wraps the single member into a one-entry batch.
interface KafkajsArgs {
  groupId: string;
  memberId: string;
  groupInstanceId?: string | null;
}
interface KafkajsApi {
  protocol: (o: { version: number }) => (args: KafkajsArgs) => { request: KafkajsRequest };
}
interface KafkajsResponse {
  decode: (buffer: Buffer) => Promise<unknown>;
}

const encodeFrame = require('kafkajs/src/protocol/request') as EncodeFrame;
const kafkajs = require('kafkajs/src/protocol/requests/leaveGroup/index.js') as KafkajsApi;
const kafkajsResponse = (v: number): KafkajsResponse =>
  require(`kafkajs/src/protocol/requests/leaveGroup/v${v}/response`) as KafkajsResponse;

async function goldenFrame(version: number, args: KafkajsArgs): Promise<Buffer> {
  const { request } = kafkajs.protocol({ version })(args);
  return (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer.subarray(4);
}

const lookup = (k: number) => (k === LeaveGroup.apiKey ? LeaveGroup : undefined);

describe('LeaveGroup', () => {
  it.each([0, 1, 2])('decodes kafkajs v%i requests (single member)', async (version) => {
    const frame = await goldenFrame(version, { groupId: 'consumers', memberId: 'member-1' });
    const { header, body } = decodeRequestFrame(frame, lookup);
    expect(header).toEqual({ apiKey: 13, apiVersion: version, correlationId: 7, clientId: 'golden' });
    expect(body).toEqual({ groupId: 'consumers', memberId: 'member-1', members: [] });
  });

  it.each([
    ['instance-b', 'instance-b'],
    [undefined, null],
  ])('decodes kafkajs v3 requests (member batch, instance id %s)', async (groupInstanceId, expected) => {
    const frame = await goldenFrame(3, { groupId: 'consumers', memberId: 'member-2', groupInstanceId });
    const { header, body } = decodeRequestFrame(frame, lookup);
    expect(header).toEqual({ apiKey: 13, apiVersion: 3, correlationId: 7, clientId: 'golden' });
    expect(body).toEqual({
      groupId: 'consumers',
      memberId: '',
      members: [{ memberId: 'member-2', groupInstanceId: expected, reason: null }],
    });
  });

  it.each([0, 1, 2])('kafkajs decodes our v%i responses', async (version) => {
    const w = new Writer();
    LeaveGroup.encodeResponse(w, version, { throttleTimeMs: 15, errorCode: 25 });
    const decoded = await kafkajsResponse(version).decode(w.toBuffer());
    if (version === 0) expect(decoded).toEqual({ errorCode: 25 });
    else if (version === 1) expect(decoded).toEqual({ errorCode: 25, throttleTime: 15 });
    else expect(decoded).toEqual({ errorCode: 25, throttleTime: 0, clientSideThrottleTime: 15 });
  });

  it('kafkajs decodes our v3 responses', async () => {
    const w = new Writer();
    LeaveGroup.encodeResponse(w, 3, {
      throttleTimeMs: 15,
      errorCode: 0,
      members: [
        { memberId: 'member-1', groupInstanceId: null, errorCode: 0 },
        { memberId: '', groupInstanceId: 'instance-b', errorCode: 25 },
      ],
    });
    expect(await kafkajsResponse(3).decode(w.toBuffer())).toEqual({
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
