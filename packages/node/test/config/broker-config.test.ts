import { describe, expect, it } from 'vitest';
import { brokerHelpText, ConfigError, parseBrokerConfig, wantsHelp, type BrokerConfig } from '../../src/config/broker-config.js';
import { BROKER_FLAGS } from '../../src/config/broker-flags.js';
import { BROKER_SETTING_NAMES } from '../../src/config/broker-settings.js';

const files = (contents: Record<string, string>) => (path: string): string => {
  const text = contents[path];
  if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
  return text;
};

const parse = (argv: string[], env: Record<string, string | undefined> = {}, contents: Record<string, string> = {}): BrokerConfig =>
  parseBrokerConfig(argv, env, files(contents));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

/** Asserts the error names the setting and says where the value came from. */
function expectError(fn: () => unknown, setting: string, origin: 'flag' | 'env' | 'file' | 'default', words?: RegExp): void {
  const e = configError(fn);
  expect(e.setting).toBe(setting);
  expect(e.origin).toBe(origin);
  expect(e.message).toContain(setting);
  if (origin !== 'default') expect(e.message).toContain(origin);
  if (words !== undefined) expect(e.message).toMatch(words);
}

describe('parseBrokerConfig: defaults', () => {
  it('starts one embedded node as BRIEF §3 says', () => {
    const c = parse([]);
    expect(c).toMatchObject({
      nodeId: 0,
      kafka: { host: '127.0.0.1', port: 9092 },
      advertise: { host: '127.0.0.1', port: 9092 },
      grpc: { host: '127.0.0.1', port: 9093 },
      admin: { host: '127.0.0.1', port: 9094 },
      dataDir: './data',
      etcd: null,
      objectStore: 'file://./data/objects',
      rack: null,
      cluster: 'default',
      logLevel: 'info',
      configFile: null,
      settings: {},
    });
    expect(c.origins['kafka']).toBe('default');
  });

  it('fills every broker setting with its typed default', () => {
    const { broker } = parse([]);
    expect(Object.keys(broker).sort()).toEqual([...BROKER_SETTING_NAMES]);
    expect(broker['auto.create.topics.enable']).toBe(true);
    expect(broker['num.partitions']).toBe(1);
    expect(broker['message.max.bytes']).toBe(1048588);
    expect(broker['queued.max.request.bytes']).toBe(268435456n);
    expect(broker['log.retention.ms']).toBeNull();
    expect(broker['log.cleanup.policy']).toEqual(['delete']);
    expect(broker['diskless.flush.interval.ms']).toBe(250);
  });

  it('derives the object store from the data directory', () => {
    expect(parse(['--data-dir', '/var/oxbow/']).objectStore).toBe('file:///var/oxbow/objects');
  });
});

