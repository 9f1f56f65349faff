/**
 * A real S3 protocol server for tests: s3rver 3.7.1 in a child process on a free 127.0.0.1 port
 * with a temp directory. The child runs with `NODE_OPTIONS=--openssl-legacy-provider` because
 * s3rver's ListObjectsV2 continuation tokens need it, and exits when this process goes away.
 *
 * s3rver gaps (docs/object-storage.md): no SigV4 signature check (only the access key id), suffix
 * ranges and `bytes=0-0` answered wrongly, conditional PUT ignored, AbortMultipartUpload → 405.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { ObjectStoreSettings } from '../object-store/settings.js';

/** s3rver's built-in account. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface StartS3ServerOptions {
  /** Buckets to create before the server reports ready. */
  readonly buckets?: readonly string[];
  /** Port to listen on (default: a free one). */
  readonly port?: number;
  /** Data directory (default: a new temp dir, removed by stop()). */
  readonly directory?: string;
  /** Start-up deadline (ms). Default 15,000. */
  readonly startTimeoutMs?: number;
}

export interface S3ServerHandle {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly directory: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The child's pid (for SIGSTOP/SIGCONT fault tests). */
  readonly pid: number | undefined;
  /** Settings for a store on this server (path style, static credentials). */
  settings(bucket: string, extra?: Partial<ObjectStoreSettings>): ObjectStoreSettings;
  /** `s3://bucket/prefix?endpoint=...&region=...&forcePathStyle=true` for `--object-store`. */
  url(bucket: string, prefix?: string): string;
  createBucket(name: string): Promise<void>;
  /** Stops the process (keeping the data) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops the process; removes the directory unless it was given. */
  stop(): Promise<void>;
}

const CHILD_SCRIPT = `
const S3rver = require(process.env.OXBOW_S3RVER_MODULE);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(process.env.OXBOW_S3RVER_PORT),
  silent: true,
  directory: process.env.OXBOW_S3RVER_DIR,
  configureBuckets: JSON.parse(process.env.OXBOW_S3RVER_BUCKETS).map((name) => ({ name })),
});
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ ready: true, port: address.port }) + '\\n'),
  (error) => { process.stderr.write(String((error && error.stack) || error) + '\\n'); process.exit(1); },
);
const quit = () => { server.close().finally(() => process.exit(0)); setTimeout(() => process.exit(0), 1000).unref(); };
process.on('SIGTERM', quit);
process.stdin.on('end', quit);
process.stdin.on('error', quit);
process.stdin.resume();
`;

export async function startS3Server(options: StartS3ServerOptions = {}): Promise<S3ServerHandle> {
  const ownDir = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'oxbow-s3rver-')));
  const modulePath = createRequire(import.meta.url).resolve('s3rver');
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  let child: ChildProcess | undefined;
  let port = options.port ?? 0;

  const spawnServer = async (buckets: readonly string[]): Promise<void> => {
    const proc = spawn(process.execPath, ['-e', CHILD_SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: '--openssl-legacy-provider',
        OXBOW_S3RVER_MODULE: modulePath,
        OXBOW_S3RVER_PORT: String(port),
        OXBOW_S3RVER_DIR: directory,
        OXBOW_S3RVER_BUCKETS: JSON.stringify(buckets),
      },
    });
    child = proc;
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => fail(new Error(`s3rver did not start within ${timeoutMs} ms: ${err.slice(-2000)}`)), timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        reject(error);
      };
      proc.stderr?.on('data', (d: Buffer) => {
        err = (err + d.toString()).slice(-4000);
      });
      proc.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.includes('"ready"'));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { port: number }).port);
        }
      });
      proc.on('exit', (code, signal) => fail(new Error(`s3rver exited during start-up (code ${code}, signal ${signal}): ${err.slice(-2000)}`)));
    });
  };

  const stopServer = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };

  await spawnServer(options.buckets ?? []);
  const endpoint = (): string => `http://127.0.0.1:${port}`;
  const region = 'us-east-1';

  const handle: S3ServerHandle = {
    get endpoint() {
      return endpoint();
    },
    get port() {
      return port;
    },
    region,
    directory,
    ...S3RVER_CREDENTIALS,
    get pid() {
      return child?.pid;
    },
    settings: (bucket, extra = {}) => ({ bucket, region, endpoint: endpoint(), forcePathStyle: true, ...S3RVER_CREDENTIALS, ...extra }),
    url: (bucket, prefix) => `s3://${bucket}${prefix === undefined ? '' : `/${prefix}`}?endpoint=${encodeURIComponent(endpoint())}&region=${region}&forcePathStyle=true`,
    async createBucket(name) {
      const client = new S3Client({ endpoint: endpoint(), region, forcePathStyle: true, credentials: S3RVER_CREDENTIALS, maxAttempts: 1 });
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
    async restart() {
      await stopServer();
      await spawnServer([]);
    },
    async stop() {
      await stopServer();
      if (ownDir) await rm(directory, { recursive: true, force: true });
    },
  };
  return handle;
}
