// `oxbow start` settings from four sources, highest precedence first: command-line flags,
// OXBOW_* environment variables, the YAML config file (--config / OXBOW_CONFIG), defaults. Broker
// settings with Kafka names come from --set KEY=VALUE, OXBOW_SET_KEY and the file's `settings:`
// map, and merge key by key in the same order. Anything unknown or invalid throws ConfigError
// naming the setting and where it came from.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describeValidator, formatConfigValue, isSensitive, parseConfigValue, type ParsedConfigValue, type SettingDef } from './config-def.js';
import { BROKER_SETTING_NAMES, BROKER_SETTINGS, brokerSettingDef, type BrokerSettings } from './broker-settings.js';
import {
  BROKER_FLAGS,
  isValueFlag,
  isWildcardHost,
  parseClusterName,
  parseEtcd,
  parseHostPort,
  parseLogLevel,
  parseNodeId,
  parseNonEmpty,
  parseObjectStore,
  parseSecretKey,
  type FlagParse,
  type HostPort,
  type LogLevel,
  type ValueFlag,
} from './broker-flags.js';

/** Where a setting's value came from. */
export type ConfigOrigin = 'flag' | 'env' | 'file' | 'default';

/** An unknown or invalid start-up setting. `setting` is the flag or Kafka name; the message also says where it came from. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly setting: string;
  readonly origin: ConfigOrigin;

  constructor(setting: string, message: string, origin: ConfigOrigin) {
    super(message);
    this.setting = setting;
    this.origin = origin;
  }
}

/** The resolved settings of one `oxbow start`. */
export interface BrokerConfig {
  readonly nodeId: number;
  readonly kafka: HostPort;
  readonly advertise: HostPort;
  readonly grpc: HostPort;
  /** gRPC address registered for other nodes, or null for the one derived from `grpc`. */
  readonly advertiseGrpc: HostPort | null;
  readonly admin: HostPort;
  readonly dataDir: string;
  /** etcd endpoints, or null for the embedded coordinator. */
  readonly etcd: readonly string[] | null;
  readonly objectStore: string;
  /** `--secret-key-file`: the key sealing secret topic configs, from outside the coordinator; null = the coordinator's cluster key. */
  readonly secretKeyFile: string | null;
  readonly rack: string | null;
  readonly cluster: string;
  readonly logLevel: LogLevel;
  readonly configFile: string | null;
  /** Broker settings given explicitly, canonical text by Kafka name: pass to resolveTopicConfig/describeTopicConfigs. */
  readonly settings: Readonly<Record<string, string>>;
  /** Every broker setting, typed, explicit or default. */
  readonly broker: BrokerSettings;
  /** Where each flag (by flag name) and each explicit broker setting (by Kafka name) came from. */
  readonly origins: Readonly<Record<string, ConfigOrigin>>;
}

interface Sourced {
  readonly text: string;
  readonly origin: ConfigOrigin;
  /** How the message names the place: `flag --kafka`, `env OXBOW_KAFKA`, `file oxbow.yaml (kafka)`. */
  readonly where: string;
}

const SET_ENV_PREFIX = 'OXBOW_SET_';

/** The OXBOW_SET_* variable of a broker setting: `log.retention.ms` → `OXBOW_SET_LOG_RETENTION_MS`. */
export function settingEnvName(name: string): string {
  return SET_ENV_PREFIX + name.toUpperCase().replace(/[.-]/g, '_');
}

const SETTING_BY_ENV = new Map<string, string>(BROKER_SETTING_NAMES.map((name) => [settingEnvName(name), name]));
const FLAG_BY_ENV = new Map<string, ValueFlag>(
  Object.entries(BROKER_FLAGS).flatMap(([flag, spec]) => (isValueFlag(flag) && spec.env !== null ? [[spec.env, flag] as const] : [])),
);

/** True when argv asks for help (`--help` or `-h`); print {@link brokerHelpText} instead of starting. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * Resolves the start-up settings. `argv` are the arguments after `start`; `env` is usually
 * process.env; `readFile` reads the config file (default: fs, UTF-8). Throws {@link ConfigError}.
 */
