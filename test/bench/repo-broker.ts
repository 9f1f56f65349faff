/**
 * One broker started from a given checkout's CLI (`REPO_DIR/packages/node/src/cli/main.ts`), for the
 * development diagnostics that compare builds (ab.ts) or profile one (fetch-profile.ts,
 * latency-profile.ts): free port, the caller's data dir, extra Node flags (e.g. --cpu-prof).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../support/broker-process.js';

export interface RepoBroker {
  readonly port: number;
  readonly bootstrap: string;
  readonly pid: number;
  /** SIGKILL by default; SIGTERM for a clean stop (a --cpu-prof profile is written then). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export function repoCli(repoDir: string): string {
  return join(repoDir, 'packages/node/src/cli/main.ts');
}

export async function startRepoBroker(cli: string, dataDir: string, nodeArgs: readonly string[] = []): Promise<RepoBroker> {
  const port = await freePort();
  const args = [...nodeArgs, '--conditions=oxbow:source', '--import', 'tsx', cli, 'start', '--node-id', '0', '--kafka', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0', '--data-dir', dataDir];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OXBOW_')));
  const child = spawn(process.execPath, args, { env: { ...env, OXBOW_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start:\n${output}`)), 60_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('Oxbow is serving Kafka on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`broker exited (${code ?? '?'}):\n${output}`)));
  });
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    stop: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
