/**
 * Child processes of the bench: the TypeScript helpers (TCP peers, sink, replayer) run through tsx
 * like the broker does, the load generator through Debian's python. Each child talks to the
 * harness with lines on stdout (a port when it listens, one JSON object when done); every wait is
 * bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The Python that can import Debian's confluent_kafka (the pyenv shim on PATH cannot). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Path of a file in this folder. */
export function benchFile(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/** Command line of a TypeScript helper in this folder. */
export function tsHelper(name: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--conditions=oxbow:source', '--import', 'tsx', benchFile(name), ...args] };
}

export interface Child {
  readonly pid: number;
  /** The next stdout line, failing if none arrives within `timeoutMs` or the child exits first. */
  nextLine(timeoutMs: number): Promise<string>;
  /** Resolves with the exit code once the child has exited, failing after `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | null>;
  stderr(): string;
  kill(signal?: NodeJS.Signals): void;
}

export function startChild(command: string, args: readonly string[]): Child {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let buffered = '';
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let exitCode: number | null | undefined;
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    buffered += d;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
    wake();
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    if (err.length < 64 * 1024) err += d;
  });
  child.once('exit', (code) => {
    if (buffered !== '') lines.push(buffered);
    buffered = '';
    exitCode = code;
    wake();
  });
  const pid = child.pid ?? -1;
  const describe = (): string => `${command} ${args.join(' ')} (pid ${pid})`;
  const waitFor = <T>(ready: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const finish = (): void => {
        clearInterval(timer);
        waiters.delete(check);
      };
      const check = (): void => {
        const value = ready();
        if (value !== undefined) {
          finish();
          resolve(value);
        } else if (exitCode !== undefined) {
          finish();
          reject(new Error(`${describe()} exited (${exitCode}) before ${what}:\n${err}`));
        } else if (Date.now() >= deadline) {
          finish();
          reject(new Error(`${describe()}: no ${what} within ${timeoutMs} ms:\n${err}`));
        }
      };
      const timer = setInterval(check, 100);
      waiters.add(check);
      check();
    });
  return {
    pid,
    nextLine: (timeoutMs) => waitFor(() => lines.shift(), timeoutMs, 'output line'),
    exited: (timeoutMs) => waitFor(() => (exitCode === undefined ? undefined : { code: exitCode }), timeoutMs, 'exit').then((e) => e.code),
    stderr: () => err,
    kill: (signal = 'SIGTERM') => {
      if (exitCode === undefined) child.kill(signal);
    },
  };
}

/** Runs a child to completion and parses the JSON object on its last stdout line. */
export async function runJson<T>(command: string, args: readonly string[], timeoutMs: number): Promise<T & { readonly pid: number }> {
  const child = startChild(command, args);
  const out: string[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) out.push(await child.nextLine(Math.max(0, deadline - Date.now())));
  } catch {
    // no more lines: the child exited (or timed out, checked below)
  }
  const code = await child.exited(1000).catch(() => {
    child.kill('SIGKILL');
    return -1;
  });
  const last = out.filter((l) => l.trim() !== '').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new Error(`${args.join(' ')}: exit ${code}, no JSON result:\n${out.join('\n')}\n${child.stderr()}`);
  }
  if (code !== 0) throw new Error(`${args.join(' ')}: exit ${code}: ${last}\n${child.stderr()}`);
  return { ...(parsed as T), pid: child.pid };
}
