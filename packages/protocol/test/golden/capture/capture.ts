/**
 * Captures golden request frames from librdkafka into test/golden/librdkafka/.
 *
 * Run from packages/protocol (needs /usr/bin/python3 with python3-confluent-kafka, and kcat):
 *
 *   node --conditions=oxbow:source --import tsx test/golden/capture/capture.ts
 *
 * It starts the capture server (capture-server.ts, our codec only), runs librdkafka-scenario.py
 * and two kcat commands against it, then replaces every fixture with
 * `<ApiName>-v<N>[-<variant>][-kcat].bin` — the request frame without its 4-byte size prefix —
 * and writes index.json. Variants are Produce's compression (`none`, `gzip`, ...) plus
 * `-idempotent` / `-transactional` for batches with a producer id, InitProducerId's
 * `-transactional`, FindCoordinator's `-transaction` (key type 1) and EndTxn's `-abort`; frames
 * from kcat (client id golden-kcat) get a `-kcat` suffix. The tests (test/golden/librdkafka-*.test.ts) only read these
 * files, so neither python nor kcat is needed to run them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCaptureServer } from './capture-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'librdkafka');
const PYTHON = '/usr/bin/python3';

function run(cmd: string, args: readonly string[], input: string | null, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} timed out after ${timeoutMs} ms\n${out}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`));
    });
    child.stdin.end(input ?? '');
  });
}

const server = await startCaptureServer();
const bootstrap = `127.0.0.1:${server.port}`;
console.log(`capture server on ${bootstrap}`);
let versions: Record<string, string> = {};
try {
  const out = await run(PYTHON, [join(here, 'librdkafka-scenario.py'), bootstrap], null, 60_000);
  const line = out.split('\n').find((l) => l.startsWith('VERSIONS '));
  if (line !== undefined) versions = JSON.parse(line.slice('VERSIONS '.length)) as Record<string, string>;

  const kcatArgs = ['-b', bootstrap, '-X', 'client.id=golden-kcat', '-m', '10'];
  await run('kcat', [...kcatArgs, '-L'], null, 20_000);
  await run('kcat', [...kcatArgs, '-P', '-t', 'golden-topic', '-p', '0', '-z', 'lz4', '-K', ':'], 'kcat-key:kcat value golden golden golden golden golden golden\n', 20_000);
} finally {
  await server.close();
}

const kcatVersion = /Version (\S+) \(.*librdkafka (\S+)/.exec(execFileSync('kcat', ['-V']).toString());

mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(outDir)) if (f.endsWith('.bin') || f === 'index.json') rmSync(join(outDir, f));
const files = [...server.captured.values()]
  .sort((a, b) => a.apiKey - b.apiKey || a.apiVersion - b.apiVersion || a.name.localeCompare(b.name))
  .map((c) => {
    const file = `${c.name}.bin`;
    writeFileSync(join(outDir, file), c.frame);
    return { file, api: c.api, apiKey: c.apiKey, apiVersion: c.apiVersion, clientId: c.clientId, variant: c.variant, bytes: c.frame.length };
  });
const index = {
  description: 'Request frames (without the 4-byte size prefix) captured from librdkafka by test/golden/capture/capture.ts',
  librdkafka: versions.librdkafka ?? null,
  confluentKafkaPython: versions.confluentKafka ?? null,
  kcat: kcatVersion?.[1] ?? null,
  kcatLibrdkafka: kcatVersion?.[2] ?? null,
  capturedAt: new Date().toISOString(),
  files,
  serverErrors: server.errors,
  /** Frames our decoder rejects only for trailing bytes (Kafka ignores those). */
  trailingBytes: server.quirks,
};
writeFileSync(join(outDir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
console.log(`\nwrote ${files.length} fixtures to ${outDir}`);
for (const f of files) console.log(`  ${f.file} (${f.bytes} bytes, ${f.clientId ?? 'no client id'})`);
console.log(`requests seen: ${[...server.seen].map(([k, n]) => `${k}×${n}`).join(', ')}`);
if (server.quirks.length > 0) console.log(`\nframes with trailing bytes:\n  ${server.quirks.join('\n  ')}`);
if (server.errors.length > 0) {
  console.log(`\nserver errors:\n  ${server.errors.join('\n  ')}`);
  process.exitCode = 1;
}
