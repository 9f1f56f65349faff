import { describe, expect, it } from 'vitest';
import { DescribeCluster } from '../../src/apis/describe-cluster.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

// kafkajs has no DescribeCluster, so the bytes here are written out from the spec. Every version
// is flexible.
describe('DescribeCluster', () => {
  it('has Kafka’s versions', () => {
    expect([DescribeCluster.validVersions, DescribeCluster.flexibleVersions]).toEqual(['0-1', '0+']);
  });

  it('matches spec bytes for a v0 request with a tagged field', () => {
    // prettier-ignore
    const expected = Buffer.from([
      0x01,                               // include_cluster_authorized_operations: true
      0x01,                               // tagged fields: 1
      0x00, 0x02, 0xaa, 0xbb,             //   tag 0, 2 bytes
    ]);
    const body = { includeClusterAuthorizedOperations: true, _unknownTaggedFields: [{ tag: 0, data: Buffer.from([0xaa, 0xbb]) }] };
    const w = new Writer();
    DescribeCluster.encodeRequest(w, 0, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(DescribeCluster.decodeRequest(new Reader(expected), 0)).toEqual({ ...body, endpointType: 1 });
  });

  it('matches spec bytes for a v1 request and refuses endpointType at v0', () => {
    const expected = Buffer.from([0x00, 0x02, 0x00]); // include ops: false, endpoint_type: 2, no tags
    const w = new Writer();
    DescribeCluster.encodeRequest(w, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
    expect(w.toBuffer()).toEqual(expected);
    expect(DescribeCluster.decodeRequest(new Reader(expected), 1)).toEqual({
      includeClusterAuthorizedOperations: false,
      endpointType: 2,
    });
    expect(() =>
      DescribeCluster.encodeRequest(new Writer(), 0, { includeClusterAuthorizedOperations: false, endpointType: 2 }),
    ).toThrow();
  });

  it('matches spec bytes for v0 and v1 responses', () => {
    // prettier-ignore
    const head = [
      0x00, 0x00, 0x00, 0x00,             // throttle_time_ms: 0
      0x00, 0x00,                         // error_code: 0
      0x00,                               // error_message: null
    ];
    // prettier-ignore
    const tail = [
      0x03, 0x63, 0x31,                   // cluster_id: "c1"
      0x00, 0x00, 0x00, 0x01,             // controller_id: 1
      0x02,                               // brokers: 1
      0x00, 0x00, 0x00, 0x01,             //   broker_id: 1
      0x02, 0x68,                         //   host: "h"
      0x00, 0x00, 0x23, 0x84,             //   port: 9092
      0x00,                               //   rack: null
      0x00,                               //   (broker) tagged fields: 0
      0x80, 0x00, 0x00, 0x00,             // cluster_authorized_operations: INT32_MIN (not requested)
      0x00,                               // tagged fields: 0
    ];
    const v0 = Buffer.from([...head, ...tail]);
    const v1 = Buffer.from([...head, 0x01 /* endpoint_type: brokers */, ...tail]);
    const body = {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      clusterId: 'c1',
      controllerId: 1,
      brokers: [{ brokerId: 1, host: 'h', port: 9092, rack: null }],
      clusterAuthorizedOperations: -2147483648,
    };
    for (const [version, bytes] of [[0, v0], [1, v1]] as const) {
      const w = new Writer();
      DescribeCluster.encodeResponse(w, version, body);
      expect(w.toBuffer()).toEqual(bytes);
      expect(DescribeCluster.decodeResponse(new Reader(bytes), version)).toEqual({ ...body, endpointType: 1 });
    }
  });
});
