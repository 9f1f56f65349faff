import { AddOffsetsToTxn } from '@oxbow/protocol';
import { OFFSETS_TOPIC } from '../groups/offsets-topic.js';
import { fencedFor } from './add-partitions-to-txn.js';
import { defineHandler } from './handler.js';

/**
 * AddOffsetsToTxn (25), v0-4: adds the group's `__consumer_offsets` partition to the transaction,
 * so its TxnOffsetCommit records get the transaction's marker.
 */
export const addOffsetsToTxnHandler = defineHandler({
  api: AddOffsetsToTxn,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const lookup = await ctx.services.groups.findGroupCoordinator(request.groupId);
    if (lookup.errorCode !== 0) return { throttleTimeMs: 0, errorCode: lookup.errorCode };
    const partition = ctx.services.groups.partitionFor(request.groupId);
    const code = await ctx.services.transactions.addPartitions(request.transactionalId, request.producerId, request.producerEpoch, [{ topic: OFFSETS_TOPIC, partitions: [partition] }]);
    return { throttleTimeMs: 0, errorCode: fencedFor(ctx.apiVersion, code, 2) };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
