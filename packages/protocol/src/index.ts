export { ProtocolError, PROTOCOL_ERROR_CODES, type ProtocolErrorCode } from './errors/protocol-error.js';
export { Reader } from './io/reader.js';
export { Writer } from './io/writer.js';
export { f, type Field, type FieldOptions, type InputOf, type MessageOf, type Primitive, type RawTaggedField } from './schema/fields.js';
export { defineApi, type Api, type ApiSpec, type RequestOf, type ResponseOf, type RequestInputOf, type ResponseInputOf } from './schema/api.js';
export { parseRange, inRange, type VersionRange } from './schema/versions.js';
export { ApiVersions } from './apis/api-versions.js';
