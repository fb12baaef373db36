/**
 * `doctor`: checks a deployment end to end, in the order a broken one is usually broken, and says in words what to
 * fix. Each check names what it looked at; a check that cannot run because an earlier one failed is `skipped` with
 * the reason, so the first failure is the one to fix first. Read-only: it starts only the checkConnections workflow.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startCheckConnections } from '../client/operations';
import { reconcileScheduleIds } from '../client/schedules';
import { type Config, loadConfig } from '../common/config';
import { SEARCH_ATTRIBUTES } from '../common/search-attributes';
import { type TaskQueues, taskQueuesOf } from '../common/task-queues';
import { connectClient, temporalAddress } from '../common/temporal-connection';
import { failureMessage } from '../common/failure-message';
import type { Scope as FieldMap } from '../mapping/scope';
import { HEALTHY, listWatches, readSchedule } from './deployment';
import { provisioningPlan } from './provisioning-plan';

export type CheckOutcome = 'ok' | 'failed' | 'skipped';

export interface DoctorCheck {
  name: string;
  outcome: CheckOutcome;
  /** What was found, in words. */
  detail: string;
  /** What to do about it, when it failed. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

/**
 * A poller counts as live when it polled this recently. A worker keeps one long poll open at a time, renewed at least
 * every ~70 s, while the server lists a poller for minutes after it stopped.
 */
export const POLLER_FRESH_MS = 2 * 60_000;

const { TaskQueueType } = temporal.api.enums.v1;

const ok = (name: string, detail: string): DoctorCheck => ({ name, outcome: 'ok', detail });
const failed = (name: string, detail: string, fix: string): DoctorCheck => ({ name, outcome: 'failed', detail, fix });
const skipped = (name: string, detail: string): DoctorCheck => ({ name, outcome: 'skipped', detail });

export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const report = () => ({ ok: checks.every((c) => c.outcome !== 'failed'), checks });

  let config: Config;
  try {
    config = loadConfig(env);
    const fieldMap = config.scope;
    checks.push(
      ok(
        'configuration',
        `${config.mode} mode, scope ${config.env.SCOPE_FILE ?? config.env.FIELD_MAP_FILE ?? '(defaults)'}`,
      ),
    );
    return await checkDeployment(config, fieldMap, checks).then(report);
  } catch (error) {
    if (checks.length === 0) {
      checks.push(
        failed('configuration', failureMessage(error), 'fix the settings named above (README, "Configuration")'),
      );
      return report();
    }
    throw error;
  }
}

async function checkDeployment(config: Config, fieldMap: FieldMap, checks: DoctorCheck[]): Promise<void> {
  const address = temporalAddress(config);
  const namespace = config.env.TEMPORAL_NAMESPACE;
  let client: Client;
  try {
    client = await connectClient(config);
    await client.connection.withDeadline(Date.now() + 5_000, () => client.workflowService.getSystemInfo({}));
    checks.push(ok('temporal', `reachable at ${address}`));
  } catch (error) {
    checks.push(
      failed(
        'temporal',
        `not reachable at ${address}: ${failureMessage(error)}`,
        'start Temporal or set TEMPORAL_ADDRESS to the frontend (host:port)',
      ),
    );
    return;
  }
  try {
    checks.push(await checkNamespace(client, namespace));
    if (checks.at(-1)!.outcome === 'failed') return;
    checks.push(await checkSearchAttributes(client, namespace));
    const queues = taskQueuesOf(config);
    const pollers = await checkPollers(client, namespace, queues);
    checks.push(pollers);
    const workersUp = pollers.outcome === 'ok';
    checks.push(
      workersUp
        ? await checkCredentials(client, queues)
        : skipped('credentials', 'the checkConnections workflow needs the workers (see "workers")'),
    );
    checks.push(await checkProvisioning(config, fieldMap));
    const watches = await listWatches(client, queues.sync);
    checks.push(checkWatches(watches));
    checks.push(await checkSchedules(client, watches));
    checks.push(await checkReceiver(config));
  } finally {
    await client.connection.close();
  }
}

