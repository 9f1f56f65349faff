import { parseArgs } from 'node:util';
import {
  CreatePartitions,
  CreateTopics,
  DeleteTopics,
  DescribeConfigs,
  IncrementalAlterConfigs,
  kafkaErrorByCode,
  Metadata,
} from '@oxbow/protocol';
import { KafkaClient } from '../client/kafka-client.js';
import { CONFIG_OPERATION } from '../broker/topic-admin.js';
import { RESOURCE_TYPE } from '../handlers/config-resources.js';

export const TOPICS_HELP = `Usage: oxbow topics <subcommand> [options]   (over the Kafka protocol)

  create NAME [--partitions N] [--replication-factor R] [--storage-mode MODE] [--config KEY=VALUE]...
  list
  describe [NAME...]
  alter NAME [--config KEY=VALUE]... [--delete-config KEY]... [--partitions N]
  delete NAME...

Options:
  --bootstrap HOST:PORT   broker to talk to (default 127.0.0.1:9092)
`;

/** Thrown for a failed admin operation; the message names the Kafka error. */
class CommandError extends Error {}

function check(errorCode: number, errorMessage: string | null | undefined, what: string): void {
  if (errorCode === 0) return;
  const name = kafkaErrorByCode(errorCode)?.name ?? `error ${errorCode}`;
  throw new CommandError(`${what}: ${name}${errorMessage ? `: ${errorMessage}` : ''}`);
}

function parseConfigs(values: readonly string[] | undefined): { name: string; value: string }[] {
  return (values ?? []).map((kv) => {
    const at = kv.indexOf('=');
    if (at <= 0) throw new CommandError(`--config expects KEY=VALUE, got "${kv}"`);
    return { name: kv.slice(0, at), value: kv.slice(at + 1) };
  });
}

const intOption = (value: string | undefined, flag: string, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new CommandError(`${flag} expects an integer, got "${value}"`);
  return Number(value);
};

