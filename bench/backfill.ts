/**
 * Backfill at Attio's write limit: the whole service (`npm run worker` and `npm run receiver` as processes of their
 * own, the stand-ins here) copies a workspace of `projects` × `tasksPerProject` tasks with sections (stages) and custom
 * fields, every project a Sales Tasks source, into the Attio stand-in, which enforces `attioWritesPerSecond` (and
 * reads at Attio's ratio, 4× that). The worker's write budget is scaled from the default by the same ratio
 * (ATTIO_MAX_WRITES_PER_SECOND 20 for Attio's 25), or set above the limit (`writeBudgetPerSecond`). Meanwhile a
 * person renames tasks of one watched project, each change reaching the receiver as a signed webhook delivery; its
 * freshness is until Attio shows the new name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { provisionAttioNow, startBackfill, watchResource } from '../client/operations';
import { loadConfig } from '../common/config';
import { freePort } from '../common/ports';
import { activityRateLimits } from '../common/rate-limits';
import { connectClient } from '../common/temporal-connection';
import { parseFieldMap } from '../mapping/field-map';
import { startAsanaStandIn } from '../stand-ins/asana/server';
import { seedScene } from '../stand-ins/asana/seed';
import { requestKind } from '../stand-ins/attio/rate-limit';
import { startAttioStandIn } from '../stand-ins/attio/server';
import { StandInClock } from '../stand-ins/kit/clock';
import { SYNC_DEFAULTS, type BackfillProgress } from '../workflows/definitions';
import { type BoxLoad, log, type Percentiles, percentiles, round, sleep, withBoxLoad } from './harness';

const ROOT = resolve(__dirname, '..');
/** Attio's own limit (docs/attio.md §6), and the write budget the service keeps under it by default (common/config.ts). */
const ATTIO_WRITES_PER_SECOND = 25;
const DEFAULT_BUDGETS = loadConfig({ LOG_LEVEL: 'fatal' }).env;
/** Asana's budget per token on paid plans (docs/asana.md §5). */
const ASANA_REQUESTS_PER_MINUTE = 1500;

export interface BackfillOptions {
  client: Client;
  address: string;
  devServerPid: number;
  projects: number;
  tasksPerProject: number;
  sectionsPerProject: number;
  attioWritesPerSecond: number;
  /** Renames made in the watched project while the backfill runs (one every 2 s at most). */
  liveChanges: number;
  /**
   * The worker's ATTIO_MAX_WRITES_PER_SECOND. Unset: the default budget scaled like the limit, which holds in every
   * second (decision 0016). Set above the limit, Attio's 429s and their Retry-After are what limits the writes.
   */
  writeBudgetPerSecond?: number;
}

export interface BackfillResult {
  tasks: number;
  projects: number;
  attioWriteLimitPerSecond: number;
  /** Attio's real limit, and how the limit used here relates to it. */
  scaledFrom: { attioWritesPerSecond: number; factor: number };
  /** The worker's ATTIO_MAX_WRITES_PER_SECOND, and the Attio queue's activity rate it gives (common/rate-limits.ts). */
  workerWriteBudgetPerSecond: number;
  attioActivitiesPerSecond: number;
  seconds: number;
  progress: BackfillProgress;
  attioWrites: number;
  /** Successful write requests per second between the first and the last (goal ≥ 90 % of the limit). */
  sustainedWritesPerSecond: number;
  shareOfWriteLimit: number;
  /** 429s Attio answered (each retried after its Retry-After), and writes the backfill gave up on (goal 0). */
  attio429: number;
  writesFailed: number;
  asanaRequests: number;
  /** Asana requests ÷ what 1,500/min allows over the backfill (goal ≤ 5 %). */
  shareOfAsanaBudget: number;
  /** Every task in Attio with its name, once the backfill and the live changes are done. */
  tasksInAttio: number;
  live: {
    changes: number;
    seen: number;
    quietPeriodMs: number;
    /** Rename made in Asana → the new name in Attio (goal p99 ≤ quiet period + 2 s). */
    freshnessMs: Percentiles;
    /** The Asana stand-in's deliveries to the receiver by answer: a non-200 is retried after Asana's backoff. */
    deliveriesByStatus: Record<string, number>;
  };
  box: BoxLoad;
  /** The same backfill with a write budget above the limit (bench/run.ts runs both). */
  aboveLimit?: BackfillResult;
}

interface Service {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function spawnService(script: string, env: NodeJS.ProcessEnv): Service {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Only the last 20 KB: enough to say why a process died.
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => output };
}

