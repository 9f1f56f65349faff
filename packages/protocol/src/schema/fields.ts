import type { VersionRange } from './versions.js';

/** Kafka's primitive field types, as named in its message definitions (`records` is raw batch bytes). */
export type Primitive =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export type DefaultValue = number | bigint | string | boolean | null;

/** Per-field options, named as in Kafka's message definitions. */
export interface FieldOptions {
  /** Versions in which the field may be null. */
  readonly nullable?: VersionRange;
  /** Versions in which the field is a tagged field (flexible versions only). */
  readonly tagged?: VersionRange;
  /** Tag number; required with `tagged`. */
  readonly tag?: number;
  /** Value used when the field is absent at a version (Kafka's `default`). */
  readonly default?: DefaultValue;
  /** When true, a non-default value at a version without the field is dropped instead of rejected. */
  readonly ignorable?: boolean;
}

interface FieldBase extends FieldOptions {
  readonly name: string;
  readonly versions: VersionRange;
}

export interface ScalarField extends FieldBase {
  readonly kind: 'value';
  readonly type: Primitive;
}
export interface ScalarArrayField extends FieldBase {
  readonly kind: 'array';
  readonly type: Primitive;
}
export interface StructField extends FieldBase {
  readonly kind: 'struct';
  readonly fields: readonly Field[];
}
export interface StructArrayField extends FieldBase {
  readonly kind: 'structs';
  readonly fields: readonly Field[];
}

/** One row of a field table. */
export type Field = ScalarField | ScalarArrayField | StructField | StructArrayField;

/** A tagged field this codec has no definition for, kept so it can be re-encoded unchanged. */
export interface RawTaggedField {
  readonly tag: number;
  readonly data: Buffer;
}

function scalar<const T extends Primitive>(type: T) {
  return <const N extends string, const V extends VersionRange, const O extends FieldOptions = object>(
    name: N,
    versions: V,
    options?: O,
  ) => ({ ...options, kind: 'value', type, name, versions }) as { kind: 'value'; type: T; name: N; versions: V } & O;
}

/**
 * Builders for field tables. Names are camelCase versions of Kafka's field names; version ranges
 * and types are Kafka's.
 */
export const f = {
  bool: scalar('bool'),
  int8: scalar('int8'),
  int16: scalar('int16'),
  uint16: scalar('uint16'),
  int32: scalar('int32'),
  uint32: scalar('uint32'),
  int64: scalar('int64'),
  float64: scalar('float64'),
  string: scalar('string'),
  bytes: scalar('bytes'),
  records: scalar('records'),
  uuid: scalar('uuid'),
  /** An array of primitives, e.g. `[]int32`. */
  array: <const N extends string, const V extends VersionRange, const T extends Primitive, const O extends FieldOptions = object>(
    name: N,
    versions: V,
    type: T,
    options?: O,
  ) => ({ ...options, kind: 'array', type, name, versions }) as { kind: 'array'; type: T; name: N; versions: V } & O,
  /** A single nested struct. */
  struct: <const N extends string, const V extends VersionRange, const F extends readonly Field[], const O extends FieldOptions = object>(
    name: N,
    versions: V,
    fields: F,
    options?: O,
  ) => ({ ...options, kind: 'struct', fields, name, versions }) as { kind: 'struct'; fields: F; name: N; versions: V } & O,
  /** An array of structs, e.g. `[]TopicData`. */
  structs: <const N extends string, const V extends VersionRange, const F extends readonly Field[], const O extends FieldOptions = object>(
    name: N,
    versions: V,
    fields: F,
    options?: O,
  ) => ({ ...options, kind: 'structs', fields, name, versions }) as { kind: 'structs'; fields: F; name: N; versions: V } & O,
} as const;

// ---- Types derived from field tables ----------------------------------------------------------

type ScalarType<T extends Primitive> = T extends 'int64'
  ? bigint
  : T extends 'bool'
    ? boolean
    : T extends 'string' | 'uuid'
      ? string
      : T extends 'bytes' | 'records'
        ? Buffer
        : number;

type WithNull<F, T> = F extends { nullable: string } ? T | null : T;

/** True when the field is in every version and never tagged, so encoders must always supply it. */
type Always<F> = F extends { tagged: string } ? false : F extends { versions: '0+' } ? true : false;

type DecodedValue<F> = F extends { kind: 'value'; type: infer T extends Primitive }
  ? WithNull<F, ScalarType<T>>
  : F extends { kind: 'array'; type: infer T extends Primitive }
    ? WithNull<F, ScalarType<T>[]>
    : F extends { kind: 'struct'; fields: infer S extends readonly Field[] }
      ? WithNull<F, MessageOf<S>>
      : F extends { kind: 'structs'; fields: infer S extends readonly Field[] }
        ? WithNull<F, MessageOf<S>[]>
        : never;

type InputValue<F> = F extends { kind: 'value'; type: infer T extends Primitive }
  ? WithNull<F, ScalarType<T>>
  : F extends { kind: 'array'; type: infer T extends Primitive }
    ? WithNull<F, readonly ScalarType<T>[]>
    : F extends { kind: 'struct'; fields: infer S extends readonly Field[] }
      ? WithNull<F, InputOf<S>>
      : F extends { kind: 'structs'; fields: infer S extends readonly Field[] }
        ? WithNull<F, readonly InputOf<S>[]>
        : never;

interface TaggedExtras {
  /** Tagged fields received that this codec does not know; re-encoded as they came. */
  _unknownTaggedFields?: RawTaggedField[];
}

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/**
 * A decoded message: every field is present. Fields that the decoded version does not carry hold
 * Kafka's default for them, exactly as Kafka's own generated classes do.
 */
export type MessageOf<Fs extends readonly Field[]> = string extends Fs[number]['name']
  ? Record<string, unknown> // a table not known at compile time (e.g. `Api` in a registry)
  : Flatten<{ -readonly [F in Fs[number] as F['name']]: DecodedValue<F> } & TaggedExtras>;

/**
 * What an encoder accepts: fields in every version are required; the others may be omitted
 * (their default is written, and a non-default value at a version without the field is an error).
 */
export type InputOf<Fs extends readonly Field[]> = string extends Fs[number]['name']
  ? Record<string, unknown>
  : Flatten<
  { [F in Fs[number] as Always<F> extends true ? F['name'] : never]: InputValue<F> } & {
    [F in Fs[number] as Always<F> extends true ? never : F['name']]?: InputValue<F>;
  } & TaggedExtras
>;
