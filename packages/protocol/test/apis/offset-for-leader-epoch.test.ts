import { describe, expect, it } from 'vitest';
import { OffsetForLeaderEpoch } from '../../src/apis/offset-for-leader-epoch.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

// kafkajs has no OffsetForLeaderEpoch, so the bytes here are written out from the spec.
describe('OffsetForLeaderEpoch', () => {
  it('has Kafka’s versions', () => {
    expect([OffsetForLeaderEpoch.validVersions, OffsetForLeaderEpoch.flexibleVersions]).toEqual(['0-4', '4+']);
  });

  it('matches spec bytes for a v0 request and fills v2+/v3+ defaults', () => {
    // prettier-ignore
    const expected = Buffer.from([
      0x00, 0x00, 0x00, 0x01,             // topics: 1
      0x00, 0x01, 0x74,                   //   topic: "t"
      0x00, 0x00, 0x00, 0x01,             //   partitions: 1
      0x00, 0x00, 0x00, 0x02,             //     partition: 2
      0x00, 0x00, 0x00, 0x05,             //     leader_epoch: 5
    ]);
    const w = new Writer();
    OffsetForLeaderEpoch.encodeRequest(w, 0, { topics: [{ topic: 't', partitions: [{ partition: 2, leaderEpoch: 5 }] }] });
    expect(w.toBuffer()).toEqual(expected);
    expect(OffsetForLeaderEpoch.decodeRequest(new Reader(expected), 0)).toEqual({
      replicaId: -2,
      topics: [{ topic: 't', partitions: [{ partition: 2, currentLeaderEpoch: -1, leaderEpoch: 5 }] }],
    });
  });

  it('matches spec bytes for a v4 request with a tagged field', () => {
    // prettier-ignore
    const expected = Buffer.from([
      0xff, 0xff, 0xff, 0xff,             // replica_id: -1
      0x02,                               // topics: compact array, 1 entry
      0x02, 0x74,                         //   topic: "t"
      0x02,                               //   partitions: 1
      0x00, 0x00, 0x00, 0x02,             //     partition: 2
      0x00, 0x00, 0x00, 0x07,             //     current_leader_epoch: 7
      0x00, 0x00, 0x00, 0x05,             //     leader_epoch: 5
      0x00,                               //     (partition) tagged fields: 0
      0x00,                               //   (topic) tagged fields: 0
      0x01,                               // tagged fields: 1
      0x03, 0x01, 0x2a,                   //   tag 3, 1 byte
    ]);
    const body = {
      replicaId: -1,
      topics: [{ topic: 't', partitions: [{ partition: 2, currentLeaderEpoch: 7, leaderEpoch: 5 }] }],
      _unknownTaggedFields: [{ tag: 3, data: Buffer.from([0x2a]) }],
    };
    const w = new Writer();
    OffsetForLeaderEpoch.encodeRequest(w, 4, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(OffsetForLeaderEpoch.decodeRequest(new Reader(expected), 4)).toEqual(body);
  });

  it('matches spec bytes for v0 and v4 responses', () => {
    const partition = { errorCode: 0, partition: 2, leaderEpoch: 5, endOffset: 100n };
    // prettier-ignore
    const v0 = Buffer.from([
      0x00, 0x00, 0x00, 0x01,             // topics: 1
      0x00, 0x01, 0x74,                   //   topic: "t"
      0x00, 0x00, 0x00, 0x01,             //   partitions: 1
      0x00, 0x00,                         //     error_code: 0
      0x00, 0x00, 0x00, 0x02,             //     partition: 2
      0, 0, 0, 0, 0, 0, 0, 0x64,          //     end_offset: 100 (no leader_epoch before v1)
    ]);
    // prettier-ignore
    const v4 = Buffer.from([
      0x00, 0x00, 0x00, 0x0a,             // throttle_time_ms: 10
      0x02,                               // topics: 1
      0x02, 0x74,                         //   topic: "t"
      0x02,                               //   partitions: 1
      0x00, 0x00,                         //     error_code: 0
      0x00, 0x00, 0x00, 0x02,             //     partition: 2
      0x00, 0x00, 0x00, 0x05,             //     leader_epoch: 5
      0, 0, 0, 0, 0, 0, 0, 0x64,          //     end_offset: 100
      0x00,                               //     (partition) tagged fields: 0
      0x00,                               //   (topic) tagged fields: 0
      0x00,                               // tagged fields: 0
    ]);
    const body = { throttleTimeMs: 10, topics: [{ topic: 't', partitions: [partition] }] };
    for (const [version, bytes] of [[0, v0], [4, v4]] as const) {
      const w = new Writer();
      OffsetForLeaderEpoch.encodeResponse(w, version, body); // throttle and epoch are ignorable in v0
      expect(w.toBuffer()).toEqual(bytes);
    }
    expect(OffsetForLeaderEpoch.decodeResponse(new Reader(v0), 0)).toEqual({
      throttleTimeMs: 0,
      topics: [{ topic: 't', partitions: [{ ...partition, leaderEpoch: -1 }] }],
    });
    expect(OffsetForLeaderEpoch.decodeResponse(new Reader(v4), 4)).toEqual(body);
  });
});
