import { KafkaErrorCode, scanBatches } from '@oxbow/protocol';
import { appendInfoOf, StorageError } from '@oxbow/storage';
import type { PartitionBackend } from './backend.js';
import type { HighWatermark } from './high-watermark.js';
import type { LogEndWaiters } from './log-end-waiters.js';
import type { ReplicaFetchRequest, ReplicaFetchResult } from './partition-actor-options.js';
import type { StorageFailure } from './storage-failure.js';

/** What the leader side of replication takes from its partition. */
export interface ReplicaFetchContext {
  readonly backend: PartitionBackend;
  readonly highWatermark: HighWatermark;
  readonly endWaiters: LogEndWaiters;
  readonly failure: StorageFailure;
  isLeader(): boolean;
  leaderEpoch(): number;
}

/**
 * Leader side of replication: the follower's fetch from `fetchOffset` acknowledges everything
 * before it (the high watermark may advance); answered with the batches after it, up to the log
 * end, after waiting up to `maxWaitMs` when there are none. A follower whose log diverges from
 * the leader's (its last epoch ends earlier here) is told where to truncate.
 */
export async function answerReplicaFetch(req: ReplicaFetchRequest, ctx: ReplicaFetchContext): Promise<ReplicaFetchResult> {
  const { backend, highWatermark, failure } = ctx;
  const base = (): Omit<ReplicaFetchResult, 'errorCode' | 'records' | 'divergingEpoch'> => ({ highWatermark: highWatermark.offset, logStartOffset: backend.logStartOffset });
  const fail = (errorCode: number): ReplicaFetchResult => ({ ...base(), errorCode, records: Buffer.alloc(0), divergingEpoch: null });
  if (failure.error !== null) return fail(KafkaErrorCode.KAFKA_STORAGE_ERROR);
  if (!ctx.isLeader()) return fail(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
  const leaderEpoch = ctx.leaderEpoch();
  if (req.leaderEpoch !== leaderEpoch) return fail(req.leaderEpoch < leaderEpoch ? KafkaErrorCode.FENCED_LEADER_EPOCH : KafkaErrorCode.UNKNOWN_LEADER_EPOCH);
  if (!highWatermark.isReplica(req.replicaId)) return fail(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (req.lastFetchedEpoch >= 0) {
    const end = backend.endOffsetForEpoch(req.lastFetchedEpoch);
    if (end.epoch !== req.lastFetchedEpoch || end.endOffset < req.fetchOffset) {
      return { ...base(), errorCode: 0, records: Buffer.alloc(0), divergingEpoch: { epoch: end.epoch, endOffset: end.endOffset } };
    }
  }
  if (req.fetchOffset < backend.logStartOffset || req.fetchOffset > backend.logEndOffset) return fail(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
  highWatermark.followerFetched(req.replicaId, req.fetchOffset, backend.logEndOffset);
  if (req.fetchOffset >= backend.logEndOffset && req.maxWaitMs > 0) {
    await ctx.endWaiters.wait(() => backend.logEndOffset > req.fetchOffset || !ctx.isLeader(), req.maxWaitMs);
  }
  if (!ctx.isLeader() || req.leaderEpoch !== ctx.leaderEpoch()) return fail(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (req.fetchOffset >= backend.logEndOffset) return { ...base(), errorCode: 0, records: Buffer.alloc(0), divergingEpoch: null };
  try {
    const records = await backend.read(req.fetchOffset, req.maxBytes, backend.logEndOffset, true);
    return { ...base(), errorCode: 0, records, divergingEpoch: null };
  } catch (err) {
    if (err instanceof StorageError && err.code === 'offset-out-of-range') return fail(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
    return fail(failure.record(err).errorCode);
  }
}

/**
 * Follower side: appends the batches fetched from the leader that lie past the local log end, as
 * they are (offsets and epochs the leader assigned), recording new epochs' start offsets first.
 * Resolves true when the log grew.
 */
export async function appendFetchedBatches(backend: PartitionBackend, records: Buffer): Promise<boolean> {
  const end = backend.logEndOffset;
  const views = records.length === 0 ? [] : scanBatches(records, { verifyCrc: true }).filter((v) => v.baseOffset >= end);
  const first = views[0];
  const last = views[views.length - 1];
  if (first === undefined || last === undefined) return false;
  if (first.baseOffset !== end) throw new StorageError('invalid-append', `replicated batches start at ${first.baseOffset}, the log ends at ${end}`);
  let epoch = backend.latestEpoch();
  for (const v of views) {
    if (v.partitionLeaderEpoch > epoch) {
      epoch = v.partitionLeaderEpoch;
      await backend.assignEpochStartOffset(epoch, v.baseOffset);
    }
  }
  const bytes = first.start === 0 && last.start + last.size === records.length ? records : records.subarray(first.start, last.start + last.size);
  await backend.append(bytes, appendInfoOf(views));
  return true;
}