/** Runs `oxbow topics ...`; returns the process exit code. */
export async function runTopicsCommand(argv: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        bootstrap: { type: 'string', default: '127.0.0.1:9092' },
        partitions: { type: 'string' },
        'replication-factor': { type: 'string' },
        'storage-mode': { type: 'string' },
        config: { type: 'string', multiple: true },
        'delete-config': { type: 'string', multiple: true },
      },
    });
  } catch (err) {
    process.stderr.write(`oxbow topics: ${(err as Error).message}\n\n${TOPICS_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  let client: KafkaClient | undefined;
  try {
    client = await KafkaClient.connect(values.bootstrap, { clientId: 'oxbow-cli' });
    switch (sub) {
      case 'create':
        return await create(client, positionals, values, out);
      case 'list':
        return await list(client, out);
      case 'describe':
        return await describe(client, positionals, out);
      case 'alter':
        return await alter(client, positionals, values, out);
      case 'delete':
        return await remove(client, positionals, out);
      default:
        process.stderr.write(`oxbow topics: unknown subcommand "${sub ?? ''}"\n\n${TOPICS_HELP}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof CommandError || (err instanceof Error && 'code' in err)) {
      process.stderr.write(`oxbow topics ${sub ?? ''}: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    client?.close();
  }
}

type Values = { partitions?: string; 'replication-factor'?: string; 'storage-mode'?: string; config?: string[]; 'delete-config'?: string[] };

async function create(client: KafkaClient, names: readonly string[], values: Values, out: NodeJS.WritableStream): Promise<number> {
  const [name] = names;
  if (name === undefined || names.length !== 1) throw new CommandError('create takes exactly one topic name');
  const configs = parseConfigs(values.config);
  if (values['storage-mode'] !== undefined) configs.push({ name: 'storage.mode', value: values['storage-mode'] });
  const res = await client.send(CreateTopics, {
    topics: [
      {
        name,
        numPartitions: intOption(values.partitions, '--partitions', -1),
        replicationFactor: intOption(values['replication-factor'], '--replication-factor', -1),
        assignments: [],
        configs,
      },
    ],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  const t = res.topics[0];
  if (t === undefined) throw new CommandError('empty CreateTopics response');
  check(t.errorCode, t.errorMessage, `create ${name}`);
  out.write(`Created topic ${name} (id ${t.topicId}, ${t.numPartitions} partitions, replication factor ${t.replicationFactor}).\n`);
  return 0;
}

async function list(client: KafkaClient, out: NodeJS.WritableStream): Promise<number> {
  const md = await client.send(Metadata, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  for (const t of [...md.topics].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))) out.write(`${t.name ?? t.topicId}\n`);
  return 0;
}

async function describe(client: KafkaClient, names: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const md = await client.send(Metadata, {
    topics: names.length === 0 ? null : names.map((name) => ({ name, topicId: '00000000-0000-0000-0000-000000000000' })),
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  let status = 0;
  for (const t of md.topics) {
    const name = t.name ?? '';
    if (t.errorCode !== 0) {
      process.stderr.write(`${name}: ${kafkaErrorByCode(t.errorCode)?.name ?? t.errorCode}\n`);
      status = 1;
      continue;
    }
    const cfg = await client.send(DescribeConfigs, {
      resources: [{ resourceType: RESOURCE_TYPE.TOPIC, resourceName: name, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const set = (cfg.results[0]?.configs ?? []).filter((c) => c.configSource === 1).map((c) => `${c.name}=${c.isSensitive ? '(sensitive)' : (c.value ?? '')}`);
    out.write(`Topic: ${name}\tTopicId: ${t.topicId}\tPartitionCount: ${t.partitions.length}\tConfigs: ${set.join(',')}\n`);
    for (const p of [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)) {
      out.write(`\tPartition: ${p.partitionIndex}\tLeader: ${p.leaderId}\tReplicas: ${p.replicaNodes.join(',')}\tIsr: ${p.isrNodes.join(',')}\n`);
    }
  }
  return status;
}

async function alter(client: KafkaClient, names: readonly string[], values: Values, out: NodeJS.WritableStream): Promise<number> {
  const [name] = names;
  if (name === undefined || names.length !== 1) throw new CommandError('alter takes exactly one topic name');
  const ops = [
    ...parseConfigs(values.config).map((c) => ({ name: c.name, configOperation: CONFIG_OPERATION.SET, value: c.value })),
    ...(values['delete-config'] ?? []).map((key) => ({ name: key, configOperation: CONFIG_OPERATION.DELETE, value: null })),
  ];
  if (ops.length > 0) {
    const res = await client.send(IncrementalAlterConfigs, {
      resources: [{ resourceType: RESOURCE_TYPE.TOPIC, resourceName: name, configs: ops }],
      validateOnly: false,
    });
    const r = res.responses[0];
    check(r?.errorCode ?? -1, r?.errorMessage, `alter ${name}`);
  }
  if (values.partitions !== undefined) {
    const res = await client.send(CreatePartitions, {
      topics: [{ name, count: intOption(values.partitions, '--partitions', 0), assignments: null }],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    const r = res.results[0];
    check(r?.errorCode ?? -1, r?.errorMessage, `alter ${name} --partitions`);
  }
  if (ops.length === 0 && values.partitions === undefined) throw new CommandError('alter needs --config, --delete-config or --partitions');
  out.write(`Altered topic ${name}.\n`);
  return 0;
}

async function remove(client: KafkaClient, names: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  if (names.length === 0) throw new CommandError('delete takes one or more topic names');
  const byTopicList = client.versionFor(DeleteTopics) >= 6;
  const res = await client.send(DeleteTopics, {
    ...(byTopicList ? { topics: names.map((name) => ({ name, topicId: '00000000-0000-0000-0000-000000000000' })) } : { topicNames: [...names] }),
    timeoutMs: 30_000,
  });
  let status = 0;
  for (const r of res.responses) {
    if (r.errorCode !== 0) {
      process.stderr.write(`delete ${r.name ?? ''}: ${kafkaErrorByCode(r.errorCode)?.name ?? r.errorCode}${r.errorMessage ? `: ${r.errorMessage}` : ''}\n`);
      status = 1;
    } else {
      out.write(`Deleted topic ${r.name ?? ''}.\n`);
    }
  }
  return status;
}
