// The protocol package's public surface. Explicit named exports only.
export { ProtocolError, PROTOCOL_ERROR_CODES, withPath, type ProtocolErrorCode } from './errors/protocol-error.js';
export { KAFKA_ERRORS, KafkaErrorCode, KafkaApiError, kafkaErrorByCode, type KafkaErrorName, type KafkaErrorInfo } from './errors/kafka-errors.js';
export { Reader } from './io/reader.js';
export { Writer } from './io/writer.js';
export { f, type Field, type FieldOptions, type InputOf, type MessageOf, type Primitive, type RawTaggedField } from './schema/fields.js';
export { defineApi, type Api, type ApiSpec, type RequestOf, type ResponseOf, type RequestInputOf, type ResponseInputOf } from './schema/api.js';
export { parseRange, inRange, type ParsedRange, type VersionRange } from './schema/versions.js';
export { decodeRequestHeader, encodeRequestHeader, decodeResponseHeader, encodeResponseHeader, type RequestHeader, type ResponseHeader } from './header.js';
export {
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  type FrameAllocator,
  decodeRequestFrame,
  encodeRequestFrame,
  decodeResponseFrame,
  encodeResponseFrame,
  type DecodedRequest,
} from './framing.js';
export { COMPRESSION, DEFAULT_MAX_DECOMPRESSED_BYTES, compress, decompress, compressionName, type CompressionName } from './compression/codecs.js';
export { crc32c } from './records/crc32c.js';
export {
  RecordBatchView,
  scanBatches,
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  ATTR_COMPRESSION_MASK,
  ATTR_LOG_APPEND_TIME,
  ATTR_TRANSACTIONAL,
  ATTR_CONTROL,
  type ScanOptions,
} from './records/batch-view.js';
export {
  encodeRecordBatch,
  decodeRecordBatch,
  type KafkaRecord,
  type RecordHeader,
  type RecordBatch,
  type RecordInput,
  type RecordBatchInput,
  type DecodeBatchOptions,
} from './records/record-batch.js';
export { CONTROL_TYPE, encodeControlKey, decodeControlKey, encodeEndTxnMarkerValue, decodeEndTxnMarkerValue, type ControlType } from './records/control-record.js';
export { ALL_APIS, lookupApi } from './apis/registry.js';
export { AddOffsetsToTxn, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse } from './apis/add-offsets-to-txn.js';
export { AddPartitionsToTxn, type AddPartitionsToTxnRequest, type AddPartitionsToTxnResponse } from './apis/add-partitions-to-txn.js';
export { AlterConfigs, type AlterConfigsRequest, type AlterConfigsResponse } from './apis/alter-configs.js';
export { ApiVersions } from './apis/api-versions.js';
export { CreateAcls, type CreateAclsRequest, type CreateAclsResponse } from './apis/create-acls.js';
export { CreatePartitions, type CreatePartitionsRequest, type CreatePartitionsResponse } from './apis/create-partitions.js';
export { CreateTopics, type CreateTopicsRequest, type CreateTopicsResponse } from './apis/create-topics.js';
export { DeleteAcls, type DeleteAclsRequest, type DeleteAclsResponse } from './apis/delete-acls.js';
export { DeleteGroups, type DeleteGroupsRequest, type DeleteGroupsResponse } from './apis/delete-groups.js';
export { DeleteRecords, type DeleteRecordsRequest, type DeleteRecordsResponse } from './apis/delete-records.js';
export { DeleteTopics, type DeleteTopicsRequest, type DeleteTopicsResponse } from './apis/delete-topics.js';
export { DescribeAcls, type DescribeAclsRequest, type DescribeAclsResponse } from './apis/describe-acls.js';
export { DescribeCluster, type DescribeClusterRequest, type DescribeClusterResponse } from './apis/describe-cluster.js';
export { DescribeConfigs, type DescribeConfigsRequest, type DescribeConfigsResponse } from './apis/describe-configs.js';
export { DescribeGroups, type DescribeGroupsRequest, type DescribeGroupsResponse } from './apis/describe-groups.js';
export { DescribeProducers, type DescribeProducersRequest, type DescribeProducersResponse } from './apis/describe-producers.js';
export { DescribeTransactions, type DescribeTransactionsRequest, type DescribeTransactionsResponse } from './apis/describe-transactions.js';
export { EndTxn, type EndTxnRequest, type EndTxnResponse } from './apis/end-txn.js';
export { Fetch, type FetchRequest, type FetchResponse } from './apis/fetch.js';
export { FindCoordinator, type FindCoordinatorRequest, type FindCoordinatorResponse } from './apis/find-coordinator.js';
export { Heartbeat, type HeartbeatRequest, type HeartbeatResponse } from './apis/heartbeat.js';
export { IncrementalAlterConfigs, type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsResponse } from './apis/incremental-alter-configs.js';
export { InitProducerId, type InitProducerIdRequest, type InitProducerIdResponse } from './apis/init-producer-id.js';
export { JoinGroup, type JoinGroupRequest, type JoinGroupResponse } from './apis/join-group.js';
export { LeaveGroup, type LeaveGroupRequest, type LeaveGroupResponse } from './apis/leave-group.js';
export { ListGroups, type ListGroupsRequest, type ListGroupsResponse } from './apis/list-groups.js';
export { ListOffsets, type ListOffsetsRequest, type ListOffsetsResponse } from './apis/list-offsets.js';
export { ListTransactions, type ListTransactionsRequest, type ListTransactionsResponse } from './apis/list-transactions.js';
export { Metadata, type MetadataRequest, type MetadataResponse } from './apis/metadata.js';
export { OffsetCommit, type OffsetCommitRequest, type OffsetCommitResponse } from './apis/offset-commit.js';
export { OffsetDelete, type OffsetDeleteRequest, type OffsetDeleteResponse } from './apis/offset-delete.js';
export { OffsetFetch, type OffsetFetchRequest, type OffsetFetchResponse } from './apis/offset-fetch.js';
export { OffsetForLeaderEpoch, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse } from './apis/offset-for-leader-epoch.js';
export { Produce, type ProduceRequest, type ProduceResponse } from './apis/produce.js';
export { SaslAuthenticate, type SaslAuthenticateRequest, type SaslAuthenticateResponse } from './apis/sasl-authenticate.js';
export { SaslHandshake, type SaslHandshakeRequest, type SaslHandshakeResponse } from './apis/sasl-handshake.js';
export { SyncGroup, type SyncGroupRequest, type SyncGroupResponse } from './apis/sync-group.js';
export { TxnOffsetCommit, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from './apis/txn-offset-commit.js';
