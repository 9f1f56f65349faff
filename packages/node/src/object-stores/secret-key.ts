// Where the key sealing secret topic configs comes from: the coordinator's cluster key (default;
// created at random by the first node and shared through the coordinator), or `--secret-key-file`,
// a key kept outside the coordinator so that a copy of etcd alone does not reveal the secrets.
import { readFile } from 'node:fs/promises';
import { parseSecretKey } from '../config/index.js';

/** Reads and decodes a `--secret-key-file` (checked already at start-up; errors never show the content). */
export async function readSecretKeyFile(path: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`secret-key-file ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const key = parseSecretKey(text);
  if (!key.ok) throw new Error(`secret-key-file ${path}: ${key.why}`);
  return key.value;
}

/** The key loader for TopicSecrets: the key file when one is configured, else the coordinator's cluster key. */
export function secretKeySource(secretKeyFile: string | null, clusterSecretKey: () => Promise<Buffer>): () => Promise<Buffer> {
  return secretKeyFile === null ? clusterSecretKey : () => readSecretKeyFile(secretKeyFile);
}