async function checkNamespace(client: Client, namespace: string): Promise<DoctorCheck> {
  try {
    await client.workflowService.describeNamespace({ namespace });
    return ok('namespace', `${namespace} exists`);
  } catch (error) {
    return failed(
      'namespace',
      `${namespace}: ${failureMessage(error)}`,
      `create it (\`temporal operator namespace create --namespace ${namespace}\`) or fix TEMPORAL_NAMESPACE`,
    );
  }
}

async function checkSearchAttributes(client: Client, namespace: string): Promise<DoctorCheck> {
  const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
  const present = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = SEARCH_ATTRIBUTES.filter((key) => !present.has(key.name)).map((key) => key.name);
  if (missing.length === 0) return ok('search attributes', SEARCH_ATTRIBUTES.map((k) => k.name).join(', '));
  return failed(
    'search attributes',
    `missing on ${namespace}: ${missing.join(', ')}`,
    'start `npm run worker` once (it registers them) or `temporal operator search-attribute create` each',
  );
}

/** The queues and the kinds of task their workers poll (workers/create-workers.ts). */
const POLLED = (queues: TaskQueues) =>
  [
    { queue: queues.sync, type: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, kind: 'workflow' },
    { queue: queues.sync, type: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, kind: 'activity' },
    { queue: queues.asana, type: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, kind: 'activity' },
    { queue: queues.attio, type: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, kind: 'activity' },
  ] as const;

async function checkPollers(client: Client, namespace: string, queues: TaskQueues): Promise<DoctorCheck> {
  const now = Date.now();
  const results = await Promise.all(
    POLLED(queues).map(async ({ queue, type, kind }) => {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: queue },
        taskQueueType: type,
      });
      const live = (pollers ?? []).filter((p) => {
        const seconds = Number(p.lastAccessTime?.seconds ?? 0);
        return now - seconds * 1000 < POLLER_FRESH_MS;
      });
      return { queue, kind, live: live.length };
    }),
  );
  const idle = results.filter((r) => r.live === 0);
  const summary = results.map((r) => `${r.queue} (${r.kind}): ${r.live}`).join(', ');
  if (idle.length === 0) return ok('workers', `pollers on ${summary}`);
  return failed(
    'workers',
    `no worker polls ${idle.map((r) => `${r.queue} for ${r.kind} tasks`).join(', ')} (live pollers: ${summary})`,
    'start `npm run worker` with this TEMPORAL_TASK_QUEUE, or find out why the running workers stopped (their logs)',
  );
}

/** How long the credentials check may take before `doctor` looks for the worker that did not pick it up. */
export const CREDENTIALS_PROBE_MS = 20_000;

async function checkCredentials(client: Client, queues: TaskQueues): Promise<DoctorCheck> {
  const handle = await startCheckConnections(client, queues.sync);
  const answered = await Promise.race([
    handle.result(),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), CREDENTIALS_PROBE_MS).unref()),
  ]).catch((error: unknown) => error as Error);
  if (answered instanceof Error) {
    return failed('credentials', `checkConnections failed: ${failureMessage(answered)}`, 'read its history in the UI');
  }
  if (!answered) {
    // Pollers are listed for minutes after a worker stops; the work nobody picked up names the missing worker.
    const stuck = await whoDidNotAnswer(handle, queues);
    await handle.terminate('doctor: no worker answered the credentials check');
    return failed(
      'credentials',
      `no answer within ${CREDENTIALS_PROBE_MS / 1000} s: ${stuck}`,
      'start `npm run worker` with this TEMPORAL_TASK_QUEUE, or find out why the running workers stopped (their logs)',
    );
  }
  const line = answered.checks.map((c) => `${c.system} ${c.ok ? `ok (${c.identity})` : `FAILED: ${c.error}`}`);
  return answered.ok
    ? ok('credentials', line.join(', '))
    : failed(
        'credentials',
        line.join(', '),
        'replace the failing token (ASANA_TOKEN / ATTIO_TOKEN) and restart the workers',
      );
}

