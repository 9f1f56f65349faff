import { DescribeTransactions } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** DescribeTransactions (65), v0: the state of transactional ids this node coordinates. */
export const describeTransactionsHandler = defineHandler({
  api: DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    return Promise.resolve({ throttleTimeMs: 0, transactionStates: request.transactionalIds.map((id) => ctx.services.transactions.describe(id)) });
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    transactionStates: request.transactionalIds.map((transactionalId) => ({ errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] })),
  }),
});
