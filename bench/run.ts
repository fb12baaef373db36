/**
 * `npm run bench`: every figure of issue 14 in one command, each next to its floor from the same run, on a Temporal
 * dev server of its own (SQLite, WAL), with the load from a separate process (autocannon, bench/load.ts; decision
 * 0017). Writes bench/results/latest.json and latest.md.
 *
 *   npm run bench                   full sizes, about 40 minutes on 2 cores
 *   npm run bench -- --short        seconds-long forms of every phase (CI): proves the harness works, asserts no time;
 *                                   writes to a temporary folder unless --write
 *   npm run bench -- --only a,b     only these phases: overhead, ceiling, freshness, actions, backfill, memory
 *   npm run bench -- --only a --merge   the phases run replace theirs in latest.json; the others are kept, each with
 *                                   the run it came from (meta.runs)
 *
 * Phases: receiver overhead (no Temporal) → intake ceiling (receiver vs bare signalWithStart, interleaved) →
 * freshness with a trace of where its share beyond the quiet period goes → Temporal actions → backfill against the
 * Attio stand-in's write limit with live changes → worker memory. Each repeated phase runs `reps` times and reports
 * median and spread, and every run records the box's load (other processes share this machine).
 *
 * Bounded in count and time (every load has a request count or a duration and a process timeout), loopback only;
 * every process started here is stopped before it exits.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { budgetSustaining } from '../common/rate-limits';
import { freePort } from '../common/ports';
import { createDataConverter } from '../common/temporal-connection';
import { ensureTemporalCli, startDevServer } from '../common/temporal-dev-server';
import { taskQueuesFor } from '../common/task-queues';
import { webhookWorkflowId } from '../common/workflow-ids';
import { installRuntimeLogging } from '../workers/runtime-logging';
import { workflowsPath } from '../workers/workflows-path';
import { SYNC_DEFAULTS, webhookStatusQuery } from '../workflows/definitions';
import { type BackfillResult, measureBackfill } from './backfill';
import { countActions, FakeActivities, measureFreshness } from './freshness';
import { log, Targets } from './harness';
import { measureCeiling, measureOverhead, settle } from './intake';
import { measureMemory } from './memory';
import { type Results, writeReport } from './report';

const PHASES = ['overhead', 'ceiling', 'freshness', 'actions', 'backfill', 'memory'] as const;
type Phase = (typeof PHASES)[number];

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    only: { type: 'string' },
    write: { type: 'boolean' },
    merge: { type: 'boolean', default: false },
  },
});

/** Sizes of the full run and of the seconds-long form. */
const SIZES = args.short
  ? {
      reps: 2,
      intakeSync: { quietPeriodMs: 200, idleTimeoutMs: 200 },
      ladder: [5, 10],
      secondsPerStep: 1,
      overheadSeconds: 1,
      overheadConnections: 4,
      freshness: { rate: 5, seconds: 3, tasks: 10, quietPeriodMs: 200 },
      actions: { quietPeriodMs: 200, burst: 5, burstSpacingMs: 50, idleTimeoutMs: 300 },
      backfill: { projects: 2, tasksPerProject: 20, sectionsPerProject: 2, attioWritesPerSecond: 50, liveChanges: 4 },
      memory: { steps: [20, 50], defaultCap: 10 },
    }
  : {
      reps: 3,
      // Intake's sync workflows end soon after their sync, so the server settles between steps.
      intakeSync: { quietPeriodMs: SYNC_DEFAULTS.quietPeriodMs, idleTimeoutMs: 1_000 },
      ladder: [10, 20, 40, 60, 80, 100, 130, 160, 200, 250, 300],
      secondsPerStep: 4,
      overheadSeconds: 5,
      overheadConnections: 20,
      freshness: { rate: 20, seconds: 60, tasks: 1000, quietPeriodMs: SYNC_DEFAULTS.quietPeriodMs },
      actions: { quietPeriodMs: SYNC_DEFAULTS.quietPeriodMs, burst: 50, burstSpacingMs: 200, idleTimeoutMs: 2000 },
      // Attio's 25 writes/s scaled ×4 (with the worker's activity limit scaled alike), so 10,000 tasks take minutes.
      backfill: {
        projects: 50,
        tasksPerProject: 200,
        sectionsPerProject: 4,
        attioWritesPerSecond: 100,
        liveChanges: 60,
      },
      memory: {
        steps: [1000, 2000, 5000],
        defaultCap: loadConfig({ LOG_LEVEL: 'fatal' }).env.WORKER_MAX_CACHED_WORKFLOWS,
      },
    };

