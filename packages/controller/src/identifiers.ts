/**
 * Cluster ids, topic ids and topic names: generation and validation, following Kafka's rules.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KafkaApiError } from '@oxbow/protocol';

/** Kafka's limit (`Topic.MAX_NAME_LENGTH`). */
export const MAX_TOPIC_NAME_LENGTH = 249;

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CLUSTER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * A fresh cluster id: 16 random bytes as 22 base64url characters, as Kafka's `kafka-storage
 * random-uuid` makes them. Like Kafka (KAFKA-20072) we skip ids containing '-', which command
 * lines misread as options.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.includes('-')) return id;
  }
}

/** True for cluster ids we accept from configuration: 1–64 base64url characters (safe in etcd keys). */
export function isValidClusterId(id: string): boolean {
  return CLUSTER_ID.test(id);
}

/**
 * A fresh topic id: a random UUID v4 that is not yet `taken`. A v4 UUID is never the all-zero UUID
 * (Kafka's "no id") nor Kafka's reserved metadata topic id; like Kafka's `Uuid.randomUuid` we also
 * skip ids whose base64url form (how Kafka tools print topic ids) contains '-'.
 */
export function newTopicId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = randomUUID();
    const base64 = Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url');
    if (id !== ZERO_UUID && !base64.includes('-') && !taken(id)) return id;
  }
}

/** True for canonical lowercase 8-4-4-4-12 UUIDs other than the all-zero one. */
export function isValidTopicId(id: string): boolean {
  return CANONICAL_UUID.test(id) && id !== ZERO_UUID;
}

/** Throws INVALID_TOPIC_EXCEPTION unless `name` is a legal Kafka topic name. */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new KafkaApiError('INVALID_TOPIC_EXCEPTION', 'Topic name is illegal, it can\'t be empty.');
  if (name === '.' || name === '..') throw new KafkaApiError('INVALID_TOPIC_EXCEPTION', `Topic name cannot be "." or "..".`);
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new KafkaApiError(
      'INVALID_TOPIC_EXCEPTION',
      `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`,
    );
  }
  if (!LEGAL_TOPIC_NAME.test(name)) {
    throw new KafkaApiError(
      'INVALID_TOPIC_EXCEPTION',
      `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    );
  }
}

/**
 * Kafka refuses names that differ only in '.' versus '_', because metric names would collide;
 * topics whose names map to the same key collide.
 */
export function topicCollisionKey(name: string): string {
  return name.replaceAll('.', '_');
}
