/**
 * Runs Oxbow brokers as real processes for end-to-end and chaos tests: `startBroker` spawns
 * `oxbow start` (the broker itself, not the launcher, so kill -9 hits the broker), waits until it
 * serves Kafka, and returns a handle to stop, kill or restart it on the same port and data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../packages/node/src/cli/main.ts', import.meta.url));

export interface BrokerOptions {
  /** Data directory (default: a fresh temp dir, removed by `cleanup`). */
  readonly dataDir?: string;
  /** Kafka port (default: a free port chosen once and kept across restarts). */
  readonly port?: number;
  readonly nodeId?: number;
  /** Broker settings, passed as `--set KEY=VALUE`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** HOST:PORT clients are told to connect to (`--advertise`), e.g. a proxy in front of the broker. */
  readonly advertise?: string;
  /** Milliseconds to wait for the broker to serve Kafka. */
  readonly startTimeoutMs?: number;
  /** More `oxbow start` flags, e.g. `['--etcd', URL, '--grpc', '127.0.0.1:0']` for a cluster node. */
  readonly extraArgs?: readonly string[];
}

export interface BrokerProcess {
  readonly bootstrap: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr. */
  output(): string;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
  /** SIGKILL: no chance to flush or close anything. */
  kill9(): Promise<void>;
  /** SIGSTOP / SIGCONT: the process freezes (no timers, no sockets) and later resumes. */
  pause(): void;
  resume(): void;
  /** A new process on the same port and data dir (the old one must have exited). */
  restart(): Promise<BrokerProcess>;
  /** Stops the process if it runs and removes a temp data dir this module created. */
  cleanup(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startBroker(options: BrokerOptions = {}): Promise<BrokerProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'oxbow-e2e-')));
  const port = options.port ?? (await freePort());
  const args = [
    '--conditions=oxbow:source',
    '--import',
    'tsx',
    CLI,
    'start',
    '--node-id',
    String(options.nodeId ?? 0),
    '--kafka',
    `127.0.0.1:${port}`,
    '--admin',
    '127.0.0.1:0',
    '--data-dir',
    dataDir,
    ...(options.advertise === undefined ? [] : ['--advertise', options.advertise]),
    ...(options.extraArgs ?? []),
    ...Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ];
  // Only OXBOW_LOG_LEVEL passes through; other OXBOW_* variables would be start-up settings.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OXBOW_')));
  const child = spawn(process.execPath, args, { env: { ...env, OXBOW_LOG_LEVEL: process.env.OXBOW_LOG_LEVEL ?? 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${output}`));
    }, options.startTimeoutMs ?? 30_000);
    const onData = (): void => {
      if (output.includes('Oxbow is serving Kafka on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code ?? signal}) before serving:\n${output}`));
    });
  });
  const handle: BrokerProcess = {
    bootstrap: `127.0.0.1:${port}`,
    port,
    dataDir,
    pid: child.pid ?? -1,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited(child);
    },
    pause() {
      child.kill('SIGSTOP');
      // The signal lands asynchronously: wait until the process is really stopped (state T).
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline && child.pid !== undefined) {
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        if ('Tt'.includes(stat.charAt(stat.lastIndexOf(')') + 2))) break;
      }
    },
    resume() {
      child.kill('SIGCONT');
    },
    restart: () => startBroker({ ...options, dataDir, port }).then((next) => (ownDir ? ownedBy(next, dataDir) : next)),
    async cleanup() {
      child.kill('SIGKILL');
      await exited(child);
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** A restarted handle that still removes the temp data dir its first start created, across further restarts. */
function ownedBy(handle: BrokerProcess, dataDir: string): BrokerProcess {
  return {
    ...handle,
    restart: () => handle.restart().then((next) => ownedBy(next, dataDir)),
    async cleanup() {
      await handle.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
