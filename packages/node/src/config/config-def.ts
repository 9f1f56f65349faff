// The shape of a configuration key and the one parser every config value goes through, topic or
// broker. Parsing follows Kafka's ConfigDef rules (trimmed input, Java integer/long/double syntax,
// case-insensitive booleans, comma-separated lists) and its error wording, so an admin tool shows
// the same "Invalid value X for configuration K: why" text it would get from Kafka.

/** Kafka's ConfigType ids, as sent in DescribeConfigs v3+ (`configType`). */
export const CONFIG_TYPE = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

/** A value of {@link CONFIG_TYPE}. */
export type ConfigTypeId = (typeof CONFIG_TYPE)[keyof typeof CONFIG_TYPE];

/** Kafka's ConfigSource ids, as sent in DescribeConfigs v1+ (`configSource`, synonym `source`). */
export const CONFIG_SOURCE = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8,
} as const;

/** A value of {@link CONFIG_SOURCE}. */
export type ConfigSourceId = (typeof CONFIG_SOURCE)[keyof typeof CONFIG_SOURCE];

/** The value types our configs use (Kafka's SHORT and CLASS never occur in them). */
export type ConfigValueType = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'list' | 'password';

/** The DescribeConfigs type id of each of our value types. */
export const CONFIG_TYPE_OF = {
  string: CONFIG_TYPE.STRING,
  int: CONFIG_TYPE.INT,
  long: CONFIG_TYPE.LONG,
  double: CONFIG_TYPE.DOUBLE,
  boolean: CONFIG_TYPE.BOOLEAN,
  list: CONFIG_TYPE.LIST,
  password: CONFIG_TYPE.PASSWORD,
} as const satisfies Record<ConfigValueType, ConfigTypeId>;

/**
 * What a value must satisfy once it parses as its type. `range` bounds are inclusive (bigint for
 * `long` keys); `oneOf`/`listOf` are case-sensitive like Kafka's; `custom.check` gets the trimmed
 * text and returns why it is wrong, or null.
 */
export type ConfigValidator =
  | { readonly kind: 'none' }
  | { readonly kind: 'range'; readonly min?: number | bigint; readonly max?: number | bigint }
  | { readonly kind: 'oneOf'; readonly values: readonly string[] }
  | { readonly kind: 'listOf'; readonly values: readonly string[] }
  | { readonly kind: 'custom'; readonly describe: string; readonly check: (value: string) => string | null };

/** A broker-level key a topic config falls back to; `unit` says the broker key counts minutes or hours, not ms. */
export interface BrokerSynonym {
  readonly name: string;
  readonly unit?: 'minutes' | 'hours';
}

/** One broker-level setting: type, default as Kafka prints it (null = none), validator, one-line doc. */
export interface SettingDef {
  readonly type: ConfigValueType;
  readonly default: string | null;
  readonly validator: ConfigValidator;
  readonly doc: string;
  readonly sensitive?: boolean;
}

/**
 * One topic-level config. `brokerSynonyms` are tried in order when the topic does not set the key;
 * `immutable` keys cannot change after creation; `deprecated` keys are accepted and ignored;
 * `removedIn` names the Kafka version that dropped the key (still accepted from older tools, but
 * only described when set or asked for by name).
 */
export interface ConfigKeyDef extends SettingDef {
  readonly brokerSynonyms: readonly BrokerSynonym[];
  readonly immutable?: boolean;
  readonly deprecated?: boolean;
  readonly removedIn?: string;
}

/** No constraint beyond the type. */
export const NO_VALIDATOR = { kind: 'none' } as const;

/** Inclusive lower bound. */
export function atLeast<const N extends number | bigint>(min: N): { readonly kind: 'range'; readonly min: N } {
  return { kind: 'range', min };
}

/** Inclusive range. */
export function between<const N extends number | bigint>(min: N, max: N): { readonly kind: 'range'; readonly min: N; readonly max: N } {
  return { kind: 'range', min, max };
}

/** One of the given strings (case-sensitive). */
export function oneOf<const V extends readonly string[]>(...values: V): { readonly kind: 'oneOf'; readonly values: V } {
  return { kind: 'oneOf', values };
}

/** A list whose every element is one of the given strings. */
export function listOf<const V extends readonly string[]>(...values: V): { readonly kind: 'listOf'; readonly values: V } {
  return { kind: 'listOf', values };
}

/** A hand-written rule; `describe` is shown in help text. */
export function custom(describe: string, check: (value: string) => string | null): { readonly kind: 'custom'; readonly describe: string; readonly check: (value: string) => string | null } {
  return { kind: 'custom', describe, check };
}

/** A parsed config value: int/double → number, long → bigint, list → string[], password → string. */
export type ParsedConfigValue = string | number | bigint | boolean | readonly string[] | null;

