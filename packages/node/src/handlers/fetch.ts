import { BATCH_HEADER_SIZE, Fetch, KafkaErrorCode, RecordBatchView, type RequestOf } from '@oxbow/protocol';
import type { PartitionHandle, ReadResult } from '@oxbow/partition-actor';
import type { BrokerServices, PartitionLookup } from '../broker/services.js';
import { BROKER_SETTINGS } from '../config/broker-settings.js';
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
const DEFAULT_FETCH_MAX_BYTES = Number(BROKER_SETTINGS['fetch.max.bytes'].default);
/** The broker's fetch.max.bytes per services object: broker settings are static (set at start-up). */
const fetchMaxBytesCache = new WeakMap<BrokerServices, number>();

/** The broker's `fetch.max.bytes`, read once through the broker's own DescribeConfigs view. */
function brokerFetchMaxBytes(services: BrokerServices): number {
  let value = fetchMaxBytesCache.get(services);
  if (value === undefined) {
    // Resource name "" is the cluster-wide view of this broker's settings (no node id needed).
    const described = (services.topics as BrokerServices['topics'] | undefined)?.describeBrokerConfigs('', -1, { keys: ['fetch.max.bytes'] });
    const text = described !== undefined && 'value' in described ? described.value[0]?.value : undefined;
    const n = Number(text ?? DEFAULT_FETCH_MAX_BYTES);
    value = Number.isFinite(n) && n > 0 ? n : DEFAULT_FETCH_MAX_BYTES;
    fetchMaxBytesCache.set(services, value);
  }
  return value;
}

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

type ReadOutcome = { readonly ok: true; readonly result: ReadResult } | { readonly ok: false; readonly errorCode: number };

function readSlot(slot: Slot, maxBytes: number, minOneBatch: boolean, readCommitted: boolean): Promise<ReadOutcome> {
  if (!slot.lookup.ok) return Promise.resolve({ ok: false, errorCode: slot.lookup.errorCode });
  return slot.lookup.handle
    .read({
      offset: slot.fetchOffset,
      maxBytes: Math.max(maxBytes, 0),
      minOneBatch,
      isolation: readCommitted ? 'read_committed' : 'read_uncommitted',
      currentLeaderEpoch: slot.currentLeaderEpoch,
    })
    .then((result) => ({ ok: true, result }));
}

/**
 * The longest run of whole batches at the start of `records` within `limit` bytes, and the
 * aborted transactions that still overlap it. A read with a larger limit returns a superset of the
 * batches a smaller one would, so this is what the smaller read would have returned.
 */
function trimTo(result: ReadResult, limit: number): ReadResult {
  const { records } = result;
  if (records.length <= limit) return result;
  let end = 0;
  let lastOffset = -1n;
  while (end + BATCH_HEADER_SIZE <= records.length) {
    const view = new RecordBatchView(records, end);
    if (end + view.size > limit) break;
    end += view.size;
    lastOffset = view.lastOffset;
  }
  const aborted = result.abortedTransactions === null ? null : result.abortedTransactions.filter((a) => a.firstOffset <= lastOffset);
  return { ...result, records: end === 0 ? EMPTY : records.subarray(0, end), abortedTransactions: aborted };
}

/**
 * One pass over every partition, with Kafka's limits: partitions in request order share the
 * response-wide `maxBytes`, each gets at most its `partitionMaxBytes`, and the first non-empty
 * partition returns its first batch whole even when that exceeds the limits.
 *
 * The leading partitions whose `partitionMaxBytes` add up to no more than `maxBytes` (the usual
 * case: every partition of a consumer's fetch) are read concurrently, so their file reads overlap;
 * each is read as if it came first and then cut, in order, to the room a one-by-one pass would
 * have left it (`trimTo`), which gives the same bytes. The rest are read one after another.
 */
async function readAll(slots: readonly Slot[], maxBytes: number, readCommitted: boolean): Promise<{ data: PartitionData[]; bytes: number; errors: boolean }> {
  let concurrent = 0;
  for (let sum = 0; concurrent < slots.length; concurrent++) {
    sum += (slots[concurrent] as Slot).partitionMaxBytes;
    if (sum > maxBytes && concurrent > 0) break;
  }
  const early = slots.slice(0, concurrent).map((slot) => readSlot(slot, Math.min(slot.partitionMaxBytes, maxBytes), true, readCommitted));
  // A failed read is rethrown where it is awaited; until then (or if an earlier one throws) it is handled.
  for (const p of early) p.catch(() => undefined);
  const data: PartitionData[] = [];
  let bytes = 0;
  let errors = false;
  for (const [i, slot] of slots.entries()) {
    const room = Math.min(slot.partitionMaxBytes, maxBytes - bytes);
    // Kafka returns the first batch whole even when it exceeds the limits, so consumers never stall.
    const outcome = await (early[i] ?? readSlot(slot, room, bytes === 0, readCommitted));
    if (!outcome.ok) {
      errors = true;
      data.push({ partitionIndex: slot.partition, errorCode: outcome.errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: EMPTY });
      continue;
    }
    const result = bytes === 0 ? outcome.result : trimTo(outcome.result, Math.max(room, 0));
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
  // Like Kafka, the broker's fetch.max.bytes caps what the client asks for, and minBytes with it.
  const cap = brokerFetchMaxBytes(ctx.services);
  const maxBytes = Math.min(version >= 3 ? request.maxBytes : 0x7fffffff, cap);
  const minBytes = Math.min(request.minBytes, maxBytes);
  const handles = slots.flatMap((s) => (s.lookup.ok ? [s.lookup.handle] : []));
  let seen = handles.map((h) => h.highWatermark);
  let pass = await readAll(slots, maxBytes, readCommitted);
  while (pass.bytes < minBytes && !pass.errors && Date.now() < deadline && !ctx.signal.aborted && handles.length > 0) {
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
