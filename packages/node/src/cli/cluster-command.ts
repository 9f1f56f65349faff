import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `oxbow cluster up --nodes N [--dir DIR]` / `oxbow cluster down [--dir DIR]` (BRIEF §3): a local
 * cluster for development, tests and benchmarks. `up` starts etcd (the system `etcd` binary), an S3
 * protocol server (s3rver) with a bucket `oxbow`, and N nodes on 127.0.0.1 with distinct ports,
 * each a detached process logging to DIR; it writes DIR/cluster.json (pids, ports) and prints the
 * bootstrap list. `down` stops them all (SIGTERM, then SIGKILL after a grace period) and removes DIR
 * unless `--keep`.
 */
export const CLUSTER_HELP = `Usage: oxbow cluster up [--nodes N] [--dir DIR] [--etcd-bin PATH]
       oxbow cluster down [--dir DIR] [--keep]

up     starts etcd, an S3 server (s3rver, bucket "oxbow") and N Oxbow nodes (default 3) on
       127.0.0.1, each logging to DIR (default ./oxbow-cluster), then prints the bootstrap list
down   stops everything "up" started in DIR and removes DIR (--keep leaves data and logs)
`;

const CLI_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const STATE_FILE = 'cluster.json';
const DEFAULT_DIR = 'oxbow-cluster';

