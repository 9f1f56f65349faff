/**
 * Structural checks over every librdkafka golden frame: the capture holds every expected flow,
 * and each fixture decodes with its recorded header and re-encodes to the identical bytes.
 * Loading and the scenario's constants: librdkafka-fixtures.ts.
 */
import { describe, expect, it } from 'vitest';
import { lookupApi } from '../../src/apis/registry.js';
import { decodeRequestFrame, encodeRequestFrame } from '../../src/framing.js';
import { bodyFrameOf, CLIENT, decodeFile, frameOf, index, KCAT, TRAILING_BYTES } from './librdkafka-fixtures.js';

/** Every fixture the capture is expected to produce: librdkafka 2.0.2's versions of each flow. */
const EXPECTED_FILES = [
  'Produce-v7-none.bin',
  'Produce-v7-gzip.bin',
  'Produce-v7-snappy.bin',
  'Produce-v7-lz4.bin',
  'Produce-v7-zstd.bin',
  'Produce-v7-none-idempotent.bin',
  'Produce-v7-none-transactional.bin',
  'Produce-v7-lz4-kcat.bin',
  'Fetch-v11.bin',
  'ListOffsets-v2.bin',
  'Metadata-v4.bin',
  'Metadata-v4-kcat.bin',
  'OffsetCommit-v7.bin',
  'OffsetFetch-v7.bin',
  'FindCoordinator-v2.bin',
  'FindCoordinator-v2-transaction.bin',
  'JoinGroup-v5.bin',
  'Heartbeat-v3.bin',
  'LeaveGroup-v1.bin',
  'SyncGroup-v3.bin',
  'DescribeGroups-v0.bin',
  'DescribeGroups-v4.bin',
  'ListGroups-v0.bin',
  'ListGroups-v4.bin',
  'SaslHandshake-v1.bin',
  'ApiVersions-v3.bin',
  'ApiVersions-v3-kcat.bin',
  'CreateTopics-v4.bin',
  'DeleteTopics-v1.bin',
  'DeleteRecords-v1.bin',
  'InitProducerId-v4.bin',
  'InitProducerId-v4-transactional.bin',
  'AddPartitionsToTxn-v0.bin',
  'AddOffsetsToTxn-v0.bin',
  'EndTxn-v1.bin',
  'EndTxn-v1-abort.bin',
  'TxnOffsetCommit-v3.bin',
  'DescribeAcls-v1.bin',
  'CreateAcls-v1.bin',
  'DeleteAcls-v1.bin',
  'DescribeConfigs-v1.bin',
  'AlterConfigs-v0.bin',
  'SaslAuthenticate-v0.bin',
  'CreatePartitions-v0.bin',
  'DeleteGroups-v1.bin',
  'OffsetDelete-v0.bin',
];

describe('librdkafka golden frames', () => {
  it('were captured from librdkafka 2.0.2, every expected flow included', () => {
    expect(index.librdkafka).toBe('2.0.2');
    expect(index.files.map((f) => f.file).sort()).toEqual([...EXPECTED_FILES].sort());
  });

  describe.each(index.files.map((e) => [e.file, e] as const))('%s', (file, entry) => {
    it('decodes with the recorded header, leaving no bytes over', () => {
      const frame = frameOf(file);
      const trailing = TRAILING_BYTES[file] ?? 0;
      expect(decodeRequestFrame(frame, lookupApi).trailingBytes).toBe(trailing);
      // librdkafka's extra bytes are an empty tag buffer; everything before them is the request.
      expect(frame.subarray(frame.length - trailing)).toEqual(Buffer.alloc(trailing));
      const { header, api } = decodeFile(file);
      expect(api.name).toBe(entry.api);
      expect(header).toMatchObject({ apiKey: entry.apiKey, apiVersion: entry.apiVersion, clientId: entry.clientId });
      expect(header.clientId).toBe(file.endsWith('-kcat.bin') ? KCAT : CLIENT);
      expect(header.correlationId).toBeGreaterThan(0);
      expect(header.taggedFields).toBeUndefined();
    });

    it('re-encodes to the identical bytes', () => {
      const { header, api, body } = decodeFile(file);
      const again = Buffer.concat(encodeRequestFrame(api, header, body));
      expect(again.readInt32BE(0)).toBe(again.length - 4);
      expect(again.subarray(4)).toEqual(bodyFrameOf(file));
    });
  });
});
