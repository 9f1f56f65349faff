import { ProtocolError } from './errors/protocol-error.js';
import { type Reader } from './io/reader.js';
import { type Writer } from './io/writer.js';
import type { Api } from './schema/api.js';
import type { RawTaggedField } from './schema/fields.js';

/**
 * Request Header v0 => request_api_key request_api_version correlation_id
 * Request Header v1 => v0 client_id          (client_id is a classic NULLABLE_STRING, even in v2)
 * Request Header v2 => v1 _tagged_fields
 */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly taggedFields?: readonly RawTaggedField[];
}

/** Response Header v0 => correlation_id; v1 => correlation_id _tagged_fields */
export interface ResponseHeader {
  readonly correlationId: number;
  readonly taggedFields?: readonly RawTaggedField[];
}

function readTaggedFields(r: Reader): RawTaggedField[] | undefined {
  const count = r.readUnsignedVarint();
  if (count === 0) return undefined;
  const out: RawTaggedField[] = [];
  for (let i = 0; i < count; i++) {
    const tag = r.readUnsignedVarint();
    out.push({ tag, data: r.readSlice(r.readUnsignedVarint(), `header tagged field ${tag}`) });
  }
  return out;
}

function writeTaggedFields(w: Writer, fields: readonly RawTaggedField[] | undefined): void {
  w.writeUnsignedVarint(fields?.length ?? 0);
  for (const t of fields ?? []) {
    w.writeUnsignedVarint(t.tag).writeUnsignedVarint(t.data.length).writeRaw(t.data);
  }
}

/**
 * Reads a request header. `lookup` finds the API for the key; the header version follows that
 * API's flexible versions even when the requested version is not one we serve (as Kafka does), so
 * the caller can still answer with the correlation id. Unknown API keys fail with UNKNOWN_API after
 * the fixed part has been read, so the error carries the correlation id.
 */
export function decodeRequestHeader(r: Reader, lookup: (apiKey: number) => Api | undefined): { header: RequestHeader; api: Api } {
  const apiKey = r.readInt16();
  const apiVersion = r.readInt16();
  const correlationId = r.readInt32();
  const api = lookup(apiKey);
  if (api === undefined) {
    throw new ProtocolError('UNKNOWN_API', `unknown API key ${apiKey} (version ${apiVersion}, correlation id ${correlationId})`, 0);
  }
  if (apiVersion < 0) throw new ProtocolError('UNSUPPORTED_VERSION', `negative version ${apiVersion} for ${api.name}`, 2);
  const clientId = r.readNullableString();
  const taggedFields = api.requestHeaderVersion(apiVersion) >= 2 ? readTaggedFields(r) : undefined;
  const header: RequestHeader =
    taggedFields === undefined
      ? { apiKey, apiVersion, correlationId, clientId }
      : { apiKey, apiVersion, correlationId, clientId, taggedFields };
  return { header, api };
}

export function encodeRequestHeader(w: Writer, api: Api, header: RequestHeader): void {
  w.writeInt16(header.apiKey).writeInt16(header.apiVersion).writeInt32(header.correlationId);
  w.writeNullableString(header.clientId);
  if (api.requestHeaderVersion(header.apiVersion) >= 2) writeTaggedFields(w, header.taggedFields);
}

export function decodeResponseHeader(r: Reader, api: Api, version: number): ResponseHeader {
  const correlationId = r.readInt32();
  if (api.responseHeaderVersion(version) === 0) return { correlationId };
  const taggedFields = readTaggedFields(r);
  return taggedFields === undefined ? { correlationId } : { correlationId, taggedFields };
}

export function encodeResponseHeader(w: Writer, api: Api, version: number, header: ResponseHeader): void {
  w.writeInt32(header.correlationId);
  if (api.responseHeaderVersion(version) === 1) writeTaggedFields(w, header.taggedFields);
}
