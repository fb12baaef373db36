/**
 * Intake ceiling and receiver overhead, both driven by autocannon in its own process (bench/load.ts).
 *
 * Ceiling: the offered rate of 1-event signed deliveries goes up a ladder until a step fails (an error or non-2xx,
 * p99 > 1 s, or the step's deliveries not all answered within one second of its schedule: autocannon's rate is closed
 * loop per connection, so a server that falls behind shows as a late end); the ceiling is the last step that held,
 * 0 when the first step failed. The real
 * receiver and the bare signalWithStart server climb the same ladder, step by step in turn (the order alternates
 * between repetitions), each step on a server with no sync workflow running.
 *
 * Overhead: closed-loop throughput (as fast as the server answers, fixed connections) of the receiver with a no-op
 * Temporal port, an Express 5 hello-world and a bare-HMAC handler, interleaved, with each one's CPU per request.
 */
import type { Client } from '@temporalio/client';
import { type BoxLoad, log, repeated, type Repeated, round, sleep, type Targets, withBoxLoad } from './harness';
import type { LoadResult } from './load';
import { runLoadProcess } from './harness';
import type { TargetName } from './targets';

export interface IntakeContext {
  client: Client;
  targets: Targets;
  secret: string;
  watchedGid: string;
  reps: number;
  devServerPid: number;
  /** A block of `count` gids nobody used yet; returns the first. */
  takeGids(count: number): number;
}

export interface CeilingStep {
  rep: number;
  target: 'receiver' | 'bare';
  offeredPerSecond: number;
  held: boolean;
  load: Omit<LoadResult, 'sends'>;
  box: BoxLoad;
  /** How long the server took to have no sync workflow running before the step. */
  settleMs: number;
}

export interface CeilingResult {
  ladder: number[];
  secondsPerStep: number;
  /** The rule a step must meet to hold. */
  rule: string;
  receiver: Repeated;
  bare: Repeated;
  /** median receiver ceiling ÷ median bare ceiling (goal ≥ 0.8). */
  ratio: number;
  /** the same ratio within each repetition. */
  ratioPerRep: number[];
  steps: CeilingStep[];
}

const MAX_P99_MS = 1000;
/** A step may end this much after its schedule (autocannon's rate ticks once a second) and still hold. */
const MAX_LATE_SECONDS = 1;

export async function measureCeiling(
  context: IntakeContext,
  ladder: number[],
  secondsPerStep: number,
): Promise<CeilingResult> {
  const steps: CeilingStep[] = [];
  const ceilings: Record<'receiver' | 'bare', number[]> = { receiver: [], bare: [] };
  for (let rep = 1; rep <= context.reps; rep += 1) {
    const order: ('receiver' | 'bare')[] = rep % 2 ? ['bare', 'receiver'] : ['receiver', 'bare'];
    const ceiling = { receiver: 0, bare: 0 };
    const failed = new Set<string>();
    for (const rate of ladder) {
      for (const target of order) {
        if (failed.has(target)) continue;
        const settleMs = await settle(context.client);
        const { result, box } = await withBoxLoad(
          { temporal: context.devServerPid, targets: context.targets.pid },
          () =>
            runLoadProcess({
              url: context.targets.url(target, context.watchedGid),
              secret: context.secret,
              // Each connection offers at most 2/s, one request after the other: only a mean latency over 500 ms,
              // with a p99 near or over 1 s, makes a step end late.
              connections: Math.max(1, Math.ceil(rate / 2)),
              overallRate: rate,
              amount: rate * secondsPerStep,
              maxSeconds: secondsPerStep * 4 + 10,
              timeoutSeconds: 10,
              gids: { mode: 'fresh', firstGid: context.takeGids(rate * secondsPerStep) },
            }),
        );
        const held =
          result.errors === 0 &&
          result.non2xx === 0 &&
          result.latencyMs.p99 <= MAX_P99_MS &&
          result.durationSeconds <= secondsPerStep + MAX_LATE_SECONDS;
        steps.push({ rep, target, offeredPerSecond: rate, held, load: result, box, settleMs });
        log(
          `ceiling rep ${rep} ${target} at ${rate}/s: ${held ? 'held' : 'FAILED'} (achieved ${result.achievedPerSecond}/s, ` +
            `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}; ` +
            `load ${box.loadavg1Before}, CPU ${box.cpuBusyPercent} %)`,
        );
        if (held) ceiling[target] = rate;
        else failed.add(target);
      }
      if (failed.size === 2) break;
    }
    ceilings.receiver.push(ceiling.receiver);
    ceilings.bare.push(ceiling.bare);
  }
  const receiver = repeated(ceilings.receiver);
  const bare = repeated(ceilings.bare);
  return {
    ladder,
    secondsPerStep,
    rule: `0 errors and 0 non-2xx, p99 ≤ ${MAX_P99_MS} ms, every delivery answered by ${MAX_LATE_SECONDS} s after the step's schedule`,
    receiver,
    bare,
    ratio: bare.median ? round(receiver.median / bare.median, 2) : NaN,
    ratioPerRep: ceilings.receiver.map((r, i) => (ceilings.bare[i] ? round(r / (ceilings.bare[i] ?? NaN), 2) : NaN)),
    steps,
  };
}

