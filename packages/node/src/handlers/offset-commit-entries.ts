import type { OffsetCommitEntry } from '../groups/group-offsets.js';

/** The partitions of an OffsetCommit or TxnOffsetCommit request (same shape), as flat entries in request order. */
interface CommitTopics {
  readonly topics: readonly {
    readonly name: string;
    readonly partitions: readonly { readonly partitionIndex: number; readonly committedOffset: bigint; readonly committedLeaderEpoch: number; readonly committedMetadata: string | null }[];
  }[];
}

export function commitEntries(request: CommitTopics): OffsetCommitEntry[] {
  return request.topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata })),
  );
}

/** Per-partition answers for `request`, taking `errors` (one per entry, in request order) or one `errorCode` for all. */
export function commitResults(request: CommitTopics, errors: readonly number[] | number): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
  let i = 0;
  return request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: typeof errors === 'number' ? errors : (errors[i++] ?? 0) })),
  }));
}
