import { brokerHelpText, ConfigError, parseBrokerConfig, wantsHelp } from '../config/index.js';
import { Broker } from '../broker/broker.js';
import { runClusterCommand } from './cluster-command.js';
import { runTopicsCommand, TOPICS_HELP } from './topics-command.js';

const USAGE = `Usage: oxbow <command> [options]

Commands:
  start                 run a broker (see: oxbow start --help)
  topics <subcommand>   create | list | describe | alter | delete topics (see: oxbow topics --help)
  cluster up|down       a local cluster: etcd, an S3 server and N nodes (see: oxbow cluster --help)
`;

async function start(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(brokerHelpText());
    return 0;
  }
  let config;
  try {
    config = parseBrokerConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`oxbow start: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const broker = await Broker.start(config);
  const { host, port } = broker.kafkaAddress();
  process.stderr.write(`Oxbow is serving Kafka on ${host}:${port} (node ${config.nodeId}, data in ${config.dataDir}). Ctrl-C stops it.\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  broker.logger.info('stopping');
  await broker.close();
  // Everything is closed; a client library's lingering handle (etcd3 keeps a pending election
  // campaign's lease alive) must not keep a stopped node running.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start(rest);
    case 'topics':
      if (rest.length === 0 || wantsHelp(rest.slice(0, 1))) {
        process.stdout.write(TOPICS_HELP);
        return rest.length === 0 ? 2 : 0;
      }
      return runTopicsCommand(rest, process.stdout);
    case 'cluster':
      return runClusterCommand(rest, process.stdout, process.stderr);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`oxbow: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`oxbow: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    // A failed start has closed what it opened; do not let a lingering client handle keep it alive.
    setTimeout(() => process.exit(1), 1000).unref();
  },
);
