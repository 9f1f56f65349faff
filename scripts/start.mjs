#!/usr/bin/env node
// `npm start`: one broker with embedded defaults (Kafka on 127.0.0.1:9092, data in ./data,
// embedded coordinator). Extra arguments go to `oxbow start`: `npm start -- --kafka 0.0.0.0:9092`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const launcher = join(import.meta.dirname, '..', 'packages', 'node', 'bin', 'oxbow.mjs');
const child = spawn(process.execPath, [launcher, 'start', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal !== null) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