export function parseBrokerConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): BrokerConfig {
  const cli = readArgv(argv);
  const fromEnv = readEnv(env);
  const configPath = cli.flags.get('config') ?? fromEnv.flags.get('config');
  const file = configPath === undefined ? { flags: new Map<ValueFlag, Sourced>(), settings: new Map<string, Sourced>() } : readConfigFile(configPath, readFile);
  const origins: Record<string, ConfigOrigin> = {};

  const pick = <T>(flag: ValueFlag, parse: (text: string) => FlagParse<T>): T | null => {
    const given = cli.flags.get(flag) ?? fromEnv.flags.get(flag) ?? file.flags.get(flag);
    const fallback = BROKER_FLAGS[flag].default;
    const chosen: Sourced | null = given ?? (fallback === null ? null : { text: fallback, origin: 'default', where: 'default' });
    if (chosen === null) return null;
    origins[flag] = chosen.origin;
    const parsed = parse(chosen.text.trim());
    if (!parsed.ok) throw new ConfigError(flag, `Invalid value ${JSON.stringify(chosen.text)} for ${flag} (from ${chosen.where}): ${parsed.why}`, chosen.origin);
    return parsed.value;
  };
  const required = <T>(value: T | null, flag: ValueFlag): T => {
    if (value === null) throw new ConfigError(flag, `Missing value for ${flag}`, 'default');
    return value;
  };

  const nodeId = required(pick('node-id', parseNodeId), 'node-id');
  const kafka = required(pick('kafka', parseHostPort), 'kafka');
  const grpc = required(pick('grpc', parseHostPort), 'grpc');
  const admin = required(pick('admin', parseHostPort), 'admin');
  const dataDir = required(pick('data-dir', parseNonEmpty), 'data-dir');
  const advertise = pick('advertise', parseHostPort) ?? kafka;
  const advertiseGrpc = pick('advertise-grpc', parseHostPort) ?? null;
  const objectStore = pick('object-store', parseObjectStore) ?? `file://${dataDir.replace(/\/+$/, '')}/objects`;
  const etcd = pick('etcd', parseEtcd);
  // The key file is read here too, so a missing or malformed one fails at start-up naming the flag.
  const secretKeyFile = pick('secret-key-file', (path): FlagParse<string> => {
    if (path === '') return { ok: false, why: 'must not be empty' };
    let content: string;
    try {
      content = readFile(path);
    } catch (err) {
      return { ok: false, why: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    const key = parseSecretKey(content);
    return key.ok ? { ok: true, value: path } : key;
  });
  const rack = pick('rack', parseNonEmpty);
  const cluster = required(pick('cluster', parseClusterName), 'cluster');
  const logLevel = required(pick('log-level', parseLogLevel), 'log-level');
  if (origins['advertise'] === undefined) origins['advertise'] = 'default';
  if (origins['object-store'] === undefined) origins['object-store'] = 'default';

  checkAddresses(origins, { kafka, grpc, admin, advertise });

  const settings: Record<string, string> = {};
  const parsedSettings = new Map<string, ParsedConfigValue>();
  // Lowest precedence first, so later sources overwrite earlier ones key by key.
  for (const source of [file.settings, fromEnv.settings, cli.settings]) {
    for (const [name, given] of source) {
      const def = brokerSettingDef(name);
      if (def === undefined) throw new ConfigError(name, `Unknown broker setting ${name} (from ${given.where})`, given.origin);
      const parsed = parseConfigValue(name, def, given.text);
      if (!parsed.ok) throw new ConfigError(name, `${parsed.message} (from ${given.where})`, given.origin);
      settings[name] = isSensitive(def) ? given.text.trim() : (formatConfigValue(def.type, parsed.value) ?? '');
      parsedSettings.set(name, parsed.value);
      origins[name] = given.origin;
    }
  }
  const broker = typedSettings(parsedSettings);
  const minSession = broker['group.min.session.timeout.ms'];
  const maxSession = broker['group.max.session.timeout.ms'];
  if (minSession > maxSession) {
    const origin = origins['group.min.session.timeout.ms'] ?? 'default';
    throw new ConfigError('group.min.session.timeout.ms', `group.min.session.timeout.ms (${minSession}) must not exceed group.max.session.timeout.ms (${maxSession}) (from ${origin})`, origin);
  }

  return { nodeId, kafka, advertise, grpc, advertiseGrpc, admin, dataDir, etcd, objectStore, secretKeyFile, rack, cluster, logLevel, configFile: configPath?.text ?? null, settings, broker, origins };
}

function checkAddresses(origins: Readonly<Record<string, ConfigOrigin>>, a: { kafka: HostPort; grpc: HostPort; admin: HostPort; advertise: HostPort }): void {
  const origin = (flag: string): ConfigOrigin => origins[flag] ?? 'default';
  if (isWildcardHost(a.advertise.host)) {
    const message = origin('advertise') === 'default'
      ? `Missing advertise: kafka binds ${a.kafka.host}, which clients cannot connect to; set --advertise HOST:PORT`
      : `Invalid value for advertise (from ${origin('advertise')}): ${a.advertise.host} cannot be advertised to clients`;
    throw new ConfigError('advertise', message, origin('advertise'));
  }
  if (origin('advertise') !== 'default' && a.advertise.port === 0) {
    throw new ConfigError('advertise', `Invalid value for advertise (from ${origin('advertise')}): port 0 cannot be advertised`, origin('advertise'));
  }
  const pairs = [['grpc', a.grpc, 'kafka', a.kafka], ['admin', a.admin, 'kafka', a.kafka], ['admin', a.admin, 'grpc', a.grpc]] as const;
  for (const [name, addr, otherName, other] of pairs) {
    const sameHost = addr.host === other.host || isWildcardHost(addr.host) || isWildcardHost(other.host);
    if (addr.port !== 0 && addr.port === other.port && sameHost) {
      throw new ConfigError(name, `Invalid value for ${name} (from ${origin(name)}): port ${addr.port} is already used by ${otherName}`, origin(name));
    }
  }
}

function typedSettings(explicit: ReadonlyMap<string, ParsedConfigValue>): BrokerSettings {
  const out: Record<string, ParsedConfigValue> = {};
  for (const name of BROKER_SETTING_NAMES) {
    const given = explicit.get(name);
    if (given !== undefined) {
      out[name] = given;
      continue;
    }
    const def = BROKER_SETTINGS[name];
    const parsed = def.default === null ? null : parseConfigValue(name, def, def.default);
    if (parsed !== null && !parsed.ok) throw new Error(`Broker setting default is invalid: ${parsed.message}`);
    out[name] = parsed === null ? null : parsed.value;
  }
  // Filled from the same table the type is derived from (tested).
  return out as unknown as BrokerSettings;
}

interface SourceValues {
  readonly flags: Map<ValueFlag, Sourced>;
  readonly settings: Map<string, Sourced>;
}

function readArgv(argv: readonly string[]): SourceValues {
  const out: SourceValues = { flags: new Map(), settings: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') continue;
    if (!arg.startsWith('--')) throw new ConfigError(arg, `Unexpected argument ${JSON.stringify(arg)}: oxbow start takes only --flags (see --help)`, 'flag');
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (flag !== 'set' && !isValueFlag(flag)) throw new ConfigError(flag, `Unknown flag --${flag} (see --help)`, 'flag');
    let text: string | undefined;
    if (eq !== -1) text = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) text = argv[++i];
    if (text === undefined) throw new ConfigError(flag, `Missing value for flag --${flag}`, 'flag');
    if (isValueFlag(flag)) {
      out.flags.set(flag, { text, origin: 'flag', where: `flag --${flag}` });
    } else {
      const [name, value] = splitSetting(text, 'flag', 'flag --set');
      out.settings.set(name, { text: value, origin: 'flag', where: `flag --set ${name}` });
    }
  }
  return out;
}

function splitSetting(text: string, origin: ConfigOrigin, where: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigError('set', `Invalid value ${JSON.stringify(text)} for set (from ${where}): expected KEY=VALUE`, origin);
  return [text.slice(0, eq).trim(), text.slice(eq + 1)];
}

function readEnv(env: Readonly<Record<string, string | undefined>>): SourceValues {
  const out: SourceValues = { flags: new Map(), settings: new Map() };
  for (const [name, text] of Object.entries(env)) {
    // Empty variables count as unset, as compose files often leave them.
    if (!name.startsWith('OXBOW_') || text === undefined || text === '') continue;
    const flag = FLAG_BY_ENV.get(name);
    if (flag !== undefined) {
      out.flags.set(flag, { text, origin: 'env', where: `env ${name}` });
      continue;
    }
    const setting = SETTING_BY_ENV.get(name);
    if (setting !== undefined) {
      out.settings.set(setting, { text, origin: 'env', where: `env ${name}` });
      continue;
    }
    const message = name.startsWith(SET_ENV_PREFIX)
      ? `Unknown broker setting in environment variable ${name} (OXBOW_SET_ + a setting name upper-cased, dots as underscores)`
      : `Unknown environment variable ${name}: no such oxbow setting`;
    throw new ConfigError(name, message, 'env');
  }
  return out;
}

/** Accepts `nodeId` and `node-id` alike. */
function flagOfFileKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return null;
}

