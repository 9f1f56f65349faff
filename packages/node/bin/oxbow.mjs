#!/usr/bin/env node
// The `oxbow` command. Oxbow runs from its TypeScript sources (tsx, with the `oxbow:source`
// export condition so workspace packages resolve to src/); this launcher re-executes Node with
// those flags and forwards signals, so `oxbow start` stops cleanly on Ctrl-C or SIGTERM.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const child = spawn(process.execPath, ['--conditions=oxbow:source', '--import', 'tsx', main, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal !== null) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
