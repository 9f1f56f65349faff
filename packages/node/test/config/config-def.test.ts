import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atLeast,
  between,
  CONFIG_SOURCE,
  CONFIG_TYPE,
  custom,
  describeValidator,
  formatConfigValue,
  javaDoubleString,
  listOf,
  NO_VALIDATOR,
  oneOf,
  parseConfigValue,
  type ConfigValidator,
  type ConfigValueType,
  type SettingDef,
} from '../../src/config/config-def.js';

function def(type: ConfigValueType, validator: ConfigValidator = NO_VALIDATOR): SettingDef {
  return { type, default: null, validator, doc: 'test' };
}

function parse(type: ConfigValueType, raw: string, validator?: ConfigValidator): unknown {
  const out = parseConfigValue('k', def(type, validator), raw);
  return out.ok ? out.value : out.message;
}

describe('Kafka id tables', () => {
  it('has the ConfigType ids of DescribeConfigs v3+', () => {
    expect(CONFIG_TYPE).toEqual({ UNKNOWN: 0, BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 });
  });

  it('has the ConfigSource ids of DescribeConfigs v1+', () => {
    expect(CONFIG_SOURCE).toEqual({
      UNKNOWN: 0,
      DYNAMIC_TOPIC_CONFIG: 1,
      DYNAMIC_BROKER_CONFIG: 2,
      DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
      STATIC_BROKER_CONFIG: 4,
      DEFAULT_CONFIG: 5,
      DYNAMIC_BROKER_LOGGER_CONFIG: 6,
      CLIENT_METRICS_CONFIG: 7,
      GROUP_CONFIG: 8,
    });
  });
});

describe('parseConfigValue', () => {
  it('parses booleans case-insensitively and rejects anything else', () => {
    expect(parse('boolean', ' TRUE ')).toBe(true);
    expect(parse('boolean', 'false')).toBe(false);
    expect(parse('boolean', 'yes')).toBe('Invalid value yes for configuration k: Expected value to be either true or false');
    expect(parse('boolean', '')).toMatch(/Expected value to be either true or false/);
  });

  it('parses ints with Java syntax inside the 32-bit range', () => {
    expect(parse('int', ' +7 ')).toBe(7);
    expect(parse('int', '-2147483648')).toBe(-2147483648);
    expect(parse('int', '2147483648')).toBe('Invalid value 2147483648 for configuration k: Not a number of type INT');
    for (const bad of ['1.5', 'abc', '', '1e3', '0x10']) expect(parse('int', bad)).toMatch(/Not a number of type INT/);
  });

  it('parses longs as bigint inside the 64-bit range', () => {
    expect(parse('long', '9223372036854775807')).toBe(9223372036854775807n);
    expect(parse('long', '-9223372036854775808')).toBe(-9223372036854775808n);
    expect(parse('long', '9223372036854775808')).toMatch(/Not a number of type LONG/);
    expect(parse('long', '12ms')).toMatch(/Not a number of type LONG/);
  });

  it('parses doubles and rejects NaN and infinities', () => {
    expect(parse('double', '0.5')).toBe(0.5);
    expect(parse('double', '1')).toBe(1);
    expect(parse('double', '1e-4')).toBe(0.0001);
    expect(parse('double', '.25')).toBe(0.25);
    for (const bad of ['NaN', 'Infinity', 'half', '']) expect(parse('double', bad)).toMatch(/Not a number of type DOUBLE/);
  });

  it('splits lists on commas with surrounding blanks, empty text is the empty list', () => {
    expect(parse('list', '')).toEqual([]);
    expect(parse('list', ' compact , delete ')).toEqual(['compact', 'delete']);
  });

  it('trims strings and passwords', () => {
    expect(parse('string', '  x ')).toBe('x');
    expect(parse('password', ' s3cr3t ')).toBe('s3cr3t');
  });

  it('checks inclusive ranges with Kafka wording, bigint bounds for longs', () => {
    expect(parse('long', '-5', atLeast(-1n))).toBe('Invalid value -5 for configuration k: Value must be at least -1');
    expect(parse('long', '-1', atLeast(-1n))).toBe(-1n);
    expect(parse('int', '18', between(1, 17))).toBe('Invalid value 18 for configuration k: Value must be no more than 17');
    expect(parse('double', '1.01', between(0, 1))).toMatch(/no more than 1$/);
  });

  it('checks oneOf case-sensitively and names the bad list element', () => {
    expect(parse('string', 'GZIP', oneOf('gzip', 'lz4'))).toBe('Invalid value GZIP for configuration k: String must be one of: gzip, lz4');
    expect(parse('list', 'compact,remove', listOf('compact', 'delete'))).toBe('Invalid value remove for configuration k: String must be one of: compact, delete');
    expect(parse('list', 'compact,', listOf('compact', 'delete'))).toMatch(/^Invalid value  for configuration k/);
  });

  it('runs custom checks on the trimmed text', () => {
    const even = custom('even', (v) => (Number(v) % 2 === 0 ? null : 'Value must be even'));
    expect(parse('int', ' 4 ', even)).toBe(4);
    expect(parse('int', '3', even)).toBe('Invalid value 3 for configuration k: Value must be even');
  });

  it('never shows a sensitive value', () => {
    const secret = parseConfigValue('k', { ...def('password', custom('x', () => 'bad')), sensitive: true }, 'hunter2');
    expect(secret).toEqual({ ok: false, message: 'Invalid value [hidden] for configuration k: bad' });
    const flagged = parseConfigValue('k', { ...def('int'), sensitive: true }, 'hunter2');
    expect(flagged.ok || flagged.message.includes('hunter2')).toBe(false);
  });

  it('round-trips every int and long through parse and format', () => {
    fc.assert(
      fc.property(fc.integer(), (n) => {
        const out = parseConfigValue('k', def('int'), String(n));
        return out.ok && formatConfigValue('int', out.value) === String(n);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const out = parseConfigValue('k', def('long'), ` ${n} `);
        return out.ok && out.value === n && formatConfigValue('long', out.value) === String(n);
      }),
    );
  });
});

describe('formatting', () => {
  it('prints doubles as Java does', () => {
    expect(javaDoubleString(0.5)).toBe('0.5');
    expect(javaDoubleString(1)).toBe('1.0');
    expect(javaDoubleString(0)).toBe('0.0');
    expect(javaDoubleString(0.0001)).toBe('1.0E-4');
    expect(javaDoubleString(12345678)).toBe('1.2345678E7');
    expect(formatConfigValue('double', 1)).toBe('1.0');
  });

  it('joins lists and prints null as null', () => {
    expect(formatConfigValue('list', ['compact', 'delete'])).toBe('compact,delete');
    expect(formatConfigValue('string', null)).toBeNull();
    expect(formatConfigValue('boolean', true)).toBe('true');
  });

  it('describes validators for help text', () => {
    expect(describeValidator(atLeast(-1n))).toBe('[-1,...]');
    expect(describeValidator(between(0, 1))).toBe('[0,...,1]');
    expect(describeValidator(oneOf('a', 'b'))).toBe('[a, b]');
    expect(describeValidator(listOf('a'))).toBe('list of [a]');
    expect(describeValidator(NO_VALIDATOR)).toBe('');
  });
});
