import { defineApi, type RequestOf, type ResponseOf } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DescribeCluster (key 60). Flexible from its first version. v1 adds `endpointType`
 * (1 = brokers, 2 = controllers).
 *
 * DescribeCluster Request (Version: 1) => include_cluster_authorized_operations endpoint_type _tagged_fields
 * DescribeCluster Response (Version: 1) => throttle_time_ms error_code error_message endpoint_type
 *     cluster_id controller_id [brokers] cluster_authorized_operations _tagged_fields
 *   brokers => broker_id host port rack _tagged_fields
 */
export const DescribeCluster = defineApi({
  apiKey: 60,
  name: 'DescribeCluster',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: [
    f.bool('includeClusterAuthorizedOperations', '0+'),
    f.int8('endpointType', '1+', { default: 1 }),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.string('errorMessage', '0+', { nullable: '0+', default: null }),
    f.int8('endpointType', '1+', { default: 1 }),
    f.string('clusterId', '0+'),
    f.int32('controllerId', '0+', { default: -1 }),
    f.structs('brokers', '0+', [
      f.int32('brokerId', '0+'),
      f.string('host', '0+'),
      f.int32('port', '0+'),
      f.string('rack', '0+', { nullable: '0+', default: null }),
    ]),
    f.int32('clusterAuthorizedOperations', '0+', { default: -2147483648 }),
  ],
});

export type DescribeClusterRequest = RequestOf<typeof DescribeCluster>;
export type DescribeClusterResponse = ResponseOf<typeof DescribeCluster>;
