/**
 * Runs real Kafka client programs (kcat, the python3-confluent-kafka drivers in `e2e/clients/`) as
 * child processes with a hard time limit, capturing what they print. Nothing here knows Kafka: the
 * tests decide what the output means.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RunOptions {
  /** Bytes written to stdin, which is then closed (stdin is closed at once without it). */
  readonly input?: string | Buffer;
  /** Hard limit: SIGKILL after this many milliseconds (default 30 s). */
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

export interface RunResult {
  /** Exit code, or null when the process was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), elapsedMs: Date.now() - started });
    });
    // A client that exits before reading all of stdin must not crash the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Debian's interpreter: the only one that can import python3-confluent-kafka (not a pyenv shim). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const CLIENTS_DIR = fileURLToPath(new URL('../e2e/clients/', import.meta.url));

export interface PythonClientResult<T> extends RunResult {
  /** The JSON summary the driver printed as its last stdout line. */
  readonly summary: T;
}

/**
 * Runs `e2e/clients/<script>` under the system python and parses the JSON summary it prints as its
 * last stdout line. Throws (with the driver's stderr) when it timed out or printed no summary; a
 * non-zero exit with a summary is returned, so the test can show what did not hold.
 */
export async function runPythonClient<T = Record<string, unknown>>(script: string, args: readonly string[], timeoutMs = 60_000): Promise<PythonClientResult<T>> {
  // -B: no __pycache__ left in the source tree.
  const result = await runProcess(SYSTEM_PYTHON, ['-B', CLIENTS_DIR + script, ...args], { timeoutMs, cwd: CLIENTS_DIR });
  const last = result.stdout.trim().split('\n').pop() ?? '';
  const describe = (): string =>
    `${script} ${args.join(' ')}: exit ${result.code ?? result.signal}${result.timedOut ? ` (killed after ${timeoutMs} ms)` : ''}\nstdout: ${result.stdout.slice(-4000)}\nstderr: ${result.stderr.slice(-4000)}`;
  if (result.timedOut) throw new Error(describe());
  let summary: T;
  try {
    summary = JSON.parse(last) as T;
  } catch {
    throw new Error(`no JSON summary from ${describe()}`);
  }
  return { ...result, summary };
}
