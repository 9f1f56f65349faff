import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseBrokerConfig, parseSecretKey } from '../../src/config/index.js';
import { readSecretKeyFile, secretKeySource } from '../../src/object-stores/secret-key.js';
import { TopicSecrets } from '../../src/object-stores/topic-secrets.js';

const KEY = randomBytes(32);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oxbow-secret-key-'));
  await writeFile(join(dir, 'hex'), `${KEY.toString('hex')}\n`);
  await writeFile(join(dir, 'base64'), KEY.toString('base64'));
  await writeFile(join(dir, 'short'), randomBytes(16).toString('hex'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--secret-key-file', () => {
  it('decodes 64 hex digits or base64 of 32 bytes, and nothing else', () => {
    expect(parseSecretKey(KEY.toString('hex'))).toEqual({ ok: true, value: KEY });
    expect(parseSecretKey(` ${KEY.toString('base64')}\n`)).toEqual({ ok: true, value: KEY });
    expect(parseSecretKey(KEY.toString('base64url'))).toEqual({ ok: true, value: KEY });
    for (const bad of ['', 'secret', randomBytes(16).toString('hex'), randomBytes(33).toString('base64'), `${KEY.toString('hex')}0`]) {
      const out = parseSecretKey(bad);
      expect(out.ok).toBe(false);
      if (!out.ok && bad !== '') expect(out.why).not.toContain(bad);
    }
  });

  it('is checked at start-up, naming the flag and never the content', () => {
    expect(parseBrokerConfig([], {}).secretKeyFile).toBeNull();
    expect(parseBrokerConfig(['--secret-key-file', join(dir, 'hex')], {}).secretKeyFile).toBe(join(dir, 'hex'));
    expect(parseBrokerConfig([], { OXBOW_SECRET_KEY_FILE: join(dir, 'base64') }).secretKeyFile).toBe(join(dir, 'base64'));
    for (const file of ['short', 'missing']) {
      let error: unknown;
      try {
        parseBrokerConfig(['--secret-key-file', join(dir, file)], {});
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).setting).toBe('secret-key-file');
      expect((error as Error).message).toMatch(file === 'missing' ? /ENOENT/ : /64 hex digits or base64/);
    }
  });

  it('supplies the sealing key instead of the coordinator', async () => {
    expect(await readSecretKeyFile(join(dir, 'hex'))).toEqual(KEY);
    await expect(readSecretKeyFile(join(dir, 'short'))).rejects.toThrow(/secret-key-file .*short/);
    let coordinatorAsked = false;
    const fromCoordinator = (): Promise<Buffer> => {
      coordinatorAsked = true;
      return Promise.resolve(randomBytes(32));
    };
    const fromFile = new TopicSecrets(secretKeySource(join(dir, 'base64'), fromCoordinator));
    const sealed = await fromFile.seal({ 's3.secret.access.key': 'abc-secret' });
    expect(coordinatorAsked).toBe(false);
    // Anyone with the same key file opens it.
    expect(await TopicSecrets.withKey(KEY).open(sealed)).toEqual({ 's3.secret.access.key': 'abc-secret' });
    await new TopicSecrets(secretKeySource(null, fromCoordinator)).ready();
    expect(coordinatorAsked).toBe(true);
  });
});
