import { describe, expect, it } from 'vitest';
import { subscribedTopics } from '../../src/groups/consumer-protocol.js';
import {
  decodeGroupMetadataValue,
  decodeGroupRecordKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../../src/groups/group-records.js';
import { javaStringHashCode } from '../../src/internal/internal-topic.js';
import { offsetsPartitionFor } from '../../src/groups/offsets-topic.js';

// Hand-built from Kafka's schemas (group-coordinator/src/main/resources/common/message/*.json):
// INT16 version, then the fields; STRING = INT16 length + UTF-8, INT64/INT32 big-endian.
const str = (s: string): string => Buffer.from(s).length.toString(16).padStart(4, '0') + Buffer.from(s).toString('hex');
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('__consumer_offsets record formats', () => {
  it('encodes OffsetCommitKey v1 as version, group, topic, partition', () => {
    const bytes = encodeOffsetCommitKey({ group: 'g1', topic: 'orders', partition: 7 });
    expect(bytes).toEqual(hex(`0001 ${str('g1')} ${str('orders')} 00000007`));
    expect(decodeGroupRecordKey(bytes)).toEqual({ type: 'offset', group: 'g1', topic: 'orders', partition: 7 });
  });

  it('encodes OffsetCommitValue v3 as offset, leader epoch, metadata, commit timestamp', () => {
    const value = { offset: 42n, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1_700_000_000_000n };
    const bytes = encodeOffsetCommitValue(value);
    expect(bytes).toEqual(hex(`0003 000000000000002a 00000003 ${str('m')} 0000018bcfe56800`));
    expect(decodeOffsetCommitValue(bytes)).toEqual(value);
  });

  it('decodes OffsetCommitValue v1 (with expire timestamp) as older Kafka wrote it', () => {
    const v1 = hex(`0001 0000000000000005 ${str('')} 0000000000000001 ffffffffffffffff`);
    expect(decodeOffsetCommitValue(v1)).toEqual({ offset: 5n, leaderEpoch: -1, metadata: '', commitTimestamp: 1n });
  });

  it('encodes GroupMetadataKey v2 and GroupMetadataValue v3', () => {
    expect(encodeGroupMetadataKey('g1')).toEqual(hex(`0002 ${str('g1')}`));
    expect(decodeGroupRecordKey(encodeGroupMetadataKey('g1'))).toEqual({ type: 'group', group: 'g1' });
    const value = {
      protocolType: 'consumer',
      generation: 2,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 16n,
      members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/h', rebalanceTimeout: 300, sessionTimeout: 100, subscription: Buffer.from([1]), assignment: Buffer.from([2, 3]) }],
    };
    const bytes = encodeGroupMetadataValue(value);
    expect(bytes).toEqual(
      hex(`0003 ${str('consumer')} 00000002 ${str('range')} ${str('m1')} 0000000000000010 00000001
           ${str('m1')} ffff ${str('c')} ${str('/h')} 0000012c 00000064 00000001 01 00000002 0203`),
    );
    expect(decodeGroupMetadataValue(bytes)).toEqual(value);
  });

  it('skips keys of versions it does not know', () => {
    expect(decodeGroupRecordKey(hex('0009 0000'))).toBeNull();
  });
});

describe('group partitioning', () => {
  it("hashes group ids with Java's String.hashCode and Kafka's abs", () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('console-consumer-1')).toBe(Number(BigInt.asIntN(32, [...'console-consumer-1'].reduce((h, ch) => h * 31n + BigInt(ch.charCodeAt(0)), 0n))));
    // "polygenelubricants".hashCode() is Integer.MIN_VALUE; Utils.abs maps it to 0.
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(offsetsPartitionFor('hello', 50)).toBe(99162322 % 50);
  });
});

describe('consumer protocol subscription', () => {
  it('reads the subscribed topics of any version', () => {
    const v1 = hex(`0001 00000002 ${str('a')} ${str('bb')} ffffffff 00000000`);
    expect(subscribedTopics(v1)).toEqual(['a', 'bb']);
    expect(subscribedTopics(Buffer.from([0]))).toEqual([]);
  });
});
