/**
 * kafkajs as an independent reference implementation: its request encoders give golden request
 * bytes, and its response decoders read what our encoders write. kafkajs is untyped CommonJS; this
 * module is the one place that loads its internals.
 */
import { createRequire } from 'node:module';
import { encodeRequestFrame } from '../../src/framing.js';
import type { Api, RequestInputOf } from '../../src/schema/api.js';
import { Writer } from '../../src/io/writer.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
}
type EncodeFrame = (a: { correlationId: number; clientId: string; request: KafkajsRequest }) => Promise<{ buffer: Buffer }>;
interface KafkajsRequests {
  readonly versions: readonly string[];
  readonly protocol: (o: { version: number }) => (...args: unknown[]) => { request: KafkajsRequest };
}
interface KafkajsResponseModule {
  readonly decode: (buffer: Buffer) => Promise<unknown>;
}

const encodeFrame = require('kafkajs/src/protocol/request') as EncodeFrame;

/** Correlation id and client id every golden frame carries. */
export const GOLDEN_CORRELATION_ID = 7;
export const GOLDEN_CLIENT_ID = 'golden';

export interface KafkajsApi {
  /** The versions kafkajs implements for this API. */
  readonly versions: readonly number[];
  /** A request frame (without its size prefix) encoded by kafkajs. `args` are kafkajs's own. */
  goldenRequest(version: number, ...args: unknown[]): Promise<Buffer>;
  /** kafkajs's decoding of a response body we encoded. */
  decodeResponse(version: number, body: Buffer): Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** kafkajs's codec for one API, by its folder name under `kafkajs/src/protocol/requests`. */
export function kafkajsApi(folder: string): KafkajsApi {
  const requests = require(`kafkajs/src/protocol/requests/${folder}/index.js`) as KafkajsRequests;
  return {
    versions: requests.versions.map(Number),
    async goldenRequest(version, ...args) {
      const { request } = requests.protocol({ version })(...args);
      const framed = await encodeFrame({ correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID, request });
      return framed.buffer.subarray(4);
    },
    async decodeResponse(version, body) {
      const mod = require(`kafkajs/src/protocol/requests/${folder}/v${version}/response`) as KafkajsResponseModule;
      return (await mod.decode(body)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    },
  };
}

/** A lookup that knows just one API, for decodeRequestFrame. */
export function only(api: Api): (apiKey: number) => Api | undefined {
  return (apiKey) => (apiKey === api.apiKey ? api : undefined);
}

/** Our encoding of a response body (no header) at `version`. */
export function responseBody(api: Api, version: number, body: Record<string, unknown>): Buffer {
  const w = new Writer();
  api.encodeResponse(w, version, body);
  return w.toBuffer();
}

/**
 * Our encoding of a request frame (without its size prefix) under the header golden frames carry,
 * to compare byte for byte with `goldenRequest`.
 */
export function requestFrame<A extends Api>(api: A, version: number, body: RequestInputOf<A>): Buffer {
  const header = { apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID };
  return Buffer.concat(encodeRequestFrame(api, header, body)).subarray(4);
}
