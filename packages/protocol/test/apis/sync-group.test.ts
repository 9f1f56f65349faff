import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SyncGroup } from '../../src/apis/sync-group.js';
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
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  groupAssignment: { memberId: string; memberAssignment: Buffer }[];
}
interface KafkajsApi {
  protocol: (o: { version: number }) => (args: KafkajsArgs) => { request: KafkajsRequest };
}
interface KafkajsResponse {
  decode: (buffer: Buffer) => Promise<unknown>;
}

const encodeFrame = require('kafkajs/src/protocol/request') as EncodeFrame;
const kafkajs = require('kafkajs/src/protocol/requests/syncGroup/index.js') as KafkajsApi;
const kafkajsResponse = (v: number): KafkajsResponse =>
  require(`kafkajs/src/protocol/requests/syncGroup/v${v}/response`) as KafkajsResponse;

async function goldenFrame(version: number, args: KafkajsArgs): Promise<Buffer> {
  const { request } = kafkajs.protocol({ version })(args);
  return (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer.subarray(4);
}

const lookup = (k: number) => (k === SyncGroup.apiKey ? SyncGroup : undefined);
const assignment = Buffer.from([0, 1, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);

describe('SyncGroup', () => {
  it.each([0, 1, 2, 3])('decodes kafkajs v%i requests', async (version) => {
    const frame = await goldenFrame(version, {
      groupId: 'consumers',
      generationId: 4,
      memberId: 'member-1',
      groupInstanceId: 'instance-a',
      groupAssignment: [
        { memberId: 'member-1', memberAssignment: assignment },
        { memberId: 'member-2', memberAssignment: Buffer.alloc(0) },
      ],
    });
    const { header, body } = decodeRequestFrame(frame, lookup);
    expect(header).toEqual({ apiKey: 14, apiVersion: version, correlationId: 7, clientId: 'golden' });
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
    const w = new Writer();
    SyncGroup.encodeResponse(w, version, { throttleTimeMs: 8, errorCode: 0, assignment });
    const decoded = await kafkajsResponse(version).decode(w.toBuffer());
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