/** Result of {@link parseConfigValue}: the typed value, or Kafka-worded reason naming the key. */
export type ParseOutcome = { readonly ok: true; readonly value: ParsedConfigValue } | { readonly ok: false; readonly message: string };

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const INTEGER_SYNTAX = /^[+-]?\d+$/;
const DOUBLE_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/;
const LIST_SEPARATOR = /\s*,\s*/;

/** True when the key's values must never be shown (password type or flagged sensitive). */
export function isSensitive(def: SettingDef): boolean {
  return def.type === 'password' || def.sensitive === true;
}

/** Kafka's ConfigException text: `Invalid value V for configuration K: why`, with secrets hidden. */
export function invalidValue(name: string, def: SettingDef, shown: string, why: string): string {
  return `Invalid value ${isSensitive(def) ? '[hidden]' : shown} for configuration ${name}: ${why}`;
}

/** Parses and validates one value of key `name`. Never echoes a sensitive value. */
export function parseConfigValue(name: string, def: SettingDef, raw: string): ParseOutcome {
  const text = raw.trim();
  const fail = (why: string, shown: string = text): ParseOutcome => ({ ok: false, message: invalidValue(name, def, shown, why) });
  let value: ParsedConfigValue;
  switch (def.type) {
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') return fail('Expected value to be either true or false');
      value = lower === 'true';
      break;
    }
    case 'int': {
      const n = INTEGER_SYNTAX.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(n) || n < INT_MIN || n > INT_MAX) return fail('Not a number of type INT');
      value = n;
      break;
    }
    case 'long': {
      const n = INTEGER_SYNTAX.test(text) ? BigInt(text) : null;
      if (n === null || n < LONG_MIN || n > LONG_MAX) return fail('Not a number of type LONG');
      value = n;
      break;
    }
    case 'double': {
      const n = DOUBLE_SYNTAX.test(text) ? Number(text.replace(/[dDfF]$/, '')) : NaN;
      if (!Number.isFinite(n)) return fail('Not a number of type DOUBLE');
      value = n;
      break;
    }
    case 'list':
      value = text === '' ? [] : text.split(LIST_SEPARATOR);
      break;
    case 'string':
    case 'password':
      value = text;
      break;
  }
  const why = checkValidator(def.validator, value, text);
  return why === null ? { ok: true, value } : fail(why.message, why.shown);
}

function checkValidator(v: ConfigValidator, value: ParsedConfigValue, text: string): { message: string; shown: string } | null {
  switch (v.kind) {
    case 'none':
      return null;
    case 'range': {
      if (typeof value !== 'number' && typeof value !== 'bigint') return null;
      const big = typeof value === 'bigint';
      const below = v.min !== undefined && (big ? value < BigInt(v.min) : value < Number(v.min));
      if (below) return { message: `Value must be at least ${String(v.min)}`, shown: text };
      const above = v.max !== undefined && (big ? value > BigInt(v.max) : value > Number(v.max));
      return above ? { message: `Value must be no more than ${String(v.max)}`, shown: text } : null;
    }
    case 'oneOf':
      return typeof value === 'string' && !v.values.includes(value) ? { message: `String must be one of: ${v.values.join(', ')}`, shown: text } : null;
    case 'listOf': {
      if (!Array.isArray(value)) return null;
      const bad = (value as readonly string[]).find((item) => !v.values.includes(item));
      return bad === undefined ? null : { message: `String must be one of: ${v.values.join(', ')}`, shown: bad };
    }
    case 'custom': {
      const why = v.check(text);
      return why === null ? null : { message: why, shown: text };
    }
  }
}

/** The canonical text of a parsed value, as Kafka prints it (doubles Java-style: `1.0`, `1.0E-4`). */
export function formatConfigValue(type: ConfigValueType, value: ParsedConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return (value as readonly string[]).join(',');
  if (type === 'double' && typeof value === 'number') return javaDoubleString(value);
  return String(value);
}

/** Java's Double.toString for finite values: plain between 1e-3 and 1e7, else scientific with `E`. */
export function javaDoubleString(n: number): string {
  const abs = Math.abs(n);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', exponent = '0'] = n.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A short human description of a validator, for help text and docs. */
export function describeValidator(v: ConfigValidator): string {
  switch (v.kind) {
    case 'none':
      return '';
    case 'range':
      if (v.min !== undefined && v.max !== undefined) return `[${String(v.min)},...,${String(v.max)}]`;
      return v.min !== undefined ? `[${String(v.min)},...]` : `[...,${String(v.max)}]`;
    case 'oneOf':
      return `[${v.values.join(', ')}]`;
    case 'listOf':
      return `list of [${v.values.join(', ')}]`;
    case 'custom':
      return v.describe;
  }
}