/** Waits until no sync workflow runs (bounded: 120 s); returns how long that took. */
export async function settle(client: Client, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  const query = `WorkflowType = 'syncAsanaResource' AND ExecutionStatus = 'Running'`;
  while ((await client.workflow.count(query)).count > 0) {
    if (Date.now() - started > timeoutMs) {
      log(`settle: sync workflows still running after ${timeoutMs} ms; going on`);
      break;
    }
    await sleep(250);
  }
  return Date.now() - started;
}

export interface OverheadRun {
  rep: number;
  target: TargetName;
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  cpuMicrosPerRequest: number;
  box: BoxLoad;
}

export interface OverheadResult {
  connections: number;
  secondsPerRun: number;
  requestsPerSecond: Record<'hello' | 'hmac' | 'receiverNoop', Repeated>;
  cpuMicrosPerRequest: Record<'hello' | 'hmac' | 'receiverNoop', Repeated>;
  /** median req/s ÷ hello-world's median (goals: receiver ≥ 0.5, HMAC ≥ 0.9). */
  receiverShareOfHello: number;
  hmacShareOfHello: number;
  /**
   * hello-world's CPU per request ÷ the receiver's: the req/s share once the server, not the generator sharing its
   * 2 cores, is what saturates.
   */
  receiverCpuShareOfHello: number;
  runs: OverheadRun[];
}

const OVERHEAD_TARGETS = ['hello', 'hmac', 'receiverNoop'] as const;

export async function measureOverhead(
  context: IntakeContext,
  secondsPerRun: number,
  connections: number,
): Promise<OverheadResult> {
  const runs: OverheadRun[] = [];
  for (let rep = 1; rep <= context.reps; rep += 1) {
    // Rotated, so no target always runs first (a warmer JIT) or last (a hotter box).
    const order = OVERHEAD_TARGETS.map((_, i) => OVERHEAD_TARGETS[(i + rep - 1) % OVERHEAD_TARGETS.length]!);
    for (const target of order) {
      const cpuBefore = await context.targets.cpuMicros();
      const { result, box } = await withBoxLoad({ targets: context.targets.pid }, () =>
        runLoadProcess({
          url: context.targets.url(target, context.watchedGid),
          secret: context.secret,
          connections,
          maxSeconds: secondsPerRun,
          timeoutSeconds: 10,
          gids: { mode: 'fresh', firstGid: context.takeGids(0) },
        }),
      );
      const cpu = (await context.targets.cpuMicros()) - cpuBefore;
      runs.push({
        rep,
        target,
        requestsPerSecond: result.achievedPerSecond,
        p99Ms: result.latencyMs.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        cpuMicrosPerRequest: round(cpu / Math.max(1, result.requests)),
        box,
      });
      log(
        `overhead rep ${rep} ${target}: ${result.achievedPerSecond} req/s, p99 ${result.latencyMs.p99} ms, ` +
          `${round(cpu / Math.max(1, result.requests))} µs CPU/request, non-2xx ${result.non2xx}`,
      );
      await sleep(500);
    }
  }
  const by = (target: (typeof OVERHEAD_TARGETS)[number], key: 'requestsPerSecond' | 'cpuMicrosPerRequest') =>
    repeated(runs.filter((r) => r.target === target).map((r) => r[key]));
  const requestsPerSecond = {
    hello: by('hello', 'requestsPerSecond'),
    hmac: by('hmac', 'requestsPerSecond'),
    receiverNoop: by('receiverNoop', 'requestsPerSecond'),
  };
  return {
    connections,
    secondsPerRun,
    requestsPerSecond,
    cpuMicrosPerRequest: {
      hello: by('hello', 'cpuMicrosPerRequest'),
      hmac: by('hmac', 'cpuMicrosPerRequest'),
      receiverNoop: by('receiverNoop', 'cpuMicrosPerRequest'),
    },
    receiverShareOfHello: round(requestsPerSecond.receiverNoop.median / requestsPerSecond.hello.median, 2),
    receiverCpuShareOfHello: round(
      by('hello', 'cpuMicrosPerRequest').median / by('receiverNoop', 'cpuMicrosPerRequest').median,
      2,
    ),
    hmacShareOfHello: round(requestsPerSecond.hmac.median / requestsPerSecond.hello.median, 2),
    runs,
  };
}
