import { ProtocolError } from '../errors/protocol-error.js';
import { Reader } from '../io/reader.js';
import { Writer } from '../io/writer.js';
import type { Field, Primitive, RawTaggedField } from './fields.js';
import { inRange } from './versions.js';

/** How one field is read and written at one version (computed once per table and version). */
interface Op {
  readonly field: Field;
  readonly name: string;
  readonly nullable: boolean;
  readonly tag: number;
}

interface Plan {
  readonly regular: readonly Op[];
  /** Tagged fields of this version, sorted by tag. */
  readonly tagged: readonly Op[];
  readonly byTag: ReadonlyMap<number, Op>;
  /** Fields the version does not carry: decoded as defaults, rejected on encode when non-default. */
  readonly absent: readonly Op[];
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const plans = new WeakMap<readonly Field[], Map<number, Plan>>();

function planFor(fields: readonly Field[], version: number, flexible: boolean): Plan {
  let perVersion = plans.get(fields);
  if (perVersion === undefined) {
    perVersion = new Map();
    plans.set(fields, perVersion);
  }
  const key = version * 2 + (flexible ? 1 : 0);
  const hit = perVersion.get(key);
  if (hit !== undefined) return hit;

  const regular: Op[] = [];
  const tagged: Op[] = [];
  const absent: Op[] = [];
  for (const field of fields) {
    const op: Op = { field, name: field.name, nullable: inRange(field.nullable, version), tag: field.tag ?? -1 };
    if (flexible && inRange(field.tagged, version)) {
      if (field.tag === undefined) throw new ProtocolError('INVALID_VALUE', `tagged field ${field.name} has no tag`);
      tagged.push(op);
    } else if (inRange(field.versions, version) && !inRange(field.tagged, version)) {
      regular.push(op);
    } else {
      absent.push(op);
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const plan: Plan = { regular, tagged, byTag: new Map(tagged.map((op) => [op.tag, op])), absent };
  perVersion.set(key, plan);
  return plan;
}

// ---- defaults ----------------------------------------------------------------------------------

function scalarDefault(type: Primitive, given: unknown): unknown {
  switch (type) {
    case 'int64':
      return given === undefined ? 0n : BigInt(given as number | bigint);
    case 'bool':
      return given ?? false;
    case 'string':
      return given === undefined ? '' : given;
    case 'uuid':
      return given ?? ZERO_UUID;
    case 'bytes':
      return given === null ? null : Buffer.alloc(0);
    case 'records':
      return null;
    default:
      return given ?? 0;
  }
}

/** Kafka's default for a field: its declared default, else zero, "", empty array or default struct. */
export function defaultFor(field: Field): unknown {
  switch (field.kind) {
    case 'value':
      return scalarDefault(field.type, field.default);
    case 'array':
    case 'structs':
      return field.default === null ? null : [];
    case 'struct':
      return field.default === null ? null : defaultStruct(field.fields);
  }
}

function defaultStruct(fields: readonly Field[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field.name] = defaultFor(field);
  return out;
}

function isDefault(field: Field, value: unknown): boolean {
  if (value === undefined) return true;
  switch (field.kind) {
    case 'value': {
      const d = scalarDefault(field.type, field.default);
      if (Buffer.isBuffer(value)) return Buffer.isBuffer(d) ? value.length === d.length : false;
      return value === d;
    }
    case 'array':
    case 'structs':
      return field.default === null ? value === null : Array.isArray(value) && value.length === 0;
    case 'struct':
      if (value === null) return field.default === null;
      return field.fields.every((sub) => isDefault(sub, (value as Record<string, unknown>)[sub.name]));
  }
}

// ---- decoding ----------------------------------------------------------------------------------

function readScalar(r: Reader, type: Primitive, nullable: boolean, flexible: boolean): unknown {
  switch (type) {
    case 'bool':
      return r.readBoolean();
    case 'int8':
      return r.readInt8();
    case 'int16':
      return r.readInt16();
    case 'uint16':
      return r.readUInt16();
    case 'int32':
      return r.readInt32();
    case 'uint32':
      return r.readUInt32();
    case 'int64':
      return r.readInt64();
    case 'float64':
      return r.readFloat64();
    case 'uuid':
      return r.readUuid();
    case 'string': {
      const at = r.offset;
      const s = flexible ? r.readCompactNullableString() : r.readNullableString();
      if (s === null && !nullable) throw new ProtocolError('INVALID_VALUE', 'null string in a non-nullable field', at);
      return s;
    }
    case 'bytes':
    case 'records': {
      const at = r.offset;
      const b = flexible ? r.readCompactNullableBytes() : r.readNullableBytes();
      if (b === null && !nullable) throw new ProtocolError('INVALID_VALUE', 'null bytes in a non-nullable field', at);
      return b;
    }
  }
}

function readField(r: Reader, op: Op, version: number, flexible: boolean): unknown {
  const field = op.field;
  switch (field.kind) {
    case 'value':
      return readScalar(r, field.type, op.nullable, flexible);
    case 'struct': {
      if (op.nullable) {
        const at = r.offset;
        const marker = r.readInt8();
        if (marker < 0) return null;
        if (marker !== 1) throw new ProtocolError('INVALID_VALUE', `struct presence marker ${marker}`, at);
      }
      return decodeStruct(r, field.fields, version, flexible);
    }
    case 'array':
    case 'structs': {
      const at = r.offset;
      const n = flexible ? r.readCompactArrayLength() : r.readArrayLength();
      if (n === null) {
        if (!op.nullable) throw new ProtocolError('INVALID_VALUE', 'null array in a non-nullable field', at);
        return null;
      }
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        try {
          out[i] =
            field.kind === 'array'
              ? readScalar(r, field.type, false, flexible)
              : decodeStruct(r, field.fields, version, flexible);
        } catch (err) {
          throw err instanceof ProtocolError ? err.within(`[${i}]`) : err;
        }
      }
      return out;
    }
  }
}

/**
 * Decodes one struct (a whole request or response body, or a nested struct) at `version`.
 * Unknown tagged fields are kept in `_unknownTaggedFields`.
 */
export function decodeStruct(r: Reader, fields: readonly Field[], version: number, flexible: boolean): Record<string, unknown> {
  const plan = planFor(fields, version, flexible);
  const out: Record<string, unknown> = {};
  for (const op of plan.regular) {
    try {
      out[op.name] = readField(r, op, version, flexible);
    } catch (err) {
      throw err instanceof ProtocolError ? err.within(op.name) : err;
    }
  }
  for (const op of plan.absent) out[op.name] = defaultFor(op.field);
  if (flexible) {
    for (const op of plan.tagged) out[op.name] = defaultFor(op.field);
    const count = r.readUnsignedVarint();
    let unknown: RawTaggedField[] | undefined;
    let lastTag = -1;
    for (let i = 0; i < count; i++) {
      const at = r.offset;
      const tag = r.readUnsignedVarint();
      if (tag <= lastTag) throw new ProtocolError('INVALID_VALUE', `tagged field ${tag} out of order or repeated`, at);
      lastTag = tag;
      const size = r.readUnsignedVarint();
      const data = r.readSlice(size, `tagged field ${tag}`);
      const op = plan.byTag.get(tag);
      if (op === undefined) {
        (unknown ??= []).push({ tag, data });
        continue;
      }
      try {
        out[op.name] = readField(new Reader(data), op, version, flexible);
      } catch (err) {
        throw err instanceof ProtocolError ? err.within(op.name) : err;
      }
    }
    if (unknown !== undefined) out._unknownTaggedFields = unknown;
  }
  return out;
}

// ---- encoding ----------------------------------------------------------------------------------

function writeScalar(w: Writer, type: Primitive, value: unknown, nullable: boolean, flexible: boolean): void {
  switch (type) {
    case 'bool':
      w.writeBoolean(value as boolean);
      return;
    case 'int8':
      w.writeInt8(value as number);
      return;
    case 'int16':
      w.writeInt16(value as number);
      return;
    case 'uint16':
      w.writeUInt16(value as number);
      return;
    case 'int32':
      w.writeInt32(value as number);
      return;
    case 'uint32':
      w.writeUInt32(value as number);
      return;
    case 'int64':
      w.writeInt64(value as bigint);
      return;
    case 'float64':
      w.writeFloat64(value as number);
      return;
    case 'uuid':
      w.writeUuid(value as string);
      return;
    case 'string':
      if (value === null && !nullable) throw new ProtocolError('INVALID_VALUE', 'null in a non-nullable string field');
      if (flexible) w.writeCompactNullableString(value as string | null);
      else w.writeNullableString(value as string | null);
      return;
    case 'bytes':
    case 'records':
      if (value === null && !nullable) throw new ProtocolError('INVALID_VALUE', 'null in a non-nullable bytes field');
      if (flexible) w.writeCompactNullableBytes(value as Buffer | null);
      else w.writeNullableBytes(value as Buffer | null);
      return;
  }
}

function writeField(w: Writer, op: Op, value: unknown, version: number, flexible: boolean): void {
  const field = op.field;
  switch (field.kind) {
    case 'value':
      writeScalar(w, field.type, value, op.nullable, flexible);
      return;
    case 'struct':
      if (op.nullable) {
        if (value === null) {
          w.writeInt8(-1);
          return;
        }
        w.writeInt8(1);
      } else if (value === null) {
        throw new ProtocolError('INVALID_VALUE', 'null in a non-nullable struct field');
      }
      encodeStruct(w, field.fields, value as Record<string, unknown>, version, flexible);
      return;
    case 'array':
    case 'structs': {
      if (value === null) {
        if (!op.nullable) throw new ProtocolError('INVALID_VALUE', 'null in a non-nullable array field');
        if (flexible) w.writeCompactArrayLength(null);
        else w.writeArrayLength(null);
        return;
      }
      const items = value as readonly unknown[];
      if (flexible) w.writeCompactArrayLength(items.length);
      else w.writeArrayLength(items.length);
      for (let i = 0; i < items.length; i++) {
        try {
          if (field.kind === 'array') writeScalar(w, field.type, items[i], false, flexible);
          else encodeStruct(w, field.fields, items[i] as Record<string, unknown>, version, flexible);
        } catch (err) {
          throw err instanceof ProtocolError ? err.within(`[${i}]`) : err;
        }
      }
      return;
    }
  }
}

/** Encodes one struct at `version`; omitted fields are written as their defaults. */
export function encodeStruct(
  w: Writer,
  fields: readonly Field[],
  value: Readonly<Record<string, unknown>>,
  version: number,
  flexible: boolean,
): void {
  const plan = planFor(fields, version, flexible);
  for (const op of plan.regular) {
    const v = value[op.name];
    try {
      writeField(w, op, v === undefined ? defaultFor(op.field) : v, version, flexible);
    } catch (err) {
      throw err instanceof ProtocolError ? err.within(op.name) : err;
    }
  }
  for (const op of plan.absent) {
    if (!op.field.ignorable && !isDefault(op.field, value[op.name])) {
      throw new ProtocolError('UNSUPPORTED_VERSION', `field ${op.name} has a non-default value but version ${version} does not carry it`);
    }
  }
  if (!flexible) return;
  const out: { tag: number; data: Buffer }[] = [];
  for (const op of plan.tagged) {
    const v = value[op.name];
    if (isDefault(op.field, v)) continue;
    const sub = new Writer(64);
    try {
      writeField(sub, op, v, version, flexible);
    } catch (err) {
      throw err instanceof ProtocolError ? err.within(op.name) : err;
    }
    out.push({ tag: op.tag, data: sub.toBuffer() });
  }
  const unknown = value._unknownTaggedFields as readonly RawTaggedField[] | undefined;
  if (unknown !== undefined) {
    for (const t of unknown) if (!plan.byTag.has(t.tag)) out.push(t);
    out.sort((a, b) => a.tag - b.tag);
  }
  w.writeUnsignedVarint(out.length);
  for (const t of out) {
    w.writeUnsignedVarint(t.tag);
    w.writeUnsignedVarint(t.data.length);
    w.writeRaw(t.data);
  }
}
