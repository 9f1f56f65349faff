import { Fetch, KafkaErrorCode, type RequestOf } from '@oxbow/protocol';
import type { PartitionHandle } from '@oxbow/partition-actor';
import type { BrokerServices, PartitionLookup } from '../broker/services.js';
import { defineHandler, type RequestContext } from './handler.js';

type FetchRequest = RequestOf<typeof Fetch>;

interface Slot {
  readonly topicKey: { topic: string; topicId: string };
  readonly partition: number;
  readonly fetchOffset: bigint;
  readonly partitionMaxBytes: number;
  readonly currentLeaderEpoch: number;
  readonly lookup: PartitionLookup;
}

interface PartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null;
  preferredReadReplica: number;
  records: Buffer;
}

const EMPTY = Buffer.alloc(0);

function resolveSlots(request: FetchRequest, version: number, services: BrokerServices): Slot[] {
  const slots: Slot[] = [];
  for (const t of request.topics) {
    const byId = version >= 13;
    const record = byId ? services.coordinator.topicById(t.topicId) : services.coordinator.topic(t.topic);
    const topicKey = { topic: byId ? (record?.name ?? '') : t.topic, topicId: byId ? t.topicId : (record?.topicId ?? t.topicId) };
    for (const p of t.partitions) {
      const lookup: PartitionLookup = byId
        ? services.partitionById(t.topicId, p.partition)
        : services.partition(t.topic, p.partition);
      slots.push({ topicKey, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch, lookup });
    }
  }
  return slots;
}

/** One pass over every partition, honouring the response-wide and per-partition byte limits. */
async function readAll(slots: readonly Slot[], maxBytes: number, readCommitted: boolean): Promise<{ data: PartitionData[]; bytes: number; errors: boolean }> {
  const data: PartitionData[] = [];
  let bytes = 0;
  let errors = false;
  for (const slot of slots) {
    if (!slot.lookup.ok) {
      errors = true;
      data.push({ partitionIndex: slot.partition, errorCode: slot.lookup.errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: EMPTY });
      continue;
    }
    const room = Math.min(slot.partitionMaxBytes, maxBytes - bytes);
    const result = await slot.lookup.handle.read({
      offset: slot.fetchOffset,
      maxBytes: Math.max(room, 0),
      // Kafka returns the first batch whole even when it exceeds the limits, so consumers never stall.
      minOneBatch: bytes === 0,
      isolation: readCommitted ? 'read_committed' : 'read_uncommitted',
      currentLeaderEpoch: slot.currentLeaderEpoch,
    });
    if (result.errorCode !== 0) errors = true;
    bytes += result.records.length;
    data.push({
      partitionIndex: slot.partition,
      errorCode: result.errorCode,
      highWatermark: result.highWatermark,
      lastStableOffset: result.lastStableOffset,
      logStartOffset: result.logStartOffset,
      abortedTransactions: result.abortedTransactions === null ? null : [...result.abortedTransactions],
      preferredReadReplica: -1,
      records: result.records,
    });
  }
  return { data, bytes, errors };
}

/**
 * Resolves when any of `handles` advances its high watermark past `seen` (the watermarks before the
 * last read, so an advance during that read is not missed), the deadline passes, or `signal` aborts.
 */
function waitForData(handles: readonly PartitionHandle[], seen: readonly bigint[], deadline: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribes: (() => void)[] = [];
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      for (const u of unsubscribes) u();
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
    signal.addEventListener('abort', done, { once: true });
    for (const h of handles) unsubscribes.push(h.onHighWatermark(done));
    if (handles.some((h, i) => h.highWatermark !== seen[i])) done();
  });
}

function group(request: FetchRequest, slots: readonly Slot[], data: readonly PartitionData[], version: number) {
  let i = 0;
  return request.topics.map((t) => {
    const partitions = t.partitions.map(() => data[i++] as PartitionData);
    const first = slots[i - partitions.length];
    return { topic: version >= 13 ? '' : t.topic, topicId: first?.topicKey.topicId ?? t.topicId, partitions };
  });
}

async function handleFetch(request: FetchRequest, ctx: RequestContext) {
  const version = ctx.apiVersion;
  // Fetch sessions (KIP-227) are optional for a broker: we never create one (session id 0), so
  // clients send full requests; a client naming a session we do not have is told so.
  if (request.sessionId !== 0) {
    return { throttleTimeMs: 0, errorCode: KafkaErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
  }
  const readCommitted = request.isolationLevel === 1;
  const slots = resolveSlots(request, version, ctx.services);
  const deadline = Date.now() + Math.max(0, request.maxWaitMs);
  const maxBytes = version >= 3 ? request.maxBytes : 0x7fffffff;
  const handles = slots.flatMap((s) => (s.lookup.ok ? [s.lookup.handle] : []));
  let seen = handles.map((h) => h.highWatermark);
  let pass = await readAll(slots, maxBytes, readCommitted);
  while (pass.bytes < request.minBytes && !pass.errors && Date.now() < deadline && !ctx.signal.aborted && handles.length > 0) {
    await waitForData(handles, seen, deadline, ctx.signal);
    seen = handles.map((h) => h.highWatermark);
    pass = await readAll(slots, maxBytes, readCommitted);
  }
  pass.data.forEach((d, i) => {
    const topic = slots[i]?.topicKey.topic;
    if (d.records.length > 0 && topic !== undefined) ctx.services.metrics.bytesOut.add(d.records.length, { topic });
  });
  return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: group(request, slots, pass.data, version), nodeEndpoints: [] };
}

/**
 * Fetch (1), v4+ (record batches v2). Reads whole batches straight from the partitions' storage,
 * long-polls up to maxWaitMs for minBytes (woken by high-watermark advances), supports topic ids
 * (v13+) and read_committed (bounded by the last stable offset, with the aborted transactions
 * the returned batches overlap).
 */
export const fetchHandler = defineHandler({
  api: Fetch,
  minVersion: 4,
  maxVersion: 16,
  handle: handleFetch,
  errorResponse: (request, errorCode) => ({
    errorCode,
    sessionId: 0,
    responses: request.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode, highWatermark: -1n, records: EMPTY })),
    })),
  }),
});