function readConfigFile(path: Sourced, readFile: (path: string) => string): SourceValues {
  const where = `file ${path.text}`;
  let doc: unknown;
  try {
    doc = parseYaml(readFile(path.text), { intAsBigInt: true });
  } catch (e) {
    throw new ConfigError('config', `Cannot read config file ${path.text} (from ${path.where}): ${e instanceof Error ? e.message : String(e)}`, path.origin);
  }
  const out: SourceValues = { flags: new Map(), settings: new Map() };
  if (doc === null || doc === undefined) return out;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('config', `Config file ${path.text} must hold a mapping of settings (from ${path.where})`, path.origin);
  for (const [key, value] of Object.entries(doc)) {
    if (value === null || value === undefined) continue;
    if (key === 'settings') {
      if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError('settings', `settings in ${where} must be a mapping of Kafka setting names to values`, 'file');
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
        const text = scalarText(v);
        if (text === null) throw new ConfigError(name, `settings.${name} in ${where} must be a single value`, 'file');
        out.settings.set(name, { text, origin: 'file', where: `${where} (settings.${name})` });
      }
      continue;
    }
    const flag = flagOfFileKey(key);
    if (!isValueFlag(flag) || flag === 'config') throw new ConfigError(key, `Unknown key ${key} in ${where}`, 'file');
    if (out.flags.has(flag)) throw new ConfigError(key, `${flag} is given twice in ${where} (camelCase and kebab-case)`, 'file');
    const text = flag === 'etcd' && Array.isArray(value) ? value.map((v) => scalarText(v) ?? '').join(',') : scalarText(value);
    if (text === null) throw new ConfigError(key, `${key} in ${where} must be a single value`, 'file');
    out.flags.set(flag, { text, origin: 'file', where: `${where} (${key})` });
  }
  return out;
}

