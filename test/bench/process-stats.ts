/**
 * CPU and memory of processes and of the machine, from /proc (Linux only). CPU of a process is
 * utime + stime of its whole thread group (libuv's thread pool, V8's helper threads, librdkafka's
 * threads included), split into the main thread (Node's JavaScript thread: near one core means
 * the event loop is saturated) and the other threads' user and system time. Machine CPU is the
 * busy share of /proc/stat, to tell an idle machine from one shared with other work.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticksPerSecond = Number.isFinite(out) && out > 0 ? out : 100;
  }
  return ticksPerSecond;
}

/** utime and stime of a /proc stat file, in seconds. */
function statTimes(path: string): { user: number; system: number } {
  const stat = readFileSync(path, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / clockTicks(), system: Number(fields[12]) / clockTicks() };
}

/** CPU seconds of a process so far, whole and for its main thread. */
export interface CpuSample {
  readonly user: number;
  readonly system: number;
  readonly mainUser: number;
  readonly mainSystem: number;
}

export function cpuSample(pid: number): CpuSample {
  const all = statTimes(`/proc/${pid}/stat`);
  const main = statTimes(`/proc/${pid}/task/${pid}/stat`);
  return { user: all.user, system: all.system, mainUser: main.user, mainSystem: main.system };
}

export function cpuDelta(from: CpuSample, to: CpuSample): CpuSample {
  return { user: to.user - from.user, system: to.system - from.system, mainUser: to.mainUser - from.mainUser, mainSystem: to.mainSystem - from.mainSystem };
}

export const totalCpu = (s: CpuSample): number => s.user + s.system;

/** Cores used, whole and by thread class. */
export interface CoreSplit {
  readonly cores: number;
  readonly mainThread: number;
  /** User time of the other threads (V8's GC and compiler helpers, native addons' threads). */
  readonly otherThreadsUser: number;
  /** System time of the other threads (libuv's thread pool doing file I/O, ...). */
  readonly otherThreadsSystem: number;
}

/** CPU of `d` spread over `seconds`, scaled by `share` (the part of the window being reported). */
export function coreSplit(d: CpuSample, seconds: number, share = 1): CoreSplit {
  const k = share / seconds;
  return {
    cores: totalCpu(d) * k,
    mainThread: (d.mainUser + d.mainSystem) * k,
    // Process and thread counters tick separately: clamp the rounding of tiny windows at zero.
    otherThreadsUser: Math.max(0, d.user - d.mainUser) * k,
    otherThreadsSystem: Math.max(0, d.system - d.mainSystem) * k,
  };
}

/** User + system CPU seconds a live process (all its threads) has used so far. */
export function cpuSeconds(pid: number): number {
  return totalCpu(cpuSample(pid));
}

/** A `/proc/<pid>/status` size field (VmHWM, VmRSS, ...) in bytes. */
export function statusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export interface MachineCpu {
  readonly busy: number;
  readonly total: number;
}

/** Cumulative busy and total jiffies of all cores. */
export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** Busy share of the whole machine (0..1) between two snapshots. */
export function busyShare(from: MachineCpu, to: MachineCpu): number {
  const total = to.total - from.total;
  return total > 0 ? (to.busy - from.busy) / total : 0;
}

export interface CpuWindow<T> {
  readonly result: T;
  /** CPU of each pid over the window. */
  readonly samples: CpuSample[];
  /** CPU seconds of each pid over the window (all threads). */
  readonly cpu: number[];
  /** CPU seconds of this (harness) process over the window. */
  readonly harnessCpu: number;
  /** Busy share of the whole machine over the window (0..1). */
  readonly machineBusy: number;
  readonly seconds: number;
}

/** Samples processes' CPU, this process's CPU and the machine's busy share across an async section. */
export async function measureCpu<T>(pids: readonly number[], fn: () => Promise<T>): Promise<CpuWindow<T>> {
  const before = pids.map(cpuSample);
  const m0 = machineCpu();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(own0);
  const samples = pids.map((pid, i) => cpuDelta(before[i] as CpuSample, cpuSample(pid)));
  return { result, samples, cpu: samples.map(totalCpu), harnessCpu: (own.user + own.system) / 1e6, machineBusy: busyShare(m0, machineCpu()), seconds };
}

/**
 * Cores used by processes outside this bench during a window: the machine's busy cores minus the
 * measured processes, the harness and `extraCpu` (e.g. a child that reported its own CPU on exit).
 * On a machine shared with other work this says how much of the two cores the bench really had.
 */
export function otherCores(w: CpuWindow<unknown>, extraCpu: number): number {
  const ours = w.cpu.reduce((a, b) => a + b, 0) + w.harnessCpu + extraCpu;
  return Math.max(0, w.machineBusy * cpus().length - ours / w.seconds);
}
