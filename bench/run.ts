/**
 * `npm run bench`: measures the live path on this machine against a real Temporal dev server (SQLite, WAL), each
 * figure next to its baseline from the same run, and writes bench/results/latest.json and bench/results/latest.md.
 *
 *  1. intake: ack latency of signed deliveries through the receiver, against a bare client making the same
 *     signalWithStart calls at the same offered rate (docs/performance.md, goals 1 and 2);
 *  2. freshness: from a delivery sent to its Attio write started, and the share of it beyond the quiet period (goal 5);
 *  3. actions: Temporal billable actions for one change and for a burst of 50 changes to one task (goal 4).
 *
 * Runs are bounded in count and time and target only 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { request } from 'undici';
import { signDelivery } from '../asana/webhook-signature';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { freePort } from '../common/ports';
import { createDataConverter } from '../common/temporal-connection';
import { ensureTemporalCli, startDevServer } from '../common/temporal-dev-server';
import { taskQueuesFor } from '../common/task-queues';
import { syncWorkflowId, webhookWorkflowId } from '../common/workflow-ids';
import type { MappedResource } from '../mapping/map-asana-to-attio';
import { createReceiverApp } from '../receiver/app';
import { listen } from '../common/listen';
import { TemporalWebhookSecrets } from '../receiver/webhook-secrets';
import { installRuntimeLogging } from '../workers/runtime-logging';
import { workflowsPath } from '../workers/workflows-path';
import { asanaChangedSignal, webhookStatusQuery } from '../workflows/definitions';

const SECRET = 'b'.repeat(64);
const RATES = [25, 50, 100];
const SECONDS_PER_RATE = 8;
const QUIET_PERIOD_MS = 2000;
const FRESHNESS_RATE = 10;
const FRESHNESS_SECONDS = 10;
/** Sync workflows started by the intake phases end soon after their sync, so the server settles between phases. */
const INTAKE_IDLE_MS = 1_000;

interface LatencySummary {
  offeredPerSecond: number;
  sent: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

/** Fires `call` at a fixed rate for `seconds`, never more than `rate * seconds` calls, and summarizes latencies. */
async function openLoop(rate: number, seconds: number, call: (i: number) => Promise<void>): Promise<LatencySummary> {
  const latencies: number[] = [];
  let errors = 0;
  const total = rate * seconds;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sentAt = performance.now();
    pending.push(
      call(i).then(
        () => void latencies.push(performance.now() - sentAt),
        () => void (errors += 1),
      ),
    );
  }
  await Promise.all(pending);
  return { offeredPerSecond: rate, sent: total, errors, ...summarize(latencies) };
}

