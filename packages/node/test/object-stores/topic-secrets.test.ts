import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSealed, SEALED_PREFIX, SECRET_TOPIC_CONFIG_NAMES, TopicSecrets, TopicSecretsError } from '../../src/object-stores/topic-secrets.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('TopicSecrets', () => {
  it('knows every sensitive topic config', () => {
    expect(SECRET_TOPIC_CONFIG_NAMES).toEqual(expect.arrayContaining(['s3.secret.access.key', 'external.s3.secret.access.key']));
    expect(SECRET_TOPIC_CONFIG_NAMES).not.toContain('s3.access.key.id');
  });

  it('seals secret values only, and opens them again', async () => {
    const secrets = TopicSecrets.withKey(randomBytes(32));
    const plain = { 's3.bucket': 'b', 's3.access.key.id': 'AKID', 's3.secret.access.key': SECRET, 'external.s3.secret.access.key': 'other-secret', 'retention.ms': '1000' };
    const sealed = await secrets.seal(plain);
    expect(sealed['s3.bucket']).toBe('b');
    expect(sealed['s3.access.key.id']).toBe('AKID');
    expect(sealed['retention.ms']).toBe('1000');
    expect(sealed['s3.secret.access.key']?.startsWith(SEALED_PREFIX)).toBe(true);
    expect(isSealed(sealed['external.s3.secret.access.key'] ?? '')).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain(SECRET);
    expect(await secrets.open(sealed)).toEqual(plain);
    expect(secrets.openSync(sealed)).toEqual(plain);
  });

  it('uses a fresh IV per seal, and keeps the stored ciphertext of an unchanged secret', async () => {
    const secrets = TopicSecrets.withKey(randomBytes(32));
    const a = await secrets.seal({ 's3.secret.access.key': SECRET });
    const b = await secrets.seal({ 's3.secret.access.key': SECRET });
    expect(a['s3.secret.access.key']).not.toBe(b['s3.secret.access.key']);
    const again = await secrets.seal({ 's3.secret.access.key': SECRET, 'retention.ms': '5' }, a);
    expect(again['s3.secret.access.key']).toBe(a['s3.secret.access.key']);
    const changed = await secrets.seal({ 's3.secret.access.key': 'new-secret' }, a);
    expect(changed['s3.secret.access.key']).not.toBe(a['s3.secret.access.key']);
    expect((await secrets.open(changed))['s3.secret.access.key']).toBe('new-secret');
  });

  it('treats request values as plaintext even when they look sealed', async () => {
    const secrets = TopicSecrets.withKey(randomBytes(32));
    const lookalike = `${SEALED_PREFIX}AAAA`;
    const sealed = await secrets.seal({ 's3.secret.access.key': lookalike });
    expect(sealed['s3.secret.access.key']).not.toBe(lookalike);
    expect((await secrets.open(sealed))['s3.secret.access.key']).toBe(lookalike);
  });

  it('passes plaintext stored before sealing existed through open', async () => {
    const secrets = TopicSecrets.withKey(randomBytes(32));
    expect(await secrets.open({ 's3.secret.access.key': SECRET })).toEqual({ 's3.secret.access.key': SECRET });
  });

  it('refuses a value sealed under another key, moved to another config, or tampered with, naming the key only', async () => {
    const secrets = TopicSecrets.withKey(randomBytes(32));
    const sealed = (await secrets.seal({ 's3.secret.access.key': SECRET }))['s3.secret.access.key'] ?? '';
    const other = TopicSecrets.withKey(randomBytes(32));
    const wrongKey = await other.open({ 's3.secret.access.key': sealed }).catch((e: unknown) => e);
    expect(wrongKey).toBeInstanceOf(TopicSecretsError);
    expect(wrongKey).toMatchObject({ code: 'undecryptable', configKey: 's3.secret.access.key' });
    expect(String((wrongKey as Error).message)).not.toContain(SECRET);
    await expect(secrets.open({ 'external.s3.secret.access.key': sealed })).rejects.toMatchObject({ code: 'undecryptable' });
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    await expect(secrets.open({ 's3.secret.access.key': SEALED_PREFIX + raw.toString('base64') })).rejects.toMatchObject({ code: 'undecryptable' });
    await expect(secrets.open({ 's3.secret.access.key': `${SEALED_PREFIX}xx` })).rejects.toMatchObject({ code: 'undecryptable' });
  });

  it('loads the key once, lazily, and does not cache a failed load', async () => {
    const key = randomBytes(32);
    let calls = 0;
    let fail = true;
    const secrets = new TopicSecrets(() => {
      calls++;
      return fail ? Promise.reject(new Error('etcd unavailable')) : Promise.resolve(key);
    });
    expect(secrets.loaded).toBe(false);
    expect(() => secrets.openSync({ 's3.secret.access.key': `${SEALED_PREFIX}AAAA` })).toThrow(/not loaded/);
    // Configs without secrets need no key.
    expect(await secrets.seal({ 'retention.ms': '1' })).toEqual({ 'retention.ms': '1' });
    expect(calls).toBe(0);
    await expect(secrets.seal({ 's3.secret.access.key': SECRET })).rejects.toMatchObject({ code: 'key-unavailable' });
    fail = false;
    await Promise.all([secrets.ready(), secrets.ready()]);
    const sealed = await secrets.seal({ 's3.secret.access.key': SECRET });
    expect(secrets.openSync(sealed)['s3.secret.access.key']).toBe(SECRET);
    expect(calls).toBe(2);
  });

  it('rejects a cluster key of the wrong size', async () => {
    await expect(new TopicSecrets(() => Promise.resolve(randomBytes(16))).ready()).rejects.toMatchObject({ code: 'invalid-key' });
    expect(() => TopicSecrets.withKey(randomBytes(31))).toThrow(TopicSecretsError);
  });

  it('fingerprints depend on the value and the cluster key, and never reveal the value', () => {
    const key = randomBytes(32);
    const a = TopicSecrets.withKey(key);
    const b = TopicSecrets.withKey(Buffer.from(key));
    expect(a.fingerprint(SECRET)).toBe(b.fingerprint(SECRET));
    expect(a.fingerprint(SECRET)).not.toBe(a.fingerprint(`${SECRET}x`));
    expect(TopicSecrets.withKey(randomBytes(32)).fingerprint(SECRET)).not.toBe(a.fingerprint(SECRET));
    expect(a.fingerprint(SECRET)).toMatch(/^[0-9a-f]{16}$/);
  });
});
