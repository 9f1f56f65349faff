#!/usr/bin/env node
// `npm start`: the single-node broker with embedded defaults. The broker itself is built under the
// single-node broker issue; until it lands this says so instead of pretending to start.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', 'packages', 'node', 'src', 'cli.ts');
if (!existsSync(cli)) {
  console.error('Oxbow: the broker process is not built yet (see the single-node broker issue). `npm test` works today.');
  process.exit(1);
}