interface ClusterState {
  readonly cluster: string;
  readonly etcd: { readonly pid: number; readonly endpoint: string };
  readonly s3: { readonly pid: number; readonly endpoint: string } | null;
  readonly nodes: readonly { readonly nodeId: number; readonly pid: number; readonly kafka: string; readonly grpc: string; readonly admin: string; readonly log: string }[];
}

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Starts a detached process whose output goes to `log`; returns its pid. */
function daemon(command: string, args: readonly string[], log: string, env: NodeJS.ProcessEnv = process.env): number {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const logContains = (log: string, text: string) => async (): Promise<boolean> => (await readFile(log, 'utf8').catch(() => '')).includes(text);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function up(argv: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const count = Number(option(argv, '--nodes') ?? '3');
  if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error('--nodes must be an integer from 1 to 16');
  const dir = resolve(option(argv, '--dir') ?? DEFAULT_DIR);
  const existing = await readFile(join(dir, STATE_FILE), 'utf8').catch(() => null);
  if (existing !== null) throw new Error(`${dir} already holds a cluster; run "oxbow cluster down --dir ${dir}" first`);
  await mkdir(dir, { recursive: true });
  const cluster = `local-${Date.now().toString(36)}`;

  const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
  const etcdEndpoint = `http://127.0.0.1:${etcdClient}`;
  const etcdLog = join(dir, 'etcd.log');
  const etcdPid = daemon(option(argv, '--etcd-bin') ?? 'etcd', [
    '--name', 'oxbow-local',
    '--data-dir', join(dir, 'etcd'),
    '--listen-client-urls', etcdEndpoint,
    '--advertise-client-urls', etcdEndpoint,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`,
    '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
    '--initial-cluster', `oxbow-local=http://127.0.0.1:${etcdPeer}`,
    // Topic creation writes one key per partition in one transaction.
    '--max-txn-ops', '4096',
  ], etcdLog);
  await waitFor('etcd', logContains(etcdLog, 'ready to serve client requests'), 15_000);

  let s3: ClusterState['s3'] = null;
  try {
    const s3rver = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
    const port = await freePort();
    const log = join(dir, 's3rver.log');
    await mkdir(join(dir, 's3'), { recursive: true });
    // s3rver's ListObjectsV2 pagination needs the legacy OpenSSL provider on Node 17+.
    const pid = daemon(process.execPath, [s3rver, '-d', join(dir, 's3'), '-a', '127.0.0.1', '-p', String(port), '--configure-bucket', 'oxbow'], log, { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' });
    await waitFor('s3rver', logContains(log, 'S3rver listening'), 15_000);
    s3 = { pid, endpoint: `http://127.0.0.1:${port}` };
  } catch (err) {
    out.write(`object storage: s3rver could not start (${err instanceof Error ? err.message : String(err)}); nodes use file:// object stores\n`);
  }

  const nodes: ClusterState['nodes'][number][] = [];
  for (let nodeId = 1; nodeId <= count; nodeId++) {
    const [kafka, grpc, admin] = [await freePort(), await freePort(), await freePort()];
    const log = join(dir, `node-${nodeId}.log`);
    const objectStore = s3 === null ? `file://${join(dir, `node-${nodeId}`, 'objects')}` : `s3://oxbow?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1&forcePathStyle=true`;
    const pid = daemon(process.execPath, [
      '--conditions=oxbow:source', '--import', 'tsx', CLI_MAIN, 'start',
      '--node-id', String(nodeId),
      '--kafka', `127.0.0.1:${kafka}`,
      '--grpc', `127.0.0.1:${grpc}`,
      '--admin', `127.0.0.1:${admin}`,
      '--data-dir', join(dir, `node-${nodeId}`),
      '--etcd', etcdEndpoint,
      '--cluster', cluster,
      '--object-store', objectStore,
      // Auto-created topics replicate across the local nodes (Kafka's default is 1).
      '--set', `default.replication.factor=${Math.min(3, count)}`,
      // The etcd above runs with --max-txn-ops 4096: diskless flushes commit up to 1024 partitions at once.
      '--set', 'oxbow.etcd.max.txn.ops=4096',
    ], log);
    nodes.push({ nodeId, pid, kafka: `127.0.0.1:${kafka}`, grpc: `127.0.0.1:${grpc}`, admin: `127.0.0.1:${admin}`, log });
  }
  const state: ClusterState = { cluster, etcd: { pid: etcdPid, endpoint: etcdEndpoint }, s3, nodes };
  await writeFile(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  for (const n of nodes) {
    await waitFor(`node ${n.nodeId} (log: ${n.log})`, async () => {
      if (!alive(n.pid)) throw new Error(`node ${n.nodeId} exited; see ${n.log}`);
      return logContains(n.log, 'Oxbow is serving Kafka')();
    }, 60_000);
  }
  out.write(`cluster ${cluster}: ${count} node(s), etcd ${etcdEndpoint}${s3 === null ? '' : `, S3 ${s3.endpoint} (bucket oxbow)`}\n`);
  out.write(`logs and data in ${dir}; stop with: oxbow cluster down --dir ${dir}\n`);
  out.write(`bootstrap: ${nodes.map((n) => n.kafka).join(',')}\n`);
  return 0;
}

async function down(argv: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const dir = resolve(option(argv, '--dir') ?? DEFAULT_DIR);
  const text = await readFile(join(dir, STATE_FILE), 'utf8').catch(() => null);
  if (text === null) throw new Error(`no cluster in ${dir} (no ${STATE_FILE})`);
  const state = JSON.parse(text) as ClusterState;
  const pids = [...state.nodes.map((n) => n.pid), ...(state.s3 === null ? [] : [state.s3.pid]), state.etcd.pid];
  // Nodes first (they deregister from etcd), then the servers.
  for (const group of [state.nodes.map((n) => n.pid), [...(state.s3 === null ? [] : [state.s3.pid]), state.etcd.pid]]) {
    for (const pid of group) if (alive(pid)) process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (group.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const pid of group) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (argv.includes('--keep')) await rm(join(dir, STATE_FILE), { force: true });
  else await rm(dir, { recursive: true, force: true });
  out.write(`stopped ${pids.length} process(es)${argv.includes('--keep') ? `; data and logs kept in ${dir}` : `; removed ${dir}`}\n`);
  return 0;
}

export async function runClusterCommand(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'up') return await up(rest, out);
    if (sub === 'down') return await down(rest, out);
  } catch (e) {
    err.write(`oxbow cluster ${sub ?? ''}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  out.write(CLUSTER_HELP);
  return sub === undefined || sub === '--help' || sub === '-h' ? 0 : 2;
}
