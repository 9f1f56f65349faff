import fc from 'fast-check';
import type { Field, Primitive } from '../../src/schema/fields.js';
import { inRange } from '../../src/schema/versions.js';

/** Values for one primitive type; strings stay short so int16-length strings always fit. */
function scalar(type: Primitive): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint32':
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double({ noNaN: true });
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 12 });
    case 'uuid':
      return fc.uuid();
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
  }
}

function field(f: Field, version: number, flexible: boolean, depth: number): fc.Arbitrary<unknown> {
  const maxLength = depth > 2 ? 1 : 3;
  let arb: fc.Arbitrary<unknown>;
  switch (f.kind) {
    case 'value':
      arb = scalar(f.type);
      break;
    case 'array':
      arb = fc.array(scalar(f.type), { maxLength });
      break;
    case 'struct':
      arb = message(f.fields, version, flexible, depth + 1);
      break;
    case 'structs':
      arb = fc.array(message(f.fields, version, flexible, depth + 1), { maxLength });
      break;
  }
  return inRange(f.nullable, version) ? fc.option(arb, { nil: null, freq: 4 }) : arb;
}

/**
 * Arbitrary messages for a field table at one version: every field the version carries (regular or
 * tagged) gets a value; fields it does not carry are left out.
 */
export function message(fields: readonly Field[], version: number, flexible: boolean, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) {
    const carried = inRange(f.versions, version) || (flexible && inRange(f.tagged, version));
    if (carried) model[f.name] = field(f, version, flexible, depth);
  }
  return fc.record(model);
}