/** Which queue's worker left the check waiting: its workflow task, or one of its activities, never started. */
async function whoDidNotAnswer(handle: WorkflowHandle, queues: TaskQueues): Promise<string> {
  const { raw } = await handle.describe();
  const { PENDING_ACTIVITY_STATE_SCHEDULED } = temporal.api.enums.v1.PendingActivityState;
  const waiting = (raw.pendingActivities ?? []).filter((a) => a.state === PENDING_ACTIVITY_STATE_SCHEDULED);
  if (waiting.length > 0) {
    const queueOf = (type: string) => (/asana/i.test(type) ? queues.asana : queues.attio);
    return waiting
      .map((a) => `no worker picked up ${a.activityType?.name} on ${queueOf(a.activityType?.name ?? '')}`)
      .join('; ');
  }
  if (raw.pendingWorkflowTask) {
    return `no worker ran its workflow task on ${queues.sync}`;
  }
  return 'the workers took its tasks but did not finish them (see its history)';
}

async function checkProvisioning(config: Config, fieldMap: FieldMap): Promise<DoctorCheck> {
  if (config.mode === 'demo') return skipped('provisioning', 'demo mode: `npm start` provisions the Attio stand-in');
  try {
    const { missing, conflicts } = await provisioningPlan(
      { baseUrl: config.env.ATTIO_BASE_URL, token: config.env.ATTIO_TOKEN! },
      fieldMap,
    );
    if (conflicts.length > 0) {
      return failed(
        'provisioning',
        `conflicts in Attio: ${conflicts.join('; ')}`,
        'resolve each in Attio or in the scope',
      );
    }
    if (missing.length === 0) return ok('provisioning', 'Attio has every object, list and attribute the scope needs');
    return failed(
      'provisioning',
      `Attio lacks what the scope needs: ${missing.join(', ')}`,
      'run `npm run cli -- provision`',
    );
  } catch (error) {
    return failed('provisioning', failureMessage(error), 'fix Attio or the field map as the message says');
  }
}

function checkWatches(watches: Awaited<ReturnType<typeof listWatches>>): DoctorCheck {
  if (watches.length === 0) {
    return failed(
      'watches',
      'nothing is watched, so no change in Asana reaches Attio',
      'run `npm run cli -- watch <gid> --workspace <gid>`',
    );
  }
  const unhealthy = watches.filter((w) => !HEALTHY.includes(w.health) || w.queryError);
  if (unhealthy.length === 0) return ok('watches', `${watches.length} healthy`);
  return failed(
    'watches',
    unhealthy
      .map(
        (w) =>
          `${w.resourceGid} is ${w.health ?? 'unknown'}${w.healthReason ? ` (${w.healthReason})` : ''}${w.queryError ? `: ${w.queryError}` : ''}`,
      )
      .join('; '),
    'see `npm run cli -- status <gid>`; after fixing the cause, `temporal workflow signal --name checkHealth` re-checks at once',
  );
}

async function checkSchedules(client: Client, watches: Awaited<ReturnType<typeof listWatches>>): Promise<DoctorCheck> {
  const projects = watches.filter((w) => w.resourceType === 'project').map((w) => w.resourceGid);
  if (projects.length === 0)
    return skipped('schedules', 'no watched project, so no reconciliation schedule is expected');
  const expected = projects.flatMap((gid) => Object.values(reconcileScheduleIds(gid)).map((id) => ({ gid, id })));
  const read = await Promise.all(expected.map(async (e) => ({ ...e, schedule: await readSchedule(client, e.id) })));
  const missing = read.filter((r) => !r.schedule.installed);
  const paused = read.filter((r) => r.schedule.paused);
  if (missing.length === 0 && paused.length === 0) return ok('schedules', `${read.length} installed`);
  return failed(
    'schedules',
    [
      ...missing.map((r) => `${r.id} is missing${r.schedule.error ? ` (${r.schedule.error})` : ''}`),
      ...paused.map((r) => `${r.id} is paused`),
    ].join('; '),
    `run \`npm run cli -- schedules --project ${[...new Set([...missing, ...paused].map((r) => r.gid))].join(' ')}\`` +
      (paused.length ? ' and unpause with `temporal schedule toggle --unpause`' : ''),
  );
}

async function checkReceiver(config: Config): Promise<DoctorCheck> {
  const url = `${config.receiverPublicUrl}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (response.ok) return ok('receiver', `${url} answers ${response.status}`);
    return failed('receiver', `${url} answers ${response.status}`, 'check the receiver and the proxy in front of it');
  } catch (error) {
    return failed(
      'receiver',
      `${url} is unreachable: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`,
      'start `npm run receiver`, and make RECEIVER_PUBLIC_URL the address Asana can reach it at',
    );
  }
}
