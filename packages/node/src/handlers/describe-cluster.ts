import { DescribeCluster, KafkaErrorCode } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** DescribeCluster (60): the live brokers and the controller (endpoint type 1 = brokers; controllers are not exposed). */
export const describeClusterHandler = defineHandler({
  api: DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const { coordinator } = ctx.services;
    if (request.endpointType !== 1) {
      return Promise.resolve({
        throttleTimeMs: 0,
        errorCode: KafkaErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: 'Oxbow exposes broker endpoints only',
        endpointType: request.endpointType,
        clusterId: coordinator.clusterId,
        controllerId: -1,
        brokers: [],
        clusterAuthorizedOperations: -2147483648,
      });
    }
    return Promise.resolve({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: 1,
      clusterId: coordinator.clusterId,
      controllerId: coordinator.controllerId(),
      brokers: coordinator.brokers().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterAuthorizedOperations: -2147483648,
    });
  },
  errorResponse: (_request, errorCode, ctx) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage: null,
    clusterId: ctx.services.coordinator.clusterId,
    controllerId: -1,
    brokers: [],
    clusterAuthorizedOperations: -2147483648,
  }),
});
