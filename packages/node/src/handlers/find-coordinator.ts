import { FindCoordinator, KafkaErrorCode } from '@oxbow/protocol';
import { coordinatorError, type CoordinatorLookup } from '../internal/internal-topic.js';
import { defineHandler, type RequestContext } from './handler.js';

const KEY_TYPE = { group: 0, transaction: 1 } as const;

async function lookup(key: string, keyType: number, ctx: RequestContext): Promise<CoordinatorLookup> {
  if (keyType === KEY_TYPE.group) return ctx.services.groups.findGroupCoordinator(key);
  if (keyType === KEY_TYPE.transaction) return ctx.services.transactions.findCoordinator(key);
  return coordinatorError(KafkaErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}.`);
}

/**
 * FindCoordinator (10), v0-5: a group's coordinator is the leader of its `__consumer_offsets`
 * partition, a transactional id's the leader of its `__transaction_state` partition (each topic
 * is created on first use). v4+ batches keys.
 */
export const findCoordinatorHandler = defineHandler({
  api: FindCoordinator,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    if (ctx.apiVersion >= 4) {
      const coordinators = await Promise.all(
        request.coordinatorKeys.map(async (key) => {
          const r = await lookup(key, request.keyType, ctx);
          return { key, ...r };
        }),
      );
      return { throttleTimeMs: 0, coordinators };
    }
    const r = await lookup(request.key, ctx.apiVersion >= 1 ? request.keyType : KEY_TYPE.group, ctx);
    return { throttleTimeMs: 0, ...r };
  },
  errorResponse: (request, errorCode, ctx) =>
    ctx.apiVersion >= 4
      ? { coordinators: request.coordinatorKeys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: null })) }
      : { errorCode, nodeId: -1, host: '', port: -1 },
});
