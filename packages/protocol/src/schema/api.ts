import { ProtocolError } from '../errors/protocol-error.js';
import type { Reader } from '../io/reader.js';
import type { Writer } from '../io/writer.js';
import { decodeStruct, encodeStruct } from './codec.js';
import type { Field, InputOf, MessageOf } from './fields.js';
import { inRange, parseRange, type VersionRange } from './versions.js';

/** A Kafka API as its message definitions describe it: key, versions and two field tables. */
export interface ApiSpec<Req extends readonly Field[], Res extends readonly Field[]> {
  readonly apiKey: number;
  readonly name: string;
  /** Every version Kafka defines for this API (which of them a broker serves is the broker's choice). */
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  readonly request: Req;
  readonly response: Res;
}

/** An API with its codec. `Req`/`Res` types are derived from the field tables. */
export interface Api<Req extends readonly Field[] = readonly Field[], Res extends readonly Field[] = readonly Field[]>
  extends ApiSpec<Req, Res> {
  readonly minVersion: number;
  readonly maxVersion: number;
  isFlexible(version: number): boolean;
  supports(version: number): boolean;
  /** Request header version: 2 for flexible versions, else 1. */
  requestHeaderVersion(version: number): 1 | 2;
  /** Response header version: 1 for flexible versions, else 0 (ApiVersions always answers with 0). */
  responseHeaderVersion(version: number): 0 | 1;
  decodeRequest(r: Reader, version: number): MessageOf<Req>;
  encodeRequest(w: Writer, version: number, body: InputOf<Req>): void;
  decodeResponse(r: Reader, version: number): MessageOf<Res>;
  encodeResponse(w: Writer, version: number, body: InputOf<Res>): void;
}

export type RequestOf<A> = A extends Api<infer Req, readonly Field[]> ? MessageOf<Req> : never;
export type ResponseOf<A> = A extends Api<readonly Field[], infer Res> ? MessageOf<Res> : never;
export type RequestInputOf<A> = A extends Api<infer Req, readonly Field[]> ? InputOf<Req> : never;
export type ResponseInputOf<A> = A extends Api<readonly Field[], infer Res> ? InputOf<Res> : never;

const API_VERSIONS_KEY = 18;

export function defineApi<const Req extends readonly Field[], const Res extends readonly Field[]>(
  spec: ApiSpec<Req, Res>,
): Api<Req, Res> {
  const range = parseRange(spec.validVersions);
  if (range === null) throw new ProtocolError('INVALID_VALUE', `${spec.name} has no valid versions`);
  const supports = (v: number): boolean => v >= range.min && v <= range.max;
  const check = (v: number, what: string): void => {
    if (!supports(v)) {
      throw new ProtocolError('UNSUPPORTED_VERSION', `${spec.name} ${what} version ${v} is outside ${spec.validVersions}`);
    }
  };
  const isFlexible = (v: number): boolean => inRange(spec.flexibleVersions, v);
  const named = <T>(what: string, version: number, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw err instanceof ProtocolError ? err.within(`${spec.name} v${version} ${what}`) : err;
    }
  };
  return {
    ...spec,
    minVersion: range.min,
    maxVersion: range.max,
    isFlexible,
    supports,
    requestHeaderVersion: (v) => (isFlexible(v) ? 2 : 1),
    responseHeaderVersion: (v) => (isFlexible(v) && spec.apiKey !== API_VERSIONS_KEY ? 1 : 0),
    decodeRequest(r, version) {
      check(version, 'request');
      return named("request", version, () => decodeStruct(r, spec.request, version, isFlexible(version))) as MessageOf<Req>;
    },
    encodeRequest(w, version, body) {
      check(version, 'request');
      named("request", version, () => encodeStruct(w, spec.request, body as Record<string, unknown>, version, isFlexible(version)));
    },
    decodeResponse(r, version) {
      check(version, 'response');
      return named("response", version, () => decodeStruct(r, spec.response, version, isFlexible(version))) as MessageOf<Res>;
    },
    encodeResponse(w, version, body) {
      check(version, 'response');
      named("response", version, () => encodeStruct(w, spec.response, body as Record<string, unknown>, version, isFlexible(version)));
    },
  };
}