describe('parseBrokerConfig: sources and precedence', () => {
  const file = { 'oxbow.yaml': 'nodeId: 3\nkafka: 127.0.0.1:7000\nsettings:\n  num.partitions: 3\n  log.retention.ms: 1000\n' };

  it('takes flag over env over file over default', () => {
    const env = { OXBOW_CONFIG: 'oxbow.yaml', OXBOW_NODE_ID: '2' };
    expect(parse(['--node-id', '1'], env, file)).toMatchObject({ nodeId: 1, origins: { 'node-id': 'flag' } });
    expect(parse([], env, file)).toMatchObject({ nodeId: 2, origins: { 'node-id': 'env' } });
    expect(parse([], { OXBOW_CONFIG: 'oxbow.yaml' }, file)).toMatchObject({ nodeId: 3, origins: { 'node-id': 'file' }, configFile: 'oxbow.yaml' });
    expect(parse(['--kafka=127.0.0.1:8000', '--config', 'oxbow.yaml'], {}, file).kafka.port).toBe(8000);
    expect(parse(['--config', 'oxbow.yaml'], { OXBOW_KAFKA: '127.0.0.1:7500' }, file).kafka.port).toBe(7500);
  });

  it('merges broker settings key by key in the same order', () => {
    const c = parse(['--config', 'oxbow.yaml', '--set', 'log.retention.ms=5'], { OXBOW_SET_NUM_PARTITIONS: '6', OXBOW_SET_LOG_RETENTION_MS: '7' }, file);
    expect(c.settings).toEqual({ 'num.partitions': '6', 'log.retention.ms': '5' });
    expect(c.broker['num.partitions']).toBe(6);
    expect(c.broker['log.retention.ms']).toBe(5n);
    expect(c.origins).toMatchObject({ 'num.partitions': 'env', 'log.retention.ms': 'flag' });
    expect(parse(['--set=log.retention.ms=9']).settings).toEqual({ 'log.retention.ms': '9' });
  });

  it('reads YAML in camelCase and kebab-case with lists, numbers and longs', () => {
    const yaml = [
      'node-id: 4',
      'dataDir: /srv/oxbow',
      'etcd: [http://10.0.0.1:2379, "http://10.0.0.2:2379"]',
      'objectStore: s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true',
      'log-level: debug',
      'rack: r1',
      'settings:',
      '  auto.create.topics.enable: false',
      '  log.retention.bytes: 9223372036854775807',
      '  log.cleaner.min.cleanable.ratio: 1',
    ].join('\n');
    const c = parse(['--config', 'a.yaml'], {}, { 'a.yaml': yaml });
    expect(c).toMatchObject({ nodeId: 4, dataDir: '/srv/oxbow', etcd: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'], logLevel: 'debug', rack: 'r1' });
    expect(c.objectStore).toMatch(/^s3:\/\/bucket\/prefix\?/);
    expect(c.broker['auto.create.topics.enable']).toBe(false);
    expect(c.broker['log.retention.bytes']).toBe(9223372036854775807n);
    expect(c.settings['log.cleaner.min.cleanable.ratio']).toBe('1.0');
  });

  it('treats empty environment variables as unset and ignores other prefixes', () => {
    expect(parse([], { OXBOW_RACK: '', PATH: '/bin', OXBOWISH: 'x' }).rack).toBeNull();
  });

  it('accepts IPv6 listeners and an explicit advertise address', () => {
    const c = parse(['--kafka', '[::]:9092', '--advertise', 'broker-1.example.com:19092']);
    expect(c.kafka).toEqual({ host: '::', port: 9092 });
    expect(c.advertise).toEqual({ host: 'broker-1.example.com', port: 19092 });
  });
});

describe('parseBrokerConfig: errors name the setting and its source', () => {
  it('rejects unknown flags, missing values and positional arguments', () => {
    expectError(() => parse(['--nodeid', '1']), 'nodeid', 'flag', /Unknown flag --nodeid/);
    expectError(() => parse(['--kafka']), 'kafka', 'flag', /Missing value/);
    expectError(() => parse(['--rack', '--kafka', '127.0.0.1:1']), 'rack', 'flag', /Missing value/);
    expectError(() => parse(['start']), 'start', 'flag', /Unexpected argument/);
    expectError(() => parse(['--set', 'novalue']), 'set', 'flag', /KEY=VALUE/);
  });

  it('rejects bad HOST:PORT on every listener', () => {
    for (const flag of ['kafka', 'advertise', 'grpc', 'admin']) {
      expectError(() => parse([`--${flag}`, 'localhost']), flag, 'flag', /HOST:PORT/);
      expectError(() => parse([`--${flag}`, 'localhost:65536']), flag, 'flag', /out of range/);
      expectError(() => parse([`--${flag}`, 'bad_host:1']), flag, 'flag', /host/);
    }
    expectError(() => parse([], { OXBOW_GRPC: '127.0.0.1:x' }), 'grpc', 'env', /OXBOW_GRPC/);
  });

  it('rejects non-integer and out-of-range node ids', () => {
    expectError(() => parse(['--node-id', 'one']), 'node-id', 'flag', /integer/);
    expectError(() => parse([], { OXBOW_NODE_ID: '-1' }), 'node-id', 'env', /OXBOW_NODE_ID/);
    expectError(() => parse(['--node-id', '2147483648']), 'node-id', 'flag', /at most/);
  });

  it('rejects unknown OXBOW_ variables', () => {
    expectError(() => parse([], { OXBOW_NODEID: '1' }), 'OXBOW_NODEID', 'env', /Unknown environment variable/);
    expectError(() => parse([], { OXBOW_SET_LOG_RETENTION_DAYS: '1' }), 'OXBOW_SET_LOG_RETENTION_DAYS', 'env', /Unknown broker setting/);
  });

  it('rejects unknown and invalid broker settings wherever they come from', () => {
    expectError(() => parse(['--set', 'log.retention.days=1']), 'log.retention.days', 'flag', /Unknown broker setting/);
    expectError(() => parse(['--set', 'num.partitions=0']), 'num.partitions', 'flag', /Invalid value 0 for configuration num.partitions: Value must be at least 1/);
    expectError(() => parse([], { OXBOW_SET_MESSAGE_MAX_BYTES: 'big' }), 'message.max.bytes', 'env', /Not a number of type INT.*OXBOW_SET_MESSAGE_MAX_BYTES/);
    expectError(() => parse(['--config', 'c.yaml'], {}, { 'c.yaml': 'settings:\n  log.segment.bytes: 2147483647\n' }), 'log.segment.bytes', 'file', /no more than 1073741824.*c\.yaml/);
    expectError(() => parse(['--set', 'group.min.session.timeout.ms=10', '--set', 'group.max.session.timeout.ms=5']), 'group.min.session.timeout.ms', 'flag');
  });

  it('rejects bad files and unknown file keys', () => {
    expectError(() => parse(['--config', 'missing.yaml']), 'config', 'flag', /ENOENT/);
    expectError(() => parse([], { OXBOW_CONFIG: 'bad.yaml' }, { 'bad.yaml': 'a: [' }), 'config', 'env', /bad\.yaml/);
    expectError(() => parse(['--config', 'l.yaml'], {}, { 'l.yaml': '- a\n- b\n' }), 'config', 'flag', /mapping/);
    expectError(() => parse(['--config', 'u.yaml'], {}, { 'u.yaml': 'listeners: x\n' }), 'listeners', 'file', /Unknown key listeners in file u\.yaml/);
    expectError(() => parse(['--config', 'd.yaml'], {}, { 'd.yaml': 'nodeId: 1\nnode-id: 2\n' }), 'node-id', 'file', /twice/);
    expectError(() => parse(['--config', 'k.yaml'], {}, { 'k.yaml': 'kafka: 1.2.3.4\n' }), 'kafka', 'file', /k\.yaml \(kafka\)/);
    expectError(() => parse(['--config', 's.yaml'], {}, { 's.yaml': 'settings:\n  num.partitions: [1, 2]\n' }), 'num.partitions', 'file', /single value/);
    expectError(() => parse(['--config', 'n.yaml'], {}, { 'n.yaml': 'config: other.yaml\n' }), 'config', 'file', /Unknown key/);
  });

  it('checks addresses against each other', () => {
    expectError(() => parse(['--kafka', '0.0.0.0:9092']), 'advertise', 'default', /--advertise/);
    expectError(() => parse(['--advertise', '0.0.0.0:9092']), 'advertise', 'flag');
    expectError(() => parse(['--advertise', 'host:0']), 'advertise', 'flag', /port 0/);
    expectError(() => parse(['--grpc', '127.0.0.1:9092']), 'grpc', 'flag', /already used by kafka/);
    expectError(() => parse([], { OXBOW_ADMIN: '0.0.0.0:9093' }), 'admin', 'env', /already used by grpc/);
    expect(parse(['--kafka', '127.0.0.1:0', '--grpc', '127.0.0.1:0', '--admin', '127.0.0.1:0']).advertise.port).toBe(0);
  });

  it('checks etcd endpoints, object stores, cluster names and log levels', () => {
    expectError(() => parse(['--etcd', 'http://a:2379,']), 'etcd', 'flag', /empty/);
    expectError(() => parse(['--etcd', 'etcd:2379']), 'etcd', 'flag');
    expect(parse(['--etcd', 'http://a:2379, https://b:2379']).etcd).toEqual(['http://a:2379', 'https://b:2379']);
    expectError(() => parse(['--object-store', 'gs://bucket']), 'object-store', 'flag', /unsupported scheme/);
    expectError(() => parse(['--object-store', 's3://b?pathStyle=true']), 'object-store', 'flag', /unknown s3 parameter/);
    expectError(() => parse(['--object-store', 's3://b?forcePathStyle=yes']), 'object-store', 'flag', /true or false/);
    expect(parse(['--object-store', 'memory://']).objectStore).toBe('memory://');
    expectError(() => parse(['--cluster', 'a/b']), 'cluster', 'flag');
    expectError(() => parse(['--log-level', 'verbose']), 'log-level', 'flag', /one of/);
  });
});

describe('help', () => {
  it('lists every flag with its environment variable and default, and every broker setting', () => {
    const text = brokerHelpText();
    for (const [flag, spec] of Object.entries(BROKER_FLAGS)) {
      expect(text).toContain(`--${flag}`);
      if (spec.env !== null) expect(text).toContain(spec.env);
      if (spec.default !== null) expect(text).toContain(`[default: ${spec.default}]`);
    }
    for (const name of BROKER_SETTING_NAMES) expect(text).toContain(name);
  });

  it('detects --help and -h, and parsing ignores them', () => {
    expect(wantsHelp(['--kafka', '1.2.3.4:1', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp([])).toBe(false);
    expect(parse(['--help']).nodeId).toBe(0);
  });
});
