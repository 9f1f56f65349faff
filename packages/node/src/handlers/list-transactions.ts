import { ListTransactions } from '@oxbow/protocol';
import { TXN_STATE } from '../transactions/transaction-records.js';
import { defineHandler } from './handler.js';

/**
 * ListTransactions (66), v0-1: transactions this node coordinates, filtered by state names,
 * producer ids and (v1) how long they have been open. Unknown state names are echoed back.
 */
export const listTransactionsHandler = defineHandler({
  api: ListTransactions,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const known = new Set<string>(Object.keys(TXN_STATE));
    const unknownStateFilters = request.stateFilters.filter((s) => !known.has(s));
    const states = new Set(request.stateFilters.filter((s) => known.has(s)));
    if (unknownStateFilters.length > 0 && states.size === 0) return Promise.resolve({ throttleTimeMs: 0, errorCode: 0, unknownStateFilters, transactionStates: [] });
    const duration = ctx.apiVersion >= 1 ? Number(request.durationFilter) : -1;
    const transactionStates = ctx.services.transactions.list(states, new Set(request.producerIdFilters), duration);
    return Promise.resolve({ throttleTimeMs: 0, errorCode: 0, unknownStateFilters, transactionStates });
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] }),
});
