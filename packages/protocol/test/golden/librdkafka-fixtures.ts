/**
 * Shared loading for the librdkafka golden-frame tests (librdkafka-*.test.ts): the fixtures in
 * librdkafka/ and their index, what librdkafka-scenario.py sent that more than one test file checks,
 * and decoding a fixture into its typed request body.
 *
 * The frames come from librdkafka 2.0.2 (via python3-confluent-kafka 1.7.0, librdkafka's C admin
 * API and kcat), captured by test/golden/capture/capture.ts. librdkafka is an independent
 * implementation, so decoding its bytes field by field — and re-encoding them byte for byte —
 * checks our field tables against a real client rather than against ourselves.
 *
 * Every expected value in those tests is what test/golden/capture/librdkafka-scenario.py sent (or
 * what the capture server handed out: producer ids, member ids). No python or kcat is needed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { lookupApi } from '../../src/apis/registry.js';
import { decodeRequestFrame, type DecodedRequest } from '../../src/framing.js';
import type { Api, RequestOf } from '../../src/schema/api.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'librdkafka');

export interface IndexEntry {
  readonly file: string;
  readonly api: string;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly variant: string | null;
}
export interface Index {
  readonly librdkafka: string;
  readonly confluentKafkaPython: string;
  readonly files: readonly IndexEntry[];
}
export const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Index;

// ---- what the scenario sent (keep in sync with librdkafka-scenario.py) -------------------------

export const CLIENT = 'golden-librdkafka';
export const KCAT = 'golden-kcat';
export const TOPIC = 'golden-topic';
export const TXN_TOPIC = 'golden-txn-topic';
export const ADMIN_TOPIC = 'golden-admin-topic';
export const GROUP = 'golden-group';
export const TXN_ID = 'golden-txn';
/** Member id the capture server gave the scenario's only consumer, generation 1. */
export const MEMBER = `${CLIENT}-member-1`;

/**
 * librdkafka 2.0.2 writes the tag buffer of a ListGroups v3+ request twice (once in
 * rd_kafka_ListGroupsRequest, once more in rd_kafka_buf_finalize), leaving one 0x00 byte after
 * the body. Kafka ignores bytes after a request body, and so does decodeRequestFrame (it reports
 * them as `trailingBytes`).
 */
export const TRAILING_BYTES: Readonly<Record<string, number>> = { 'ListGroups-v4.bin': 1 };

// ---- helpers -----------------------------------------------------------------------------------

export const frameOf = (file: string): Buffer => readFileSync(join(dir, file));

/** The frame as decodeRequestFrame should accept it (known trailing bytes dropped). */
export function bodyFrameOf(file: string): Buffer {
  const frame = frameOf(file);
  return frame.subarray(0, frame.length - (TRAILING_BYTES[file] ?? 0));
}

export function decodeFile(file: string): DecodedRequest {
  return decodeRequestFrame(bodyFrameOf(file), lookupApi);
}

/** Decodes a fixture, checks it is `api` from `clientId`, and returns its typed body. */
export function request<A extends Api>(file: string, api: A, clientId = CLIENT): RequestOf<A> {
  const { header, api: decodedApi, body } = decodeFile(file);
  expect(decodedApi).toBe(api);
  expect(header.clientId).toBe(clientId);
  return body as RequestOf<A>;
}
