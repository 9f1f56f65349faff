/**
 * The embedded coordinator's state file, `{dataDir}/coordinator/state.json`: reading with full
 * validation, and atomic durable replacement (write a temp file, fsync it, rename it over the old
 * file, fsync the directory). A crash at any point leaves either the old or the new file.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PartitionState, TopicRecord } from './coordinator.js';
import { CoordinatorError } from './coordinator-error.js';
import { isValidClusterId, isValidTopicId, validateTopicName } from './identifiers.js';

export const STATE_FILE_VERSION = 1;

/** What the file holds. Broker registrations are session-bound and not persisted. */
export interface PersistedState {
  readonly version: typeof STATE_FILE_VERSION;
  readonly clusterId: string;
  readonly topics: readonly TopicRecord[];
  /** First producer id not yet allocated (decimal string; absent in files written before it existed = 0). */
  readonly nextProducerId?: string;
  /** `clusterSecretKey()`: 32 bytes, base64 (absent until first asked for). Never logged. */
  readonly clusterSecretKey?: string;
}

/** The temp file a write goes through; a leftover one is from an interrupted write. */
export function tempPathOf(path: string): string {
  return `${path}.tmp`;
}

/** Reads and validates the state file; undefined when it does not exist. */
export async function readStateFile(path: string): Promise<PersistedState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new CoordinatorError('io', `Cannot read coordinator state file ${path}: ${describe(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, `not valid JSON (${describe(error)})`, error);
  }
  return parseState(json, path);
}

/** Replaces the state file atomically; resolves once the new content is durable. */
export async function writeStateFile(path: string, state: PersistedState): Promise<void> {
  const temp = tempPathOf(path);
  try {
    await ensureDirectory(dirname(path));
    // Owner-only: topic configs may hold credentials (s3.secret.access.key) until secrets are encrypted.
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new CoordinatorError('io', `Cannot write coordinator state file ${path}: ${describe(error)}`, { cause: error });
  }
}

/** Creates `dir` if needed, making each new directory entry durable too. */
async function ensureDirectory(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created === undefined) return;
  for (let d = dir; dirname(d) !== d; d = dirname(d)) {
    await syncDirectory(dirname(d));
    if (d === created) break;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Checks every field of a parsed state file; throws CoordinatorError('corrupt-state') naming `path`. */
export function parseState(json: unknown, path: string): PersistedState {
  const fail = (what: string): never => {
    throw corrupt(path, what);
  };
  if (!isObject(json)) return fail('the top level is not an object');
  if (json.version !== STATE_FILE_VERSION) return fail(`unsupported version ${JSON.stringify(json.version)} (expected ${STATE_FILE_VERSION})`);
  const clusterId = json.clusterId;
  if (typeof clusterId !== 'string' || !isValidClusterId(clusterId)) return fail(`invalid clusterId ${JSON.stringify(clusterId)}`);
  if (!Array.isArray(json.topics)) return fail('topics is not an array');
  const names = new Set<string>();
  const ids = new Set<string>();
  const topics = json.topics.map((raw: unknown, i: number): TopicRecord => {
    const topic = parseTopic(raw, (what) => fail(`topics[${i}]: ${what}`));
    if (names.has(topic.name)) fail(`topic name ${topic.name} appears twice`);
    if (ids.has(topic.topicId)) fail(`topic id ${topic.topicId} appears twice`);
    names.add(topic.name);
    ids.add(topic.topicId);
    return topic;
  });
  const nextProducerId = json.nextProducerId;
  if (nextProducerId !== undefined && (typeof nextProducerId !== 'string' || !/^(0|[1-9][0-9]{0,18})$/.test(nextProducerId))) {
    return fail(`invalid nextProducerId ${JSON.stringify(nextProducerId)}`);
  }
  const key = json.clusterSecretKey;
  // The value itself never goes into an error message.
  if (key !== undefined && (typeof key !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(key))) return fail('clusterSecretKey is not 32 bytes of base64');
  return {
    version: STATE_FILE_VERSION,
    clusterId,
    topics,
    ...(nextProducerId === undefined ? {} : { nextProducerId }),
    ...(key === undefined ? {} : { clusterSecretKey: key }),
  };
}

function parseTopic(raw: unknown, fail: (what: string) => never): TopicRecord {
  if (!isObject(raw)) return fail('not an object');
  const { name, topicId, partitions, configs } = raw;
  if (typeof name !== 'string') return fail('name is not a string');
  try {
    validateTopicName(name);
  } catch (error) {
    return fail(describe(error));
  }
  if (typeof topicId !== 'string' || !isValidTopicId(topicId)) return fail(`invalid topicId ${JSON.stringify(topicId)}`);
  if (!Array.isArray(partitions) || partitions.length === 0) return fail('partitions is not a non-empty array');
  if (!isObject(configs)) return fail('configs is not an object');
  const parsedConfigs: Record<string, string> = {};
  for (const [key, value] of Object.entries(configs)) {
    if (typeof value !== 'string') return fail(`config ${key} is not a string`);
    parsedConfigs[key] = value;
  }
  const parsedPartitions = partitions.map((p: unknown, i: number) => parsePartition(p, i, (what) => fail(`partitions[${i}]: ${what}`)));
  return { name, topicId, partitions: parsedPartitions, configs: parsedConfigs };
}

function parsePartition(raw: unknown, index: number, fail: (what: string) => never): PartitionState {
  if (!isObject(raw)) return fail('not an object');
  const { partition, replicas, leader, leaderEpoch, isr } = raw;
  if (partition !== index) return fail(`partition is ${JSON.stringify(partition)}, expected ${index}`);
  if (!isIntArray(replicas) || replicas.length === 0) return fail('replicas is not a non-empty array of integers');
  if (!isIntArray(isr)) return fail('isr is not an array of integers');
  if (!Number.isInteger(leader) || typeof leader !== 'number') return fail('leader is not an integer');
  if (!Number.isInteger(leaderEpoch) || typeof leaderEpoch !== 'number' || leaderEpoch < 0) return fail('leaderEpoch is not a non-negative integer');
  if (new Set(replicas).size !== replicas.length) return fail('replicas are not distinct');
  if (new Set(isr).size !== isr.length || isr.some((id) => !replicas.includes(id))) return fail('isr is not a set of replicas');
  if (leader !== -1 && !isr.includes(leader)) return fail(`leader ${leader} is not in isr`);
  return { partition: index, replicas, leader, leaderEpoch, isr };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v));
}

function corrupt(path: string, what: string, cause?: unknown): CoordinatorError {
  return new CoordinatorError(
    'corrupt-state',
    `Coordinator state file ${path} is corrupt: ${what}. Restore it from a backup or move it aside to start with empty state ` +
      `(this forgets every topic and the cluster id).`,
    cause === undefined ? undefined : { cause },
  );
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
