#!/usr/bin/env node
// Brings a fresh clone to a runnable state using only Node and npm (and apt, for the system tools
// the end-to-end tests use). Idempotent and quick when nothing changed: `npm start` and `npm test`
// call it first.
//
//   node scripts/setup.mjs                      npm packages only
//   node scripts/setup.mjs --with-system-tools  also etcd, kcat and librdkafka's Python client (apt)
//   --quiet                                     print only what it does, not what it skips
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const log = (msg) => console.log(`[setup] ${msg}`);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`[setup] Oxbow needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}

// ---- npm packages: reinstall when any manifest or the lock file changed since the last install ----
function manifestHash() {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) if (existsSync(join(root, f))) h.update(readFileSync(join(root, f)));
  for (const dir of readdirSync(join(root, 'packages'))) {
    const p = join(root, 'packages', dir, 'package.json');
    if (existsSync(p)) h.update(readFileSync(p));
  }
  return h.digest('hex');
}

const stamp = join(root, 'node_modules', '.oxbow-setup-stamp');
const want = manifestHash();
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== want) {
  log('installing npm packages (npm install from the lock file)');
  // `npm ci` rejects lock files written on one platform for another's optional native packages;
  // `npm install` installs the locked versions and adds this platform's binaries.
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(stamp, manifestHash());
} else if (!quiet) {
  log('npm packages up to date');
}

// ---- system tools for the end-to-end suites ----
if (args.has('--with-system-tools')) {
  const has = (cmd, ...a) => spawnSync(cmd, a, { stdio: 'ignore' }).status === 0;
  const missing = [];
  if (!has('sh', '-c', 'command -v etcd')) missing.push('etcd-server');
  if (!has('sh', '-c', 'command -v kcat')) missing.push('kcat');
  // Debian's librdkafka binding lives in the system Python, not in pyenv shims.
  if (!has('/usr/bin/python3', '-c', 'import confluent_kafka')) missing.push('python3-confluent-kafka');
  if (missing.length === 0) {
    if (!quiet) log('system tools present: etcd, kcat, python3-confluent-kafka');
  } else if (process.getuid?.() === 0 && has('sh', '-c', 'command -v apt-get')) {
    log(`installing with apt: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  } else {
    console.error(`[setup] missing system packages: ${missing.join(' ')}. Install them (Debian/Ubuntu: sudo apt-get install ${missing.join(' ')}); the end-to-end tests need them.`);
    process.exit(1);
  }
}
