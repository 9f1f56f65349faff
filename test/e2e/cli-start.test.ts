/**
 * `oxbow start` refuses unknown or invalid settings at start-up with a message naming the setting
 * and where it came from (flag, environment variable or config file), and `--help` lists them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const OXBOW = fileURLToPath(new URL('../../packages/node/bin/oxbow.mjs', import.meta.url));

function oxbow(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OXBOW_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [OXBOW, ...args], { env: { ...clean, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('oxbow start settings', () => {
  it('names an unknown flag', async () => {
    const r = await oxbow(['start', '--no-such-flag', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--no-such-flag');
  });

  it('names an invalid value and the environment variable it came from', async () => {
    const r = await oxbow(['start'], { OXBOW_KAFKA: 'not-an-address' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OXBOW_KAFKA');
  });

  it('names an unknown broker setting', async () => {
    const r = await oxbow(['start', '--set', 'log.retention.bananas=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('log.retention.bananas');
  });

  it('names a bad key in the config file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oxbow-cli-'));
    try {
      const file = join(dir, 'oxbow.yaml');
      await writeFile(file, 'kafka: 127.0.0.1:19999\nnot-a-setting: 1\n');
      const r = await oxbow(['start', '--config', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('not-a-setting');
      expect(r.stderr).toContain('oxbow.yaml');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--help lists every flag with its environment variable', async () => {
    const r = await oxbow(['start', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--node-id', '--kafka', '--advertise', '--grpc', '--admin', '--data-dir', '--etcd', '--object-store', '--config']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('OXBOW_DATA_DIR');
  });

  it('an unknown command prints the usage', async () => {
    const r = await oxbow(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: oxbow');
  });
});
