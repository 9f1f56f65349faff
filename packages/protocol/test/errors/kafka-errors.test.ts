import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  KAFKA_ERRORS,
  KafkaApiError,
  KafkaErrorCode,
  type KafkaErrorName,
  kafkaErrorByCode,
} from '../../src/errors/kafka-errors.js';

interface KafkajsErrorCode {
  type: string;
  code: number;
  retriable: boolean;
  message: string;
}

const require = createRequire(import.meta.url);
const kafkajs = require('kafkajs/src/protocol/error.js') as { errorCodes: KafkajsErrorCode[] };

const names = Object.keys(KAFKA_ERRORS) as KafkaErrorName[];
const entries = names.map((name) => ({ name, ...KAFKA_ERRORS[name] }));

/**
 * Codes Kafka has renamed since kafkajs 2.2.4 froze its table. Kafka's current name wins; kafkajs
 * still uses the old one.
 */
const KAFKAJS_OUTDATED_NAMES: Readonly<Record<number, { kafkajs: string; kafka: KafkaErrorName }>> = {
  [-1]: { kafkajs: 'UNKNOWN', kafka: 'UNKNOWN_SERVER_ERROR' },
  6: { kafkajs: 'NOT_LEADER_FOR_PARTITION', kafka: 'NOT_LEADER_OR_FOLLOWER' },
  14: { kafkajs: 'GROUP_LOAD_IN_PROGRESS', kafka: 'COORDINATOR_LOAD_IN_PROGRESS' },
  15: { kafkajs: 'GROUP_COORDINATOR_NOT_AVAILABLE', kafka: 'COORDINATOR_NOT_AVAILABLE' },
  16: { kafkajs: 'NOT_COORDINATOR_FOR_GROUP', kafka: 'NOT_COORDINATOR' },
};

describe('KAFKA_ERRORS', () => {
  it('has unique codes and unique names', () => {
    const codes = entries.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(names).size).toBe(names.length);
  });

  it('covers every code from -1 to 128 with no gaps', () => {
    const codes = entries.map((e) => e.code).sort((a, b) => a - b);
    expect(codes[0]).toBe(-1);
    expect(codes.at(-1)).toBe(128);
    expect(codes).toEqual(Array.from({ length: 130 }, (_, i) => i - 1));
  });

  it('has a non-empty message for every entry', () => {
    for (const e of entries) expect(e.message.length, e.name).toBeGreaterThan(0);
  });

  it.each([
    ['UNKNOWN_SERVER_ERROR', -1, false],
    ['NONE', 0, false],
    ['OFFSET_OUT_OF_RANGE', 1, false],
    ['CORRUPT_MESSAGE', 2, true],
    ['UNKNOWN_TOPIC_OR_PARTITION', 3, true],
    ['LEADER_NOT_AVAILABLE', 5, true],
    ['NOT_LEADER_OR_FOLLOWER', 6, true],
    ['REQUEST_TIMED_OUT', 7, true],
    ['MESSAGE_TOO_LARGE', 10, false],
    ['NETWORK_EXCEPTION', 13, true],
    ['NOT_COORDINATOR', 16, true],
    ['REBALANCE_IN_PROGRESS', 27, false],
    ['UNSUPPORTED_VERSION', 35, false],
    ['NOT_CONTROLLER', 41, true],
    ['INVALID_REQUEST', 42, false],
    ['KAFKA_STORAGE_ERROR', 56, true],
    ['UNSUPPORTED_COMPRESSION_TYPE', 76, false],
    ['INVALID_RECORD', 87, false],
    ['PRODUCER_FENCED', 90, false],
    ['UNKNOWN_TOPIC_ID', 100, true],
    ['STALE_MEMBER_EPOCH', 113, false],
    ['INVALID_REGULAR_EXPRESSION', 128, false],
  ] as const)('%s = %i (retriable: %s)', (name, code, retriable) => {
    expect(KAFKA_ERRORS[name].code).toBe(code);
    expect(KAFKA_ERRORS[name].retriable).toBe(retriable);
    expect(KafkaErrorCode[name]).toBe(code);
  });
});

describe('KafkaErrorCode', () => {
  it('maps every name to its code and nothing else', () => {
    expect(Object.keys(KafkaErrorCode).sort()).toEqual([...names].sort());
    for (const e of entries) expect(KafkaErrorCode[e.name]).toBe(e.code);
  });

  it('keeps literal code types', () => {
    const one: 1 = KafkaErrorCode.OFFSET_OUT_OF_RANGE;
    const minusOne: -1 = KafkaErrorCode.UNKNOWN_SERVER_ERROR;
    expect([one, minusOne]).toEqual([1, -1]);
  });
});

describe('kafkaErrorByCode', () => {
  it('finds every entry by code', () => {
    for (const e of entries) expect(kafkaErrorByCode(e.code)).toEqual(e);
  });

  it('returns undefined for codes Kafka does not define', () => {
    expect(kafkaErrorByCode(-2)).toBeUndefined();
    expect(kafkaErrorByCode(129)).toBeUndefined();
    expect(kafkaErrorByCode(1.5)).toBeUndefined();
  });
});

describe('KafkaApiError', () => {
  it('carries the code, Kafka name and retriability, with the table message by default', () => {
    const err = new KafkaApiError('NOT_LEADER_OR_FOLLOWER');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('KafkaApiError');
    expect(err.errorName).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(err.code).toBe(6);
    expect(err.retriable).toBe(true);
    expect(err.message).toBe(KAFKA_ERRORS.NOT_LEADER_OR_FOLLOWER.message);
  });

  it('accepts a custom message and a cause', () => {
    const cause = new Error('disk');
    const err = new KafkaApiError('KAFKA_STORAGE_ERROR', 'log dir /a failed', { cause });
    expect(err.message).toBe('log dir /a failed');
    expect(err.cause).toBe(cause);
    expect(err.code).toBe(56);
  });
});

describe('cross-check with kafkajs', () => {
  const shared = kafkajs.errorCodes
    .map((k) => ({ k, ours: kafkaErrorByCode(k.code) }))
    .filter((p): p is { k: KafkajsErrorCode; ours: NonNullable<typeof p.ours> } => p.ours !== undefined);

  it('defines no code we lack', () => {
    expect(kafkajs.errorCodes.length).toBeGreaterThan(80);
    expect(shared.length).toBe(kafkajs.errorCodes.length);
  });

  it('agrees on names, apart from codes Kafka has since renamed', () => {
    const disagreements = shared
      .filter(({ k, ours }) => k.type !== ours.name)
      .map(({ k, ours }) => [k.code, { kafkajs: k.type, kafka: ours.name }] as const);
    expect(Object.fromEntries(disagreements)).toEqual(KAFKAJS_OUTDATED_NAMES);
  });

  it('agrees on retriability for every shared code (checked against Kafka’s exception classes)', () => {
    const disagreements = shared.filter(({ k, ours }) => k.retriable !== ours.retriable).map(({ ours }) => ours.name);
    expect(disagreements).toEqual([]);
  });
});