const only = new Set((args.only?.split(',') ?? PHASES) as Phase[]);
for (const phase of only)
  if (!PHASES.includes(phase)) throw new Error(`--only: no phase "${phase}" (${PHASES.join(', ')})`);

const SECRET = 'b'.repeat(64);
/** Activity limits of the bench's own workers: set (so the server's rate limiter is on the path) and above any rate offered. */
const BENCH_ACTIVITY_LIMIT_PER_SECOND = 200;

async function main(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'asana-attio-sync-bench-'));
  const server = await startDevServer({
    cli: await ensureTemporalCli(),
    port: await freePort(),
    uiPort: 0,
    headless: true,
    dbFile: join(dir, 'bench.db'),
  });
  const cleanups: (() => Promise<unknown>)[] = [() => server.stop()];
  try {
    const results = await runPhases(server.address, server.pid, dir, cleanups);
    const meta = {
      measuredAt: new Date().toISOString(),
      commit: gitCommit(),
      short: args.short,
      phases: [...only],
      durationSeconds: Math.round((Date.now() - started) / 1000),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      temporal: { devServerFlags: commandLine(server.pid), persistence: 'SQLite file, WAL' },
    };
    const out = args.short && !args.write ? join(dir, 'results') : resolve(__dirname, 'results');
    mkdirSync(out, { recursive: true });
    const merged = args.merge ? mergeWithLatest(join(out, 'latest.json'), meta, results) : { meta, ...results };
    const problems = writeReport(out, merged, { readme: !args.short });
    if (args.short && !args.write) process.stdout.write(`${readFileSync(join(out, 'latest.md'), 'utf8')}\n`);
    else log(`results written to ${join(out, 'latest.md')} (${meta.durationSeconds} s)`);
    if (problems.length) {
      for (const problem of problems) log(`PROBLEM: ${problem}`);
      process.exitCode = 1;
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => log(`cleanup: ${String(e)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPhases(address: string, devServerPid: number, dir: string, cleanups: (() => Promise<unknown>)[]) {
  const config = loadConfig({ TEMPORAL_ADDRESS: address, LOG_LEVEL: 'fatal' });
  const connection = await Connection.connect({ address });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, dataConverter: createDataConverter(config) });
  installRuntimeLogging(createLogger({ level: 'warn', format: 'json' }));
  const native = await NativeConnection.connect({ address });
  cleanups.push(() => native.close());
  const queuePrefix = `bench-${randomUUID().slice(0, 8)}`;
  const queues = taskQueuesFor(queuePrefix);
  const fakes = new FakeActivities();
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  const dataConverter = createDataConverter(config);
  const workers = await Promise.all([
    Worker.create({ connection: native, taskQueue: queues.sync, workflowBundle: bundle, dataConverter }),
    ...[queues.asana, queues.attio].map((taskQueue) =>
      Worker.create({
        connection: native,
        taskQueue,
        activities: fakes.activities,
        dataConverter,
        maxTaskQueueActivitiesPerSecond: BENCH_ACTIVITY_LIMIT_PER_SECOND,
      }),
    ),
  ]);
  const running = Promise.all(workers.map((w) => w.run()));
  const writeBundle = () => {
    const path = join(dir, 'workflow-bundle.js');
    writeFileSync(path, bundle.code);
    return path;
  };
  cleanups.push(async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
  });

  // A watched resource with a known secret, so the receiver verifies deliveries as in production.
  const watchedGid = '1200000000000001';
  const watch = await client.workflow.start('watchAsanaResource', {
    taskQueue: queues.sync,
    workflowId: webhookWorkflowId(watchedGid),
    args: [
      {
        resourceGid: watchedGid,
        resourceType: 'project',
        workspaceGid: '1',
        state: { generation: 1, webhookGid: '9', secrets: [SECRET] },
        health: { intervalMs: 3_600_000 },
      },
    ],
  });
  await watch.query(webhookStatusQuery);

  const targets = await Targets.start({
    temporalAddress: address,
    queuePrefix,
    sync: SIZES.intakeSync,
    secret: SECRET,
    ackTimeoutMs: 5_000,
  });
  cleanups.push(() => targets.stop());
  let nextGid = 2_000_000_000_000;
  const takeGids = (count: number) => {
    const first = nextGid;
    nextGid += Math.max(1, count);
    return first;
  };
  const context = { client, targets, secret: SECRET, watchedGid, reps: SIZES.reps, devServerPid, takeGids };

  const overhead = only.has('overhead')
    ? await measureOverhead(context, SIZES.overheadSeconds, SIZES.overheadConnections)
    : undefined;
  const ceiling = only.has('ceiling') ? await measureCeiling(context, SIZES.ladder, SIZES.secondsPerStep) : undefined;
  let freshness;
  if (only.has('freshness')) {
    await settle(client);
    // The receiver target starts sync workflows with the intake timings; freshness needs the quiet period it
    // measures against, so the phase gets a target of its own.
    const freshTargets = await Targets.start({
      temporalAddress: address,
      queuePrefix,
      sync: { quietPeriodMs: SIZES.freshness.quietPeriodMs, idleTimeoutMs: 60_000 },
      secret: SECRET,
      ackTimeoutMs: 5_000,
    });
    try {
      freshness = await measureFreshness({ ...context, targets: freshTargets, fakes }, SIZES.freshness);
    } finally {
      await freshTargets.stop();
    }
    log(
      `freshness: p50 ${freshness.total.p50} ms, p99 ${freshness.total.p99} ms; beyond quiet p50 ` +
        `${freshness.beyondQuiet.p50} ms, p99 ${freshness.beyondQuiet.p99} ms (${freshness.written}/${freshness.sent})`,
    );
  }
  let actions;
  if (only.has('actions')) {
    const a = SIZES.actions;
    const count = (changes: number, spacingMs: number, idleTimeoutMs: number) =>
      countActions(client, queues.sync, String(takeGids(1)), {
        changes,
        spacingMs,
        quietPeriodMs: a.quietPeriodMs,
        idleTimeoutMs,
      });
    actions = {
      quietPeriodMs: a.quietPeriodMs,
      single: await count(1, 0, a.idleTimeoutMs),
      singleNoIdle: await count(1, 0, 0),
      burst: await count(a.burst, a.burstSpacingMs, a.idleTimeoutMs),
      burstNoIdle: await count(a.burst, a.burstSpacingMs, 0),
    };
  }
  let backfill: BackfillResult | undefined;
  if (only.has('backfill')) {
    // Twice: with the default budget scaled like the limit (it holds in every second, decision 0016), and with a
    // budget whose backlog rate is the limit itself, so that Attio's 429s are what limits it.
    backfill = await measureBackfill({ client, address, devServerPid, ...SIZES.backfill });
    backfill.aboveLimit = await measureBackfill({
      client,
      address,
      devServerPid,
      ...SIZES.backfill,
      writeBudgetPerSecond: Math.ceil(budgetSustaining('attio', SIZES.backfill.attioWritesPerSecond)),
    });
  }
  const memory = only.has('memory')
    ? await measureMemory(client, address, { ...SIZES.memory, gidPrefix: '1300000000', bundlePath: writeBundle() })
    : undefined;
  return { overhead, ceiling, freshness, actions, backfill, memory };
}

/** The phases of an earlier run that this one did not run, kept with the run they came from. */
function mergeWithLatest(path: string, meta: Results['meta'], fresh: Omit<Results, 'meta'>): Results {
  const run = { phases: meta.phases, measuredAt: meta.measuredAt, commit: meta.commit };
  let earlier: Partial<Results> = {};
  try {
    earlier = JSON.parse(readFileSync(path, 'utf8')) as Partial<Results>;
  } catch {
    return { meta: { ...meta, runs: [run] }, ...fresh };
  }
  const kept = Object.fromEntries(
    PHASES.filter((phase) => !only.has(phase) && earlier[phase] !== undefined).map((p) => [p, earlier[p]]),
  );
  const earlierMeta = earlier.meta;
  const before =
    earlierMeta?.runs ??
    (earlierMeta
      ? [{ phases: earlierMeta.phases, measuredAt: earlierMeta.measuredAt, commit: earlierMeta.commit }]
      : []);
  const earlierRuns = before.map((r) => ({
    ...r,
    phases: r.phases.filter((p) => p in kept),
  }));
  return {
    ...kept,
    ...Object.fromEntries(Object.entries(fresh).filter(([, v]) => v !== undefined)),
    meta: {
      ...meta,
      phases: [...new Set([...Object.keys(kept), ...meta.phases])],
      runs: [...earlierRuns.filter((r) => r.phases.length), run],
    },
  };
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

/** The dev server's command line as the kernel has it (Linux), else what common/temporal-dev-server.ts passes. */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1).join(' ');
  } catch {
    return 'server start-dev (see common/temporal-dev-server.ts)';
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
