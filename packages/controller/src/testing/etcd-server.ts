/**
 * A real etcd server for tests (Debian's etcd-server, /usr/bin/etcd): one process on free
 * 127.0.0.1 ports with a temporary data dir. Start it once per test file and isolate tests by
 * cluster name; it is ready in well under 2 s. `pause`/`resume` send SIGSTOP/SIGCONT (etcd hangs
 * without closing connections), `kill` is SIGKILL, `restart` starts it again on the same data dir
 * and ports (after `kill`, or on its own).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdServer {
  /** Client URLs, e.g. `['http://127.0.0.1:41235']`. */
  readonly endpoints: readonly string[];
  readonly dataDir: string;
  /** SIGSTOP: etcd stops answering but keeps its sockets open. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts etcd again on the same data dir and ports (killing it first if it runs); resolves when ready. */
  restart(): Promise<void>;
  /** Stops etcd and removes its data dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  /** Path of the etcd binary (default /usr/bin/etcd, or $ETCD_BIN). */
  readonly binary?: string;
  /** How long to wait for readiness (default 10 s). */
  readonly readyTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const binary = options.binary ?? process.env.ETCD_BIN ?? '/usr/bin/etcd';
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const dataDir = await mkdtemp(join(tmpdir(), 'oxbow-etcd-'));
  const [clientPort, peerPort] = await Promise.all([freePort(), freePort()]);
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'oxbow-test',
    '--data-dir', dataDir,
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `oxbow-test=${peerUrl}`,
    '--initial-cluster-state', 'new',
    // Large topics are created in one transaction (one key per partition).
    '--max-txn-ops', '10000',
    '--logger', 'zap',
    '--log-level', 'error',
  ];
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }

  let child: ChildProcess | undefined;
  let output = '';
  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    running.add(proc);
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.once('exit', () => running.delete(proc));
    await waitReady(proc, clientUrl, readyTimeoutMs, () => output);
  };
  const exited = async (proc: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> => {
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGCONT');
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };

  await launch();
  let stopped = false;
  return {
    endpoints: [clientUrl],
    dataDir,
    pause: () => {
      if (child?.kill('SIGSTOP') === true && child.pid !== undefined) waitUntilStopped(child.pid);
    },
    resume: () => void child?.kill('SIGCONT'),
    kill: () => exited(child, 'SIGKILL'),
    restart: async () => {
      await exited(child, 'SIGKILL');
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await exited(child, 'SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitReady(proc: ChildProcess, clientUrl: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`etcd exited (${proc.exitCode ?? proc.signalCode}) before becoming ready: ${output()}`);
    }
    try {
      const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(500) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`etcd at ${clientUrl} was not ready within ${timeoutMs} ms: ${output()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * SIGSTOP takes effect asynchronously; a test that pauses etcd and at once writes must not have the
 * write served first. Polls /proc until the process is stopped (state T), for at most a second.
 */
function waitUntilStopped(pid: number): void {
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'T' || state === 't') return;
    } catch {
      return;
    }
  }
}