/** The `oxbow start --help` text: every flag with its environment variable and default, then every broker setting. */
export function brokerHelpText(): string {
  const lines = ['Usage: oxbow start [flags]', '', 'Flags (each also an environment variable and a key of the --config file; flag > env > file > default):'];
  for (const [flag, spec] of Object.entries(BROKER_FLAGS)) {
    const usage = spec.arg === null ? `--${flag}` : `--${flag} ${spec.arg}`;
    const env = spec.env === null ? '' : spec.env;
    const fallback = spec.default === null ? '' : `  [default: ${spec.default}]`;
    lines.push(`  ${usage.padEnd(28)} ${env.padEnd(20)} ${spec.doc}${fallback}`);
  }
  lines.push('', 'Broker settings (--set KEY=VALUE, OXBOW_SET_KEY, or settings: in the config file):');
  for (const name of BROKER_SETTING_NAMES) {
    const def: SettingDef = BROKER_SETTINGS[name];
    const valid = describeValidator(def.validator);
    const fallback = def.default === null ? 'none' : def.default === '' ? '""' : def.default;
    lines.push(`  ${name.padEnd(44)} ${def.type.padEnd(8)} [default: ${fallback}]${valid === '' ? '' : ` ${valid}`}  ${def.doc}`);
  }
  return `${lines.join('\n')}\n`;
}
