import { EndTxn } from '@oxbow/protocol';
import { fencedFor } from './add-partitions-to-txn.js';
import { defineHandler } from './handler.js';

/**
 * EndTxn (26), v0-4: commits or aborts the producer's transaction. Answered once the decision is
 * durable in `__transaction_state` and the markers were written (markers that keep failing are
 * retried in the background; the decision stands).
 */
export const endTxnHandler = defineHandler({
  api: EndTxn,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const code = await ctx.services.transactions.endTxn(request.transactionalId, request.producerId, request.producerEpoch, request.committed);
    return { throttleTimeMs: 0, errorCode: fencedFor(ctx.apiVersion, code, 2) };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
