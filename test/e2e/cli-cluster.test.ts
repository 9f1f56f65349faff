/**
 * `oxbow cluster up --nodes 3 --dir DIR` starts etcd, s3rver and three nodes as detached processes
 * and prints the bootstrap list; kcat sees three brokers, a replicated topic works through every
 * node; `oxbow cluster down --dir DIR` stops every process it started and removes DIR.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../support/client-process.js';

const OXBOW = fileURLToPath(new URL('../../packages/node/bin/oxbow.mjs', import.meta.url));

function oxbow(args: string[], timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OXBOW_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [OXBOW, ...args], { env: clean, timeout }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('oxbow cluster up / down', () => {
  let parent = '';
  let dir = '';
  let pids: number[] = [];

  afterAll(async () => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (parent !== '') await rm(parent, { recursive: true, force: true });
  });

  it('starts a 3-node cluster that real clients use, and stops all of it', async () => {
    // `cluster down` removes `dir` itself; its temporary parent is ours to remove.
    parent = await mkdtemp(join(tmpdir(), 'oxbow-cluster-cli-'));
    dir = join(parent, 'cluster');
    const up = await oxbow(['cluster', 'up', '--nodes', '3', '--dir', dir]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const state = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { etcd: { pid: number }; s3: { pid: number } | null; nodes: { pid: number; kafka: string }[] };
    pids = [state.etcd.pid, ...(state.s3 === null ? [] : [state.s3.pid]), ...state.nodes.map((n) => n.pid)];
    expect(state.s3).not.toBeNull();
    const bootstrap = /bootstrap: (\S+)/.exec(up.stdout)?.[1] ?? '';
    expect(bootstrap.split(',')).toEqual(state.nodes.map((n) => n.kafka));

    const listing = await runProcess('kcat', ['-b', bootstrap, '-L'], { timeoutMs: 30_000 });
    expect(listing.stdout).toContain('3 brokers:');
    for (const node of state.nodes) {
      const produced = await runProcess('kcat', ['-b', node.kafka, '-P', '-t', 'cli-cluster', '-K:', '-X', 'acks=all'], { input: `k-${node.kafka.replace(/\D/g, '')}:v\n`, timeoutMs: 30_000 });
      expect(produced.code).toBe(0);
    }
    const consumed = await runProcess('kcat', ['-b', bootstrap, '-C', '-t', 'cli-cluster', '-o', 'beginning', '-e', '-f', '%k\\n'], { timeoutMs: 30_000 });
    expect(consumed.stdout.trim().split('\n').sort()).toEqual(state.nodes.map((n) => `k-${n.kafka.replace(/\D/g, '')}`).sort());
    const described = await runProcess('kcat', ['-b', bootstrap, '-L', '-t', 'cli-cluster'], { timeoutMs: 30_000 });
    expect(described.stdout).toMatch(/replicas: \d,\d,\d, isrs: \d,\d,\d/);

    const down = await oxbow(['cluster', 'down', '--dir', dir]);
    expect(down.code).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  }, 180_000);
});
