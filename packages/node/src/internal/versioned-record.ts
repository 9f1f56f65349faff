import { defineApi, Writer, type Api, type Reader, type Field, type InputOf, type MessageOf } from '@oxbow/protocol';

/**
 * Kafka's internal-topic record formats (`__consumer_offsets`, `__transaction_state`): every key and
 * value is an INT16 schema version followed by that version's fields. The field codec is borrowed
 * from the request side of an API table, so these records use the same generated-style schemas.
 */
export interface RecordSchema<Fs extends readonly Field[]> {
  readonly writeVersion: number;
  readonly codec: Api<Fs, readonly []>;
}

export function defineRecord<const Fs extends readonly Field[]>(name: string, validVersions: string, flexibleVersions: string, writeVersion: number, fields: Fs): RecordSchema<Fs> {
  return { writeVersion, codec: defineApi({ apiKey: -1, name, validVersions, flexibleVersions, request: fields, response: [] as const }) };
}

/** The version prefix and body of a record key or value. */
export function encodeRecord<Fs extends readonly Field[]>(schema: RecordSchema<Fs>, body: InputOf<Fs>, version = schema.writeVersion): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  schema.codec.encodeRequest(w, version, body);
  return w.toBuffer();
}

/** The body after a version prefix already read from `r`. */
export function decodeRecordBody<Fs extends readonly Field[]>(schema: RecordSchema<Fs>, r: Reader, version: number): MessageOf<Fs> {
  return schema.codec.decodeRequest(r, version);
}
