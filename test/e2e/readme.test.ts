/**
 * Runs the commands the README shows, as printed, against a broker started like `npm start`
 * (on 127.0.0.1:9092 when that port is free; otherwise the address is rewritten), so the README
 * cannot silently rot. Blocks are found by their `<!-- readme-test: NAME -->` markers.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PRINTED = '127.0.0.1:9092';

async function readmeBlock(name: string): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const marker = `<!-- readme-test: ${name} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README has no block marked ${marker}`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at));
  if (m?.[1] === undefined) throw new Error(`no code block after ${marker}`);
  return m[1];
}

/** Shell lines of a block, comments stripped. */
const lines = (block: string): string[] =>
  block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('README walkthrough', () => {
  let broker: BrokerProcess;
  let address: string;
  const asPrinted = (cmd: string): string => cmd.replaceAll(PRINTED, address);

  beforeAll(async () => {
    const port = (await portIsFree(9092)) ? 9092 : await freePort();
    broker = await startBroker({ port });
    address = broker.bootstrap;
  });
  afterAll(async () => broker.cleanup());

  it('kcat lists, produces and consumes', async () => {
    const outputs: string[] = [];
    for (const line of lines(await readmeBlock('kcat'))) {
      const { stdout } = await run('sh', ['-c', asPrinted(line)], { timeout: 30_000 });
      outputs.push(stdout);
    }
    expect(outputs[0]).toContain('1 brokers');
    expect(outputs[2]).toBe('k1=hello\nk2=world\n');
  });

  it('the kafkajs script produces', async () => {
    const dir = await mkdtemp(join(ROOT, 'test', '.readme-'));
    try {
      const file = join(dir, 'produce.mjs');
      await writeFile(file, asPrinted(await readmeBlock('kafkajs')));
      const { stdout } = await run(process.execPath, [file], { timeout: 30_000 });
      expect(stdout).toMatch(/topicName: 'greetings'/);
      expect(stdout).toMatch(/errorCode: 0/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the kafkajs transaction script commits, and a read_committed consumer sees the record', async () => {
    const dir = await mkdtemp(join(ROOT, 'test', '.readme-'));
    try {
      const file = join(dir, 'transaction.mjs');
      await writeFile(file, asPrinted(await readmeBlock('kafkajs-transaction')));
      const { stdout } = await run(process.execPath, [file], { timeout: 30_000 });
      expect(stdout.trim()).toBe('committed');
      const { stdout: consumed } = await run('kcat', ['-b', address, '-C', '-t', 'greetings', '-o', 'beginning', '-e', '-X', 'isolation.level=read_committed', '-f', '%k=%s\n'], { timeout: 30_000 });
      expect(consumed).toContain('k4=all or nothing');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a diskless topic takes records and serves them back', async () => {
    const outputs: string[] = [];
    for (const line of lines(await readmeBlock('diskless'))) {
      const cmd = line.startsWith('npx oxbow') ? (address === PRINTED ? line : `${line} --bootstrap ${address}`) : asPrinted(line);
      const { stdout } = await run('sh', ['-c', cmd], { cwd: ROOT, timeout: 60_000 });
      outputs.push(stdout);
    }
    expect(outputs[0]).toMatch(/Created topic clicks .*4 partitions/);
    expect(outputs[2]).toBe('u1=home\nu2=cart\n');
  });

  it('oxbow topics create, list, describe, alter and delete', async () => {
    const outputs: string[] = [];
    for (const line of lines(await readmeBlock('oxbow-topics'))) {
      const cmd = address === PRINTED ? line : `${line} --bootstrap ${address}`;
      const { stdout } = await run('sh', ['-c', cmd], { cwd: ROOT, timeout: 60_000 });
      outputs.push(stdout);
    }
    expect(outputs[0]).toMatch(/Created topic events .*4 partitions/);
    expect(outputs[1]).toContain('events');
    expect(outputs[2]).toMatch(/retention\.ms=86400000/);
    expect(outputs[3]).toContain('Altered topic events');
    expect(outputs[4]).toContain('Deleted topic events');
  });
});
