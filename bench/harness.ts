/**
 * What every phase of bench/run.ts shares: the load generator and target processes, the box's load during a run,
 * and the statistics (percentiles of one run; median and spread over repeated runs).
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { LoadResult, LoadSpec } from './load';
import type { TargetName, TargetsMessage, TargetsSpec } from './targets';

const BENCH = __dirname;
const TSX = ['--import', 'tsx'];

/** Runs the load generator in its own process; rejects if it has not answered `maxSeconds` + 30 s later. */
export async function runLoadProcess(spec: LoadSpec): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...TSX, resolve(BENCH, 'load.ts'), JSON.stringify(spec)],
    {
      cwd: resolve(BENCH, '..'),
      timeout: (spec.maxSeconds + 30) * 1000,
      maxBuffer: 64 << 20,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult;
}

/** Forks a bench script with tsx and IPC; resolves once it sends `{ type: 'ready' }` (with that message). */
export async function forkReady<T extends { type: string }>(
  script: string,
  spec: unknown,
  options: { execArgv?: string[]; timeoutMs: number },
): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(resolve(BENCH, script), [JSON.stringify(spec)], {
    execArgv: [...(options.execArgv ?? []), ...TSX],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<T>((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bench/${script} was not ready within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    child.once('exit', (code) => reject(new Error(`bench/${script} exited (${code}) before it was ready`)));
    child.on('message', (message: T) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolveReady(message);
    });
  });
  return { child, ready };
}

/** Sends `{ type }` to a forked child and resolves with its first answer of the same type. */
export function ask<T extends { type: string }>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((answer, fail) => {
    // A child that died (a worker out of memory) never answers: say so instead of waiting for ever.
    const onExit = () => {
      child.off('message', onMessage);
      fail(new Error(`no answer to "${type}": the process exited (${child.signalCode ?? child.exitCode})`));
    };
    const onMessage = (message: T) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      answer(message);
    };
    if (child.exitCode !== null || child.signalCode !== null) return onExit();
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ type });
  });
}

/** Asks a forked child to stop; SIGKILL after `graceMs`. Resolves once it is gone. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The target servers (bench/targets.ts) in a child process; `cpuMicros()` reads its CPU time so far. */
export class Targets {
  private constructor(
    private readonly child: ChildProcess,
    readonly ports: Record<TargetName, number>,
  ) {}

  static async start(spec: TargetsSpec): Promise<Targets> {
    const { child, ready } = await forkReady<Extract<TargetsMessage, { type: 'ready' }>>('targets.ts', spec, {
      timeoutMs: 60_000,
    });
    return new Targets(child, ready.ports);
  }

  url(target: TargetName, resourceGid: string): string {
    return `http://127.0.0.1:${this.ports[target]}/webhooks/asana/${resourceGid}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async cpuMicros(): Promise<number> {
    const cpu = await ask<Extract<TargetsMessage, { type: 'cpu' }>>(this.child, 'cpu');
    return cpu.userMicros + cpu.systemMicros;
  }

  stop(): Promise<void> {
    return stopChild(this.child, 5_000);
  }
}

/** The box while something ran: load average before and after, and how busy all CPUs were (and named processes). */
export interface BoxLoad {
  loadavg1Before: number;
  loadavg1After: number;
  /** Busy share of all CPUs over the run, 0–100 (every process on the box, other engineers' included). */
  cpuBusyPercent: number;
  /** CPU seconds per named process over the run (Linux /proc; absent elsewhere). */
  processCpuSeconds?: Record<string, number>;
}

const cpuTotals = () =>
  cpus().reduce(
    (sum, cpu) => {
      const { idle, ...busy } = cpu.times;
      return { idle: sum.idle + idle, busy: sum.busy + Object.values(busy).reduce((a, b) => a + b, 0) };
    },
    { idle: 0, busy: 0 },
  );

/** utime + stime of a process in seconds, from /proc (Linux); undefined where it cannot be read. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Measures the box around `run`; `pids` names processes whose CPU time is reported (the dev server, targets, …). */
export async function withBoxLoad<T>(
  pids: Record<string, number | undefined>,
  run: () => Promise<T>,
): Promise<{ result: T; box: BoxLoad }> {
  const loadBefore = loadavg()[0]!;
  const before = cpuTotals();
  const cpuBefore = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, pid && processCpuSeconds(pid)]),
  );
  const result = await run();
  const after = cpuTotals();
  const busy = after.busy - before.busy;
  const idle = after.idle - before.idle;
  const processCpu: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const start = cpuBefore[name];
    const end = pid && processCpuSeconds(pid);
    if (typeof start === 'number' && typeof end === 'number') processCpu[name] = round(end - start, 2);
  }
  return {
    result,
    box: {
      loadavg1Before: round(loadBefore, 2),
      loadavg1After: round(loadavg()[0]!, 2),
      cpuBusyPercent: round((busy / Math.max(1, busy + idle)) * 100, 1),
      ...(Object.keys(processCpu).length ? { processCpuSeconds: processCpu } : {}),
    },
  };
}

export const round = (n: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
  return {
    count: sorted.length,
    p50: round(at(50)),
    p90: round(at(90)),
    p99: round(at(99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** A figure measured in several repeated runs: its median, and the smallest and largest run. */
export interface Repeated {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function repeated(runs: number[]): Repeated {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: round(median, 2), min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, runs };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