async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  service?: Service,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (service?.child.exitCode !== null && service?.child.exitCode !== undefined) {
      throw new Error(`${what}: the process exited (${service.child.exitCode}):\n${service.output().slice(-3000)}`);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

async function stopService(service: Service | undefined): Promise<void> {
  if (!service || service.child.exitCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), 15_000);
  await service.exited;
  clearTimeout(timer);
}

export async function measureBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const dir = mkdtempSync(join(tmpdir(), 'asana-attio-sync-bench-backfill-'));
  const clock = new StandInClock();
  const asana = await startAsanaStandIn({
    clock,
    firstGid: 1_400_000_000_000_000n + BigInt(Date.now() % 1_000_000) * 1_000_000n,
    allowLoopbackTargets: true,
    webhooks: { batchWindowMs: 50 },
  });
  const factor = options.attioWritesPerSecond / ATTIO_WRITES_PER_SECOND;
  const attio = await startAttioStandIn({
    clock,
    rateLimit: { writesPerSecond: options.attioWritesPerSecond, readsPerSecond: 4 * options.attioWritesPerSecond },
  });
  const scene = seedScene(asana.store, {
    seed: 14,
    projects: options.projects,
    tasksPerProject: options.tasksPerProject,
    sectionsPerProject: options.sectionsPerProject,
  });
  const scope = {
    salesTasks: {
      sourceProjects: scene.projectGids,
      stageSections: 'all',
      customFields: [
        { asana: scene.customFields.dealSize, attio: 'deal_size', type: 'number' },
        { asana: scene.customFields.priority, attio: 'priority', type: 'select' },
      ],
    },
    projects: { customFields: [{ asana: scene.customFields.clientTier, attio: 'client_tier', type: 'select' }] },
    people: { enabled: false },
  };
  const fieldMap = parseFieldMap(scope);
  const scopeFile = join(dir, 'scope.json');
  writeFileSync(scopeFile, JSON.stringify(scope, null, 2));
  const taskQueue = `bench-backfill-${Date.now()}`;
  const receiverPort = await freePort();
  const receiverUrl = `http://127.0.0.1:${receiverPort}`;
  const writeBudget = options.writeBudgetPerSecond ?? round(DEFAULT_BUDGETS.ATTIO_MAX_WRITES_PER_SECOND * factor, 1);
  const encryptionKey = randomBytes(32).toString('base64');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ASANA_TOKEN: asana.token,
    ATTIO_TOKEN: attio.token,
    ASANA_BASE_URL: asana.url,
    ATTIO_BASE_URL: attio.url,
    PAYLOAD_ENCRYPTION_KEY: encryptionKey,
    TEMPORAL_ADDRESS: options.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    RECEIVER_PORT: String(receiverPort),
    RECEIVER_PUBLIC_URL: receiverUrl,
    SCOPE_FILE: scopeFile,
    ATTIO_MAX_WRITES_PER_SECOND: String(writeBudget),
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
  };
  const client = await connectClient(
    loadConfig({ TEMPORAL_ADDRESS: options.address, PAYLOAD_ENCRYPTION_KEY: encryptionKey }),
  );
  let worker: Service | undefined;
  let receiver: Service | undefined;
  try {
    worker = spawnService('workers/main.ts', env);
    const started = worker;
    await waitFor('the worker to start', () => started.output().includes('worker running'), 180_000, worker);
    receiver = spawnService('receiver/main.ts', env);
    await waitFor(
      'the receiver to listen',
      async () => (await fetch(`${receiverUrl}/healthz`).catch(() => undefined))?.status === 200,
      60_000,
      receiver,
    );
    await provisionAttioNow(client, taskQueue);
    const watchedProject = scene.projectGids[1] ?? scene.projectGids[0]!;
    await watchResource(
      client,
      { resourceGid: watchedProject, resourceType: 'project', workspaceGid: scene.workspaceGid },
      { taskQueue, timeoutMs: 120_000 },
    );
    const liveTasks = [...asana.store.tasks.values()].filter((t) =>
      t.memberships.some((m) => m.project === watchedProject),
    );
    attio.requests.clear();
    asana.requests.clear();

    const { result, box } = await withBoxLoad(
      { temporal: options.devServerPid, worker: worker.child.pid },
      async () => {
        const startedAt = Date.now();
        const handle = await startBackfill(
          client,
          { workspaceGid: scene.workspaceGid },
          `backfill-${taskQueue}`,
          taskQueue,
        );
        const done = handle.result().then((progress) => ({ progress, seconds: (Date.now() - startedAt) / 1000 }));
        let finished = false;
        void done.finally(() => (finished = true));
        const pending = new Map<string, { name: string; at: number }>();
        const freshness: number[] = [];
        let made = 0;
        let nextChangeAt = Date.now() + 2_000;
        const progressLog = setInterval(() => {
          const written = attio.requests.list().filter((r) => r.status < 300 && r.method !== 'GET').length;
          log(`backfill: ${Math.round((Date.now() - startedAt) / 1000)} s, ${written} Attio requests written so far`);
        }, 30_000);
        const watchAttio = setInterval(() => {
          for (const [gid, change] of pending) {
            const record = attio.findRecord(fieldMap.salesTasks.parentObject, 'asana_gid', gid);
            const entry = record && attio.entriesOf(fieldMap.salesTasks.list, record.recordId)[0];
            if (entry?.values.name?.[0] === change.name) {
              freshness.push(Date.now() - change.at);
              pending.delete(gid);
            }
          }
        }, 50);
        try {
          while (!finished) {
            if (made < options.liveChanges && Date.now() >= nextChangeAt) {
              const task = liveTasks[made % liveTasks.length]!;
              if (!pending.has(task.gid)) {
                const name = `Renamed live ${made}`;
                asana.store.updateTask(task.gid, { name });
                pending.set(task.gid, { name, at: Date.now() });
                made += 1;
              }
              nextChangeAt = Date.now() + 2_000;
            }
            await sleep(50);
          }
          const { progress, seconds } = await done;
          const deadline = Date.now() + 60_000;
          while (pending.size && Date.now() < deadline) await sleep(100);
          return { progress, seconds, made, freshness };
        } finally {
          clearInterval(watchAttio);
          clearInterval(progressLog);
        }
      },
    );

    const attioLog = attio.requests.list();
    const writes = attioLog.filter((r) => requestKind(r.method, r.url.split('?')[0]!) === 'write' && r.status < 300);
    const times = writes.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
    const span = times.length > 1 ? (times[times.length - 1]! - times[0]!) / 1000 : NaN;
    const sustained = round(times.length / span, 1);
    const asanaRequests = asana.requests.count();
    const records = attio.records(fieldMap.salesTasks.parentObject);
    const taskCount = options.projects * options.tasksPerProject;
    const out: BackfillResult = {
      tasks: taskCount,
      projects: options.projects,
      attioWriteLimitPerSecond: options.attioWritesPerSecond,
      scaledFrom: { attioWritesPerSecond: ATTIO_WRITES_PER_SECOND, factor: round(factor, 2) },
      workerWriteBudgetPerSecond: writeBudget,
      attioActivitiesPerSecond: round(
        activityRateLimits({ ...DEFAULT_BUDGETS, ATTIO_MAX_WRITES_PER_SECOND: writeBudget }).attio,
        1,
      ),
      seconds: round(result.seconds),
      progress: result.progress,
      attioWrites: writes.length,
      sustainedWritesPerSecond: sustained,
      shareOfWriteLimit: round(sustained / options.attioWritesPerSecond, 2),
      attio429: attioLog.filter((r) => r.status === 429).length,
      writesFailed: result.progress.errors,
      asanaRequests,
      shareOfAsanaBudget: round(asanaRequests / ((ASANA_REQUESTS_PER_MINUTE / 60) * result.seconds), 3),
      tasksInAttio: records.length,
      live: {
        changes: result.made,
        seen: result.freshness.length,
        quietPeriodMs: SYNC_DEFAULTS.quietPeriodMs,
        freshnessMs: percentiles(result.freshness),
        deliveriesByStatus: asana.webhooks.deliveries.reduce<Record<string, number>>((counts, d) => {
          counts[String(d.status)] = (counts[String(d.status)] ?? 0) + 1;
          return counts;
        }, {}),
      },
      box,
    };
    log(
      `backfill: ${taskCount} tasks in ${out.seconds} s, ${out.attioWrites} Attio writes at ${sustained}/s ` +
        `(${Math.round(out.shareOfWriteLimit * 100)} % of ${options.attioWritesPerSecond}/s), 429s ${out.attio429}, ` +
        `failed writes ${out.writesFailed}, Asana ${asanaRequests} requests (${round(out.shareOfAsanaBudget * 100)} % of budget), ` +
        `live p99 ${out.live.freshnessMs.p99} ms (${out.live.seen}/${out.live.changes})`,
    );
    return out;
  } finally {
    await stopService(receiver);
    await stopService(worker);
    await client.connection.close();
    await asana.close();
    await attio.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
