import { describe, expect, it } from 'vitest';
import { DescribeGroups } from '../../src/apis/describe-groups.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('describeGroups');

const metadata = Buffer.from([0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
const assignment = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);

describe('DescribeGroups', () => {
  it.each([0, 1, 2])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, { groupIds: ['consumers', 'other'] });
    const { header, body } = decodeRequestFrame(frame, only(DescribeGroups));
    expect(header).toEqual({ apiKey: 15, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({ groups: ['consumers', 'other'], includeAuthorizedOperations: false });
  });

  it.each([0, 1, 2])('kafkajs decodes our v%i responses', async (version) => {
    const bytes = responseBody(DescribeGroups, version, {
      throttleTimeMs: 30,
      groups: [
        {
          errorCode: 0,
          groupId: 'consumers',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [
            { memberId: 'member-1', clientId: 'app', clientHost: '/10.0.0.1', memberMetadata: metadata, memberAssignment: assignment },
          ],
        },
        { errorCode: 16, groupId: 'gone', groupState: 'Dead', protocolType: '', protocolData: '', members: [] },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const groups = [
      {
        errorCode: 0,
        groupId: 'consumers',
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'range',
        members: [{ memberId: 'member-1', clientId: 'app', clientHost: '/10.0.0.1', memberMetadata: metadata, memberAssignment: assignment }],
      },
      { errorCode: 16, groupId: 'gone', state: 'Dead', protocolType: '', protocol: '', members: [] },
    ];
    if (version === 0) expect(decoded).toEqual({ groups });
    else if (version === 1) expect(decoded).toEqual({ groups, throttleTime: 30 });
    else expect(decoded).toEqual({ groups, throttleTime: 0, clientSideThrottleTime: 30 });
  });

  it('carries v6 error messages and fills defaults at lower versions', () => {
    const group = {
      errorCode: 69,
      errorMessage: 'Group gone not found.',
      groupId: 'gone',
      groupState: 'Dead',
      protocolType: '',
      protocolData: '',
      members: [],
    };
    const w = new Writer();
    DescribeGroups.encodeResponse(w, 6, { throttleTimeMs: 0, groups: [group] });
    expect(DescribeGroups.decodeResponse(new Reader(w.toBuffer()), 6).groups).toEqual([
      { ...group, authorizedOperations: -2147483648 },
    ]);
    // errorMessage is not ignorable: a v5 response cannot silently drop it.
    expect(() => DescribeGroups.encodeResponse(new Writer(), 5, { groups: [group] })).toThrow();
    const w2 = new Writer();
    DescribeGroups.encodeResponse(w2, 2, { groups: [{ ...group, errorMessage: null }] });
    expect(DescribeGroups.decodeResponse(new Reader(w2.toBuffer()), 2).groups[0]).toMatchObject({
      errorMessage: null,
      authorizedOperations: -2147483648,
    });
  });
});
