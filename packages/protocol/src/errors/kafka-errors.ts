/**
 * Kafka's wire error codes, keyed by the names Kafka gives them.
 *
 * Source: `clients/src/main/java/org/apache/kafka/common/protocol/Errors.java` in Apache Kafka
 * 4.0.0-SNAPSHOT (commit 1eb7644, October 2024), codes -1 through 128. `retriable` is true exactly
 * when the Java exception class Kafka maps the code to is a subclass of `RetriableException`
 * (directly, or through `InvalidMetadataException` and friends). Messages are our own short
 * descriptions. Codes are part of the protocol and never change; names occasionally do (the
 * names here are Kafka's current ones, e.g. `NOT_LEADER_OR_FOLLOWER`, not `NOT_LEADER_FOR_PARTITION`).
 */
export const KAFKA_ERRORS = {
  UNKNOWN_SERVER_ERROR: { code: -1, retriable: false, message: 'The broker hit an unexpected error while handling the request.' },
  NONE: { code: 0, retriable: false, message: 'No error.' },
  OFFSET_OUT_OF_RANGE: { code: 1, retriable: false, message: 'The requested offset lies outside the range of offsets the broker holds for the partition.' },
  CORRUPT_MESSAGE: { code: 2, retriable: true, message: 'A record failed its CRC check, has an invalid size, lacks a key on a compacted topic, or is otherwise corrupt.' },
  UNKNOWN_TOPIC_OR_PARTITION: { code: 3, retriable: true, message: 'This broker does not host the requested topic-partition.' },
  INVALID_FETCH_SIZE: { code: 4, retriable: false, message: 'The fetch size in the request is not valid.' },
  LEADER_NOT_AVAILABLE: { code: 5, retriable: true, message: 'The partition has no leader right now, typically because an election is under way.' },
  NOT_LEADER_OR_FOLLOWER: { code: 6, retriable: true, message: 'This broker is not the leader (or, for replica requests, not a replica) of the partition.' },
  REQUEST_TIMED_OUT: { code: 7, retriable: true, message: 'The request did not complete in time.' },
  BROKER_NOT_AVAILABLE: { code: 8, retriable: false, message: 'The broker is not available.' },
  REPLICA_NOT_AVAILABLE: { code: 9, retriable: true, message: 'A replica of the requested partition is not available.' },
  MESSAGE_TOO_LARGE: { code: 10, retriable: false, message: 'A record is larger than the maximum message size the broker accepts.' },
  STALE_CONTROLLER_EPOCH: { code: 11, retriable: false, message: 'The request carried an old controller epoch; the controller has moved.' },
  OFFSET_METADATA_TOO_LARGE: { code: 12, retriable: false, message: 'The metadata string attached to a committed offset is too long.' },
  NETWORK_EXCEPTION: { code: 13, retriable: true, message: 'The connection was closed before a response arrived.' },
  COORDINATOR_LOAD_IN_PROGRESS: { code: 14, retriable: true, message: 'The coordinator is still loading its state and cannot serve requests yet.' },
  COORDINATOR_NOT_AVAILABLE: { code: 15, retriable: true, message: 'The coordinator is not available.' },
  NOT_COORDINATOR: { code: 16, retriable: true, message: 'This broker is not the coordinator for the requested group or transaction.' },
  INVALID_TOPIC_EXCEPTION: { code: 17, retriable: false, message: 'The topic name is invalid, or the operation is not allowed on this topic.' },
  RECORD_LIST_TOO_LARGE: { code: 18, retriable: false, message: 'A record batch is larger than the log segment size configured on the broker.' },
  NOT_ENOUGH_REPLICAS: { code: 19, retriable: true, message: 'Write rejected: fewer in-sync replicas than the configured minimum.' },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { code: 20, retriable: true, message: 'Records were appended, but fewer in-sync replicas than required acknowledged them.' },
  INVALID_REQUIRED_ACKS: { code: 21, retriable: false, message: 'The produce request asked for an unsupported acks value.' },
  ILLEGAL_GENERATION: { code: 22, retriable: false, message: 'The group generation id in the request is not current.' },
  INCONSISTENT_GROUP_PROTOCOL: { code: 23, retriable: false, message: "The member's protocol type or protocols do not match the group's, or are empty." },
  INVALID_GROUP_ID: { code: 24, retriable: false, message: 'The group id is not valid.' },
  UNKNOWN_MEMBER_ID: { code: 25, retriable: false, message: 'The coordinator does not know this member id.' },
  INVALID_SESSION_TIMEOUT: { code: 26, retriable: false, message: 'The session timeout falls outside the group.min/max.session.timeout.ms range the broker allows.' },
  REBALANCE_IN_PROGRESS: { code: 27, retriable: false, message: 'The group is rebalancing; the member must rejoin.' },
  INVALID_COMMIT_OFFSET_SIZE: { code: 28, retriable: false, message: 'The offset commit payload has an invalid size.' },
  TOPIC_AUTHORIZATION_FAILED: { code: 29, retriable: false, message: 'Not authorized to access the topic.' },
  GROUP_AUTHORIZATION_FAILED: { code: 30, retriable: false, message: 'Not authorized to access the group.' },
  CLUSTER_AUTHORIZATION_FAILED: { code: 31, retriable: false, message: 'Not authorized to perform this cluster operation.' },
  INVALID_TIMESTAMP: { code: 32, retriable: false, message: 'A record timestamp is outside the range the broker accepts.' },
  UNSUPPORTED_SASL_MECHANISM: { code: 33, retriable: false, message: 'The broker does not offer the requested SASL mechanism.' },
  ILLEGAL_SASL_STATE: { code: 34, retriable: false, message: 'This request is not allowed in the current state of SASL authentication.' },
  UNSUPPORTED_VERSION: { code: 35, retriable: false, message: 'The broker does not support this version of the API.' },
  TOPIC_ALREADY_EXISTS: { code: 36, retriable: false, message: 'A topic with this name already exists.' },
  INVALID_PARTITIONS: { code: 37, retriable: false, message: 'The partition count is invalid (for example, less than 1).' },
  INVALID_REPLICATION_FACTOR: { code: 38, retriable: false, message: 'The replication factor is less than 1 or exceeds the number of available brokers.' },
  INVALID_REPLICA_ASSIGNMENT: { code: 39, retriable: false, message: 'The replica assignment is invalid.' },
  INVALID_CONFIG: { code: 40, retriable: false, message: 'The configuration is invalid.' },
  NOT_CONTROLLER: { code: 41, retriable: true, message: 'This node is not the active controller of the cluster.' },
  INVALID_REQUEST: { code: 42, retriable: false, message: 'The request is malformed or was sent to an incompatible broker; check the broker logs.' },
  UNSUPPORTED_FOR_MESSAGE_FORMAT: { code: 43, retriable: false, message: "The request cannot be served with the broker's message format version." },
  POLICY_VIOLATION: { code: 44, retriable: false, message: 'The request violates a policy configured on the broker.' },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { code: 45, retriable: false, message: 'The producer sequence number is not the one the broker expected next.' },
  DUPLICATE_SEQUENCE_NUMBER: { code: 46, retriable: false, message: 'The broker already has a batch with this producer sequence number.' },
  INVALID_PRODUCER_EPOCH: { code: 47, retriable: false, message: 'The producer used an epoch older than the current one.' },
  INVALID_TXN_STATE: { code: 48, retriable: false, message: 'The transactional operation is not valid in the current transaction state.' },
  INVALID_PRODUCER_ID_MAPPING: { code: 49, retriable: false, message: 'The producer id is not the one currently assigned to this transactional id.' },
  INVALID_TRANSACTION_TIMEOUT: { code: 50, retriable: false, message: 'The transaction timeout exceeds the maximum the broker allows (transaction.max.timeout.ms).' },
  CONCURRENT_TRANSACTIONS: { code: 51, retriable: true, message: 'Another operation on the same transaction is still in progress.' },
  TRANSACTION_COORDINATOR_FENCED: { code: 52, retriable: false, message: 'The transaction coordinator that sent this marker request has been superseded.' },
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: { code: 53, retriable: false, message: 'Not authorized to use the transactional id.' },
  SECURITY_DISABLED: { code: 54, retriable: false, message: 'Security features are not enabled on this broker.' },
  OPERATION_NOT_ATTEMPTED: { code: 55, retriable: false, message: 'The broker skipped this operation because another operation in the same batch failed.' },
  KAFKA_STORAGE_ERROR: { code: 56, retriable: true, message: 'A disk error occurred while accessing the log.' },
  LOG_DIR_NOT_FOUND: { code: 57, retriable: false, message: "The requested log directory is not in the broker's configuration." },
  SASL_AUTHENTICATION_FAILED: { code: 58, retriable: false, message: 'SASL authentication failed.' },
  UNKNOWN_PRODUCER_ID: { code: 59, retriable: false, message: 'The broker has no state for this producer id, e.g. because its records were removed by retention.' },
  REASSIGNMENT_IN_PROGRESS: { code: 60, retriable: false, message: 'A partition reassignment is already in progress.' },
  DELEGATION_TOKEN_AUTH_DISABLED: { code: 61, retriable: false, message: 'Delegation tokens are not enabled.' },
  DELEGATION_TOKEN_NOT_FOUND: { code: 62, retriable: false, message: 'The delegation token does not exist.' },
  DELEGATION_TOKEN_OWNER_MISMATCH: { code: 63, retriable: false, message: 'The principal is not an owner or renewer of the delegation token.' },
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: { code: 64, retriable: false, message: 'Delegation token requests are refused on plaintext, one-way TLS, or token-authenticated connections.' },
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: { code: 65, retriable: false, message: 'Not authorized for the delegation token operation.' },
  DELEGATION_TOKEN_EXPIRED: { code: 66, retriable: false, message: 'The delegation token has expired.' },
  INVALID_PRINCIPAL_TYPE: { code: 67, retriable: false, message: 'The principal type is not supported.' },
  NON_EMPTY_GROUP: { code: 68, retriable: false, message: 'The group still has members.' },
  GROUP_ID_NOT_FOUND: { code: 69, retriable: false, message: 'No group with this id exists.' },
  FETCH_SESSION_ID_NOT_FOUND: { code: 70, retriable: true, message: 'The broker has no fetch session with this id.' },
  INVALID_FETCH_SESSION_EPOCH: { code: 71, retriable: true, message: 'The fetch session epoch is not the expected one.' },
  LISTENER_NOT_FOUND: { code: 72, retriable: true, message: 'The leader has no listener matching the one this metadata request arrived on.' },
  TOPIC_DELETION_DISABLED: { code: 73, retriable: false, message: 'Deleting topics is disabled on this cluster.' },
  FENCED_LEADER_EPOCH: { code: 74, retriable: true, message: "The request's leader epoch is older than the broker's." },
  UNKNOWN_LEADER_EPOCH: { code: 75, retriable: true, message: "The request's leader epoch is newer than the broker's." },
  UNSUPPORTED_COMPRESSION_TYPE: { code: 76, retriable: false, message: "The client cannot handle the partition's compression type." },
  STALE_BROKER_EPOCH: { code: 77, retriable: false, message: 'The broker epoch in the request is out of date.' },
  OFFSET_NOT_AVAILABLE: { code: 78, retriable: true, message: 'The new leader has not yet caught up its high watermark, so offsets are not yet guaranteed monotonic.' },
  MEMBER_ID_REQUIRED: { code: 79, retriable: false, message: 'The member must obtain a member id before joining the group.' },
  PREFERRED_LEADER_NOT_AVAILABLE: { code: 80, retriable: true, message: 'The preferred leader is not available.' },
  GROUP_MAX_SIZE_REACHED: { code: 81, retriable: false, message: 'The group already has its maximum number of members.' },
  FENCED_INSTANCE_ID: { code: 82, retriable: false, message: 'Another member with the same group.instance.id but a different member id has taken over.' },
  ELIGIBLE_LEADERS_NOT_AVAILABLE: { code: 83, retriable: true, message: 'No eligible leader is available for the partition.' },
  ELECTION_NOT_NEEDED: { code: 84, retriable: true, message: 'The partition does not need a leader election.' },
  NO_REASSIGNMENT_IN_PROGRESS: { code: 85, retriable: false, message: 'There is no partition reassignment in progress.' },
  GROUP_SUBSCRIBED_TO_TOPIC: { code: 86, retriable: false, message: 'Cannot delete offsets for a topic the group is actively subscribed to.' },
  INVALID_RECORD: { code: 87, retriable: false, message: 'The broker rejected a record that failed validation.' },
  UNSTABLE_OFFSET_COMMIT: { code: 88, retriable: true, message: 'Pending transactional offsets must be resolved first.' },
  THROTTLING_QUOTA_EXCEEDED: { code: 89, retriable: true, message: 'The request exceeded a throttling quota.' },
  PRODUCER_FENCED: { code: 90, retriable: false, message: 'A newer producer with the same transactional id has fenced this one.' },
  RESOURCE_NOT_FOUND: { code: 91, retriable: false, message: 'The request referred to a resource that does not exist.' },
  DUPLICATE_RESOURCE: { code: 92, retriable: false, message: 'The request referred to the same resource more than once.' },
  UNACCEPTABLE_CREDENTIAL: { code: 93, retriable: false, message: 'The requested credential does not meet the acceptance criteria.' },
  INCONSISTENT_VOTER_SET: { code: 94, retriable: false, message: 'The sender or receiver of a voter-only request is not an expected voter.' },
  INVALID_UPDATE_VERSION: { code: 95, retriable: false, message: 'The update version is invalid.' },
  FEATURE_UPDATE_FAILED: { code: 96, retriable: false, message: 'Finalized features could not be updated due to an unexpected server error.' },
  PRINCIPAL_DESERIALIZATION_FAILURE: { code: 97, retriable: false, message: 'The forwarded request principal could not be deserialized (a broker-side security setup problem).' },
  SNAPSHOT_NOT_FOUND: { code: 98, retriable: false, message: 'The requested snapshot does not exist.' },
  POSITION_OUT_OF_RANGE: { code: 99, retriable: false, message: 'The requested position is negative or beyond the end of the snapshot.' },
  UNKNOWN_TOPIC_ID: { code: 100, retriable: true, message: 'This broker does not host a topic with this topic id.' },
  DUPLICATE_BROKER_REGISTRATION: { code: 101, retriable: false, message: 'Another broker has already registered with this broker id.' },
  BROKER_ID_NOT_REGISTERED: { code: 102, retriable: false, message: 'No broker is registered with this broker id.' },
  INCONSISTENT_TOPIC_ID: { code: 103, retriable: true, message: "The topic id in the request does not match the log's topic id." },
  INCONSISTENT_CLUSTER_ID: { code: 104, retriable: false, message: "The cluster id in the request does not match the server's." },
  TRANSACTIONAL_ID_NOT_FOUND: { code: 105, retriable: false, message: 'The transactional id does not exist.' },
  FETCH_SESSION_TOPIC_ID_ERROR: { code: 106, retriable: true, message: 'The fetch session used topic ids inconsistently.' },
  INELIGIBLE_REPLICA: { code: 107, retriable: false, message: 'The proposed ISR contains a replica that is not eligible.' },
  NEW_LEADER_ELECTED: { code: 108, retriable: false, message: 'The partition state was updated by AlterPartition, but a new leader has been elected.' },
  OFFSET_MOVED_TO_TIERED_STORAGE: { code: 109, retriable: false, message: 'The requested offset now lives only in tiered storage.' },
  FENCED_MEMBER_EPOCH: { code: 110, retriable: false, message: 'The member epoch was fenced; the member must give up its partitions and rejoin.' },
  UNRELEASED_INSTANCE_ID: { code: 111, retriable: false, message: 'Another group member still holds this instance id and must leave first.' },
  UNSUPPORTED_ASSIGNOR: { code: 112, retriable: false, message: 'The group does not support the requested assignor or assignor version.' },
  STALE_MEMBER_EPOCH: { code: 113, retriable: false, message: 'The member epoch is out of date; retry after a heartbeat delivers the current one.' },
  MISMATCHED_ENDPOINT_TYPE: { code: 114, retriable: false, message: 'The request reached an endpoint of the wrong type (broker vs controller).' },
  UNSUPPORTED_ENDPOINT_TYPE: { code: 115, retriable: false, message: 'This endpoint type is not supported.' },
  UNKNOWN_CONTROLLER_ID: { code: 116, retriable: false, message: 'No controller with this id is known.' },
  UNKNOWN_SUBSCRIPTION_ID: { code: 117, retriable: false, message: 'The telemetry push used an unknown or outdated subscription id.' },
  TELEMETRY_TOO_LARGE: { code: 118, retriable: false, message: 'The telemetry push exceeds the maximum size the broker accepts.' },
  INVALID_REGISTRATION: { code: 119, retriable: false, message: 'The controller considers the broker registration invalid.' },
  TRANSACTION_ABORTABLE: { code: 120, retriable: false, message: 'The transaction hit an error; abort it to keep using the transactional id.' },
  INVALID_RECORD_STATE: { code: 121, retriable: false, message: 'The record is in a state that does not allow this acknowledgement.' },
  SHARE_SESSION_NOT_FOUND: { code: 122, retriable: true, message: 'The broker has no such share session.' },
  INVALID_SHARE_SESSION_EPOCH: { code: 123, retriable: true, message: 'The share session epoch is not the expected one.' },
  FENCED_STATE_EPOCH: { code: 124, retriable: false, message: 'The share-group state epoch does not match the share coordinator.' },
  INVALID_VOTER_KEY: { code: 125, retriable: false, message: "The voter key does not match the receiving replica's key." },
  DUPLICATE_VOTER: { code: 126, retriable: false, message: 'The voter is already in the voter set.' },
  VOTER_NOT_FOUND: { code: 127, retriable: false, message: 'The voter is not in the voter set.' },
  INVALID_REGULAR_EXPRESSION: { code: 128, retriable: false, message: 'The regular expression is invalid.' },
} as const;