function summarize(values: number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'asana-attio-sync-bench-'));
  const server = await startDevServer({
    cli: await ensureTemporalCli(),
    port: await freePort(),
    uiPort: 0,
    headless: true,
    dbFile: join(dir, 'bench.db'),
  });
  const config = loadConfig({ TEMPORAL_ADDRESS: server.address, LOG_LEVEL: 'fatal' });
  const logger = createLogger({ level: 'fatal', format: 'json' });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, dataConverter: createDataConverter(config) });
  installRuntimeLogging(createLogger({ level: 'warn', format: 'json' }));
  const native = await NativeConnection.connect({ address: server.address });
  const queues = taskQueuesFor(`bench-${randomUUID().slice(0, 8)}`);
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });

  // Fake activities: a fixed mapped task, and a write that only notes when it began. Only Temporal's cost is measured.
  const writeStartedAt = new Map<string, number>();
  const activities = {
    async fetchAsanaResourceForAttio(ref: { gid: string }): Promise<MappedResource> {
      return { kind: 'task', gid: ref.gid, hash: 'same', state: 'removed' };
    },
    async writeAsanaResourceToAttio(input: { mapped: MappedResource }) {
      if (!writeStartedAt.has(input.mapped.gid)) writeStartedAt.set(input.mapped.gid, performance.now());
      return { hash: input.mapped.hash, writes: 1, summary: 'bench' };
    },
  };
  const workers = await Promise.all([
    Worker.create({
      connection: native,
      taskQueue: queues.sync,
      workflowBundle: bundle,
      dataConverter: createDataConverter(config),
    }),
    Worker.create({
      connection: native,
      taskQueue: queues.asana,
      activities,
      dataConverter: createDataConverter(config),
    }),
    Worker.create({
      connection: native,
      taskQueue: queues.attio,
      activities,
      dataConverter: createDataConverter(config),
    }),
  ]);
  const running = Promise.all(workers.map((w) => w.run()));

  // A watched resource with a known secret, so the receiver verifies deliveries as in production.
  const watched = '1200000000000001';
  const watch = await client.workflow.start('watchAsanaResource', {
    taskQueue: queues.sync,
    workflowId: webhookWorkflowId(watched),
    args: [
      {
        resourceGid: watched,
        resourceType: 'project',
        workspaceGid: '1',
        state: { generation: 1, webhookGid: '9', secrets: [SECRET] },
        health: { intervalMs: 3_600_000 },
      },
    ],
  });
  await watch.query(webhookStatusQuery);
  const receiver = await listen(
    createReceiverApp({
      client,
      logger,
      webhooks: {
        secrets: new TemporalWebhookSecrets(client),
        taskQueues: queues,
        ackTimeoutMs: 5000,
        sync: { quietPeriodMs: QUIET_PERIOD_MS, idleTimeoutMs: INTAKE_IDLE_MS },
      },
    }),
    0,
    '127.0.0.1',
  );
  const target = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/webhooks/asana/${watched}`;
  let next = 2_000_000_000_000;
  const gid = () => String((next += 1));

  // Each phase starts on a quiet server: the sync workflows an earlier phase started (their timers and syncs) would
  // otherwise load the next phase, and always the receiver's, which runs second.
  async function settle(): Promise<void> {
    const query = `WorkflowType = 'syncAsanaResource' AND ExecutionStatus = 'Running'`;
    while ((await client.workflow.count(query)).count > 0) await new Promise((r) => setTimeout(r, 500));
  }

  /** A signed delivery of one task change through the receiver; resolves when it answered 200. */
  async function deliver(taskGid: string): Promise<void> {
    const body = JSON.stringify({
      events: [
        {
          action: 'changed',
          created_at: new Date().toISOString(),
          resource: { gid: taskGid, resource_type: 'task' },
          parent: null,
        },
      ],
    });
    const response = await request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hook-signature': signDelivery(body, SECRET) },
      body,
    });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
  }

  const intake: { rate: number; bare: LatencySummary; receiver: LatencySummary; ratioP99: number }[] = [];
  for (const rate of RATES) {
    await settle();
    const bare = await openLoop(rate, SECONDS_PER_RATE, async () => {
      const resource = { gid: gid(), resource_type: 'task' as const };
      await client.workflow.signalWithStart('syncAsanaResource', {
        workflowId: syncWorkflowId(resource),
        taskQueue: queues.sync,
        args: [{ resource, quietPeriodMs: QUIET_PERIOD_MS, idleTimeoutMs: INTAKE_IDLE_MS }],
        signal: asanaChangedSignal,
        signalArgs: [{ action: 'changed', source: 'webhook' }],
      });
    });
    await settle();
    const viaReceiver = await openLoop(rate, SECONDS_PER_RATE, () => deliver(gid()));
    intake.push({ rate, bare, receiver: viaReceiver, ratioP99: Math.round((viaReceiver.p99 / bare.p99) * 100) / 100 });
    console.log(
      `intake at ${rate}/s: bare p99 ${bare.p99} ms, receiver p99 ${viaReceiver.p99} ms, errors ${viaReceiver.errors}`,
    );
  }

  // Freshness (goal 5): from sending a delivery to the start of its Attio write, for changes to distinct tasks at a
  // steady rate. Minus the quiet period, what is left is the receiver's and Temporal's share.
  await settle();
  const sentAt = new Map<string, number>();
  const freshnessErrors = (
    await openLoop(FRESHNESS_RATE, FRESHNESS_SECONDS, async () => {
      const taskGid = gid();
      sentAt.set(taskGid, performance.now());
      await deliver(taskGid);
    })
  ).errors;
  const waitUntil = performance.now() + 60_000;
  while ([...sentAt.keys()].some((g) => !writeStartedAt.has(g)) && performance.now() < waitUntil) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const ages = [...sentAt].flatMap(([g, at]) => (writeStartedAt.has(g) ? [writeStartedAt.get(g)! - at] : []));
  const freshness = {
    offeredPerSecond: FRESHNESS_RATE,
    changes: sentAt.size,
    written: ages.length,
    errors: freshnessErrors,
    quietPeriodMs: QUIET_PERIOD_MS,
    total: summarize(ages),
    temporalShare: summarize(ages.map((age) => age - QUIET_PERIOD_MS)),
  };
  console.log(
    `freshness at ${FRESHNESS_RATE}/s: p50 ${freshness.total.p50} ms, p99 ${freshness.total.p99} ms (quiet period ${QUIET_PERIOD_MS} ms); ${ages.length}/${sentAt.size} written`,
  );

  // Billable actions (docs/performance.md 1e): signalWithStart 1, each timer 1, each activity attempt 1.
  async function actionsFor(changes: number, spacingMs: number, idleTimeoutMs = 2000) {
    const resource = { gid: gid(), resource_type: 'task' as const };
    let handle;
    for (let i = 0; i < changes; i += 1) {
      handle = await client.workflow.signalWithStart('syncAsanaResource', {
        workflowId: syncWorkflowId(resource),
        taskQueue: queues.sync,
        args: [{ resource, quietPeriodMs: QUIET_PERIOD_MS, maxDelayMs: 30_000, idleTimeoutMs }],
        signal: asanaChangedSignal,
        signalArgs: [{ action: 'changed', source: 'webhook' }],
      });
      if (spacingMs) await new Promise((r) => setTimeout(r, spacingMs));
    }
    if (!handle) throw new Error('no change was sent');
    await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];
    const count = (key: string) => events.filter((e) => (e as Record<string, unknown>)[key]).length;
    const signals = count('workflowExecutionSignaledEventAttributes');
    const timers = count('timerStartedEventAttributes');
    const activityAttempts = count('activityTaskStartedEventAttributes');
    // signalWithStart is one action whether or not it starts the run; each plain signal is one.
    const actions = signals + timers + activityAttempts;
    return {
      changes,
      signals,
      timers,
      activityAttempts,
      actions,
      actionsPerChange: Math.round((actions / changes) * 100) / 100,
    };
  }
  const single = await actionsFor(1, 0);
  const singleNoIdle = await actionsFor(1, 0, 0); // SYNC_IDLE_TIMEOUT_MS=0: the run ends right after its sync
  const burst = await actionsFor(50, 200); // 50 changes over 10 s: Asana's batching at its fastest
  console.log(
    `actions: one change ${single.actions} (${singleNoIdle.actions} with no idle period); burst of 50: ${burst.actions} (${burst.actionsPerChange}/change)`,
  );

  await receiver.close();
  for (const w of workers) w.shutdown();
  await running;
  await connection.close();
  await native.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    temporal: 'dev server (SQLite, WAL), same machine',
    intake,
    freshness,
    actions: { single, singleNoIdle, burst },
  };
  const out = resolve(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const lines = [
    `# Benchmark results (${results.measuredAt})`,
    '',
    `${results.machine.cpus} CPUs, Node ${results.machine.node}, ${results.temporal}. Written by \`npm run bench\`.`,
    '',
    '## Intake: ack latency (ms), receiver vs bare signalWithStart at the same offered rate',
    '',
    '| offered/s | bare p50 | bare p99 | receiver p50 | receiver p99 | p99 ratio | receiver errors |',
    '|---|---|---|---|---|---|---|',
    ...intake.map(
      (r) =>
        `| ${r.rate} | ${r.bare.p50} | ${r.bare.p99} | ${r.receiver.p50} | ${r.receiver.p99} | ${r.ratioP99} | ${r.receiver.errors} |`,
    ),
    '',
    '## Freshness: delivery sent → Attio write started (ms)',
    '',
    `${freshness.changes} changes to distinct tasks at ${freshness.offeredPerSecond}/s, quiet period ${freshness.quietPeriodMs} ms; ${freshness.written} written, ${freshness.errors} delivery errors. The Temporal share is the total minus the quiet period.`,
    '',
    '| | p50 | p90 | p99 | max |',
    '|---|---|---|---|---|',
    `| total | ${freshness.total.p50} | ${freshness.total.p90} | ${freshness.total.p99} | ${freshness.total.max} |`,
    `| receiver + Temporal share | ${freshness.temporalShare.p50} | ${freshness.temporalShare.p90} | ${freshness.temporalShare.p99} | ${freshness.temporalShare.max} |`,
    '',
    '## Temporal billable actions',
    '',
    '| scenario | signals | timers | activity attempts | actions | per change |',
    '|---|---|---|---|---|---|',
    `| one change | ${single.signals} | ${single.timers} | ${single.activityAttempts} | ${single.actions} | ${single.actionsPerChange} |`,
    `| one change, SYNC_IDLE_TIMEOUT_MS=0 | ${singleNoIdle.signals} | ${singleNoIdle.timers} | ${singleNoIdle.activityAttempts} | ${singleNoIdle.actions} | ${singleNoIdle.actionsPerChange} |`,
    `| 50 changes over 10 s | ${burst.signals} | ${burst.timers} | ${burst.activityAttempts} | ${burst.actions} | ${burst.actionsPerChange} |`,
    '',
  ];
  writeFileSync(join(out, 'latest.md'), lines.join('\n'));
  console.log(`results written to ${join(out, 'latest.md')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
