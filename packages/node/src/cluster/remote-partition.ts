import type { Acks, AppendOrigin, AppendResult, ListOffsetResult, PartitionHandle, ProducerDescription, ReadRequest, ReadResult, TxnMarker } from '@oxbow/partition-actor';
import { KafkaErrorCode } from '@oxbow/protocol';
import type * as grpc from '@grpc/grpc-js';
import type { ForwardClient } from './grpc-contracts.js';

/** Runs one unary call of the Forward service (span, trace metadata, deadline); rejects on transport errors. */
export type ForwardCall = <T>(name: string, invoke: (client: ForwardClient, metadata: grpc.Metadata, options: grpc.CallOptions, done: (err: Error | null, value?: T) => void) => void) => Promise<T>;

/**
 * A partition led by another node, as seen by a node that answers clients for every partition
 * (`oxbow.client.routing=local`): each operation is forwarded over gRPC to the leader, which applies
 * it to its own partition actor. Transport failures come back as NOT_LEADER_OR_FOLLOWER, which
 * clients retry after refreshing metadata. The high watermark is the last one a read returned;
 * long polls on this handle wait for their deadline (`onHighWatermark` never fires).
 */
export class RemotePartitionHandle implements PartitionHandle {
  readonly topic: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  #highWatermark = -1n;
  #lastStable = -1n;
  #logStart = -1n;
  readonly #call: ForwardCall;

  constructor(topic: string, partition: number, leaderEpoch: number, call: ForwardCall) {
    this.topic = topic;
    this.partition = partition;
    this.leaderEpoch = leaderEpoch;
    this.#call = call;
  }

  get highWatermark(): bigint {
    return this.#highWatermark;
  }
  get lastStableOffset(): bigint {
    return this.#lastStable;
  }
  get logStartOffset(): bigint {
    return this.#logStart;
  }
  get logEndOffset(): bigint {
    return this.#highWatermark;
  }

  async append(records: Buffer | null, acks: Acks, origin: AppendOrigin = 'client'): Promise<AppendResult> {
    if (origin !== 'client') return failedAppend(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, 'coordinator writes are never forwarded');
    try {
      const r = await this.#call<{ errorCode: number; errorMessage: string; baseOffset: string; logAppendTimeMs: string; logStartOffset: string }>('append', (c, metadata, options, done) =>
        c.Append({ topic: this.topic, partition: this.partition, records: records ?? Buffer.alloc(0), acks }, metadata, options, (err, res) => done(err, res)),
      );
      return { errorCode: r.errorCode, errorMessage: r.errorMessage === '' ? null : r.errorMessage, baseOffset: BigInt(r.baseOffset), logAppendTimeMs: BigInt(r.logAppendTimeMs), logStartOffset: BigInt(r.logStartOffset) };
    } catch (err) {
      return failedAppend(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, `forwarding to the leader failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async read(request: ReadRequest): Promise<ReadResult> {
    const committed = request.isolation === 'read_committed';
    try {
      const r = await this.#call<{ errorCode: number; highWatermark: string; lastStableOffset: string; logStartOffset: string; records: Buffer; abortedTransactions: { producerId: string; firstOffset: string }[] }>('read', (c, metadata, options, done) =>
        c.Read(
          { topic: this.topic, partition: this.partition, offset: request.offset.toString(), maxBytes: request.maxBytes, minOneBatch: request.minOneBatch, readCommitted: committed, currentLeaderEpoch: request.currentLeaderEpoch },
          metadata,
          options,
          (err, res) => done(err, res),
        ),
      );
      this.#highWatermark = BigInt(r.highWatermark);
      this.#lastStable = BigInt(r.lastStableOffset);
      this.#logStart = BigInt(r.logStartOffset);
      return {
        errorCode: r.errorCode,
        highWatermark: this.#highWatermark,
        lastStableOffset: this.#lastStable,
        logStartOffset: this.#logStart,
        records: r.records,
        abortedTransactions: committed ? r.abortedTransactions.map((a) => ({ producerId: BigInt(a.producerId), firstOffset: BigInt(a.firstOffset) })) : null,
      };
    } catch {
      return { errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: Buffer.alloc(0), abortedTransactions: committed ? [] : null };
    }
  }

  async listOffset(timestamp: bigint, isolation: 'read_uncommitted' | 'read_committed', currentLeaderEpoch: number): Promise<ListOffsetResult> {
    try {
      const r = await this.#call<{ errorCode: number; offset: string; timestamp: string; leaderEpoch: number }>('list offset', (c, metadata, options, done) =>
        c.ListOffset({ topic: this.topic, partition: this.partition, timestamp: timestamp.toString(), readCommitted: isolation === 'read_committed', currentLeaderEpoch }, metadata, options, (err, res) => done(err, res)),
      );
      return { errorCode: r.errorCode, offset: BigInt(r.offset), timestamp: BigInt(r.timestamp), leaderEpoch: r.leaderEpoch };
    } catch {
      return { errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, offset: -1n, timestamp: -1n, leaderEpoch: -1 };
    }
  }

  async endOffsetForEpoch(leaderEpoch: number, currentLeaderEpoch: number): Promise<{ errorCode: number; leaderEpoch: number; endOffset: bigint }> {
    try {
      const r = await this.#call<{ errorCode: number; leaderEpoch: number; endOffset: string }>('end offset for epoch', (c, metadata, options, done) =>
        c.EndOffsetForEpoch({ topic: this.topic, partition: this.partition, leaderEpoch, currentLeaderEpoch }, metadata, options, (err, res) => done(err, res)),
      );
      return { errorCode: r.errorCode, leaderEpoch: r.leaderEpoch, endOffset: BigInt(r.endOffset) };
    } catch {
      return { errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, leaderEpoch: -1, endOffset: -1n };
    }
  }

  writeTxnMarker(_marker: TxnMarker): Promise<{ errorCode: number; offset: bigint }> {
    return Promise.resolve({ errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, offset: -1n });
  }

  describeProducers(): Promise<{ errorCode: number; producers: readonly ProducerDescription[] }> {
    return Promise.resolve({ errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, producers: [] });
  }

  deleteRecordsBefore(_offset: bigint): Promise<{ errorCode: number; lowWatermark: bigint }> {
    return Promise.resolve({ errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, lowWatermark: -1n });
  }

  onHighWatermark(_listener: () => void): () => void {
    return () => undefined;
  }
}

function failedAppend(errorCode: number, errorMessage: string): AppendResult {
  return { errorCode, errorMessage, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}