export type KafkaErrorName = keyof typeof KAFKA_ERRORS;

/** One row of the table, with its name. */
export interface KafkaErrorInfo {
  readonly name: KafkaErrorName;
  readonly code: number;
  readonly retriable: boolean;
  readonly message: string;
}

type CodeOf<T extends Record<string, { readonly code: number }>> = { readonly [K in keyof T]: T[K]['code'] };

function codesOf<T extends Record<string, { readonly code: number }>>(table: T): CodeOf<T> {
  const out: Record<string, number> = {};
  for (const [name, entry] of Object.entries(table)) out[name] = entry.code;
  // Object.entries loses the key/literal types; the loop above fills exactly the keys of T.
  return Object.freeze(out) as CodeOf<T>;
}

/** Name → numeric code, e.g. `KafkaErrorCode.OFFSET_OUT_OF_RANGE` (type `1`). */
export const KafkaErrorCode = codesOf(KAFKA_ERRORS);

const BY_CODE: ReadonlyMap<number, KafkaErrorInfo> = new Map(
  (Object.keys(KAFKA_ERRORS) as KafkaErrorName[]).map((name) => {
    const { code, retriable, message } = KAFKA_ERRORS[name];
    return [code, Object.freeze({ name, code, retriable, message })] as const;
  }),
);

/** The table row for a numeric code, or undefined for codes Kafka does not define. */
export function kafkaErrorByCode(code: number): KafkaErrorInfo | undefined {
  return BY_CODE.get(code);
}

/**
 * An error a request handler throws to answer with a Kafka error code. `errorName` is the Kafka
 * name (e.g. `NOT_LEADER_OR_FOLLOWER`); `name` stays `'KafkaApiError'` like any JS error class name.
 */
export class KafkaApiError extends Error {
  override readonly name = 'KafkaApiError';
  readonly code: number;
  readonly errorName: KafkaErrorName;
  readonly retriable: boolean;

  constructor(errorName: KafkaErrorName, message?: string, options?: { cause?: unknown }) {
    const entry = KAFKA_ERRORS[errorName];
    super(message ?? entry.message, options);
    this.code = entry.code;
    this.errorName = errorName;
    this.retriable = entry.retriable;
  }
}
