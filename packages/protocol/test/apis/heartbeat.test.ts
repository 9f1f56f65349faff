import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Heartbeat } from '../../src/apis/heartbeat.js';
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
  groupGenerationId: number;
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
const kafkajs = require('kafkajs/src/protocol/requests/heartbeat/index.js') as KafkajsApi;
const kafkajsResponse = (v: number): KafkajsResponse =>
  require(`kafkajs/src/protocol/requests/heartbeat/v${v}/response`) as KafkajsResponse;

async function goldenFrame(version: number, args: KafkajsArgs): Promise<Buffer> {
  const { request } = kafkajs.protocol({ version })(args);
  return (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer.subarray(4);
}

const lookup = (k: number) => (k === Heartbeat.apiKey ? Heartbeat : undefined);

describe('Heartbeat', () => {
  it.each([0, 1, 2, 3])('decodes kafkajs v%i requests', async (version) => {
    const frame = await goldenFrame(version, {
      groupId: 'consumers',
      groupGenerationId: 12,
      memberId: 'member-1',
      groupInstanceId: 'instance-a',
    });
    const { header, body } = decodeRequestFrame(frame, lookup);
    expect(header).toEqual({ apiKey: 12, apiVersion: version, correlationId: 7, clientId: 'golden' });
    expect(body).toEqual({
      groupId: 'consumers',
      generationId: 12,
      memberId: 'member-1',
      groupInstanceId: version >= 3 ? 'instance-a' : null,
    });
  });

  it('decodes a kafkajs v3 request without a group instance id as null', async () => {
    const frame = await goldenFrame(3, { groupId: 'g', groupGenerationId: 1, memberId: 'm' });
    expect(decodeRequestFrame(frame, lookup).body.groupInstanceId).toBeNull();
  });

  it.each([0, 1, 2, 3])('kafkajs decodes our v%i responses', async (version) => {
    const w = new Writer();
    Heartbeat.encodeResponse(w, version, { throttleTimeMs: 40, errorCode: 27 });
    const decoded = await kafkajsResponse(version).decode(w.toBuffer());
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
