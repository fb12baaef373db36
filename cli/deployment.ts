/**
 * What `status` and `doctor` read about a deployment: its watches (visibility list by type and task queue, then each
 * watch's `webhookStatus` query), their reconciliation schedules, running backfills and recent failures. Everything
 * is scoped to the configured task queue, so two deployments on one namespace do not see each other.
 */
import { type Client, ScheduleNotFoundError, type WorkflowExecutionInfo } from '@temporalio/client';
import { reconcileScheduleIds } from '../client/schedules';
import { AsanaGid, AsanaResourceType, SyncState, WebhookHealth } from '../common/search-attributes';
import { failureMessage } from '../common/failure-message';
import {
  backfillProgressQuery,
  type BackfillProgress,
  type WebhookHealth as Health,
  type WebhookStatus,
  webhookStatusQuery,
} from '../workflows/definitions';

/** Health values that mean the watch is retrying a failure or waiting for an operator. */
export const TROUBLED: readonly (Health | undefined)[] = [
  'recreate-failed',
  'check-failed',
  'repair-failed',
  'needs-attention',
];

/** Healthy enough that nobody needs to act: `doctor` fails on every other value. */
export const HEALTHY: readonly (Health | undefined)[] = ['healthy', 'recreated', 'registering'];

/** Asana deletes a webhook after 24 h of failed deliveries (docs/asana.md §1.6). */
const ASANA_DELETES_FAILING_WEBHOOK_AFTER_MS = 24 * 3_600_000;

export interface WatchOverview {
  resourceGid: string;
  resourceType?: string;
  workflowId: string;
  health?: Health;
  healthReason?: string;
  lastDeliveryAt?: string;
  lastHeartbeatAt?: string;
  /** When Asana deletes the webhook unless a delivery succeeds first: 24 h after the first failure seen. */
  deletionDeadline?: string;
  schedules: string[];
  /** The watch's full status; missing when no worker answered the query (health then comes from the search attribute). */
  status?: WebhookStatus;
  queryError?: string;
}

export interface ScheduleOverview {
  scheduleId: string;
  installed: boolean;
  paused?: boolean;
  nextRunAt?: string;
  lastRunAt?: string;
  lastWorkflowId?: string;
  /** RUNNING, COMPLETED, FAILED… of the last run, when there was one. */
  lastResult?: string;
  error?: string;
}

export interface BackfillOverview {
  workflowId: string;
  startedAt: string;
  progress?: BackfillProgress;
}

export interface FailureOverview {
  workflowId: string;
  type: string;
  /** `sync failed` for a sync workflow whose last sync failed (SyncState), else the closed workflow's status. */
  what: string;
  at?: string;
}

/** How long a failed workflow counts as recent. */
export const RECENT_FAILURES_MS = 24 * 3_600_000;
const LIST_LIMIT = 50;

async function listWorkflows(client: Client, query: string, limit = LIST_LIMIT): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query, pageSize: limit })) {
    found.push(info);
    if (found.length >= limit) break;
  }
  return found;
}

const onQueue = (queue: string) => `TaskQueue = "${queue}"`;

/** One watched resource: its status query, or its search attributes when no worker answers. */
export async function readWatch(
  client: Client,
  workflowId: string,
  info?: WorkflowExecutionInfo,
): Promise<WatchOverview> {
  const handle = client.workflow.getHandle(workflowId);
  const described = info ?? (await handle.describe());
  const attributes = described.typedSearchAttributes;
  const base = {
    resourceGid: attributes.get(AsanaGid) ?? workflowId.replace(/^asana-webhook-/, ''),
    resourceType: attributes.get(AsanaResourceType),
    workflowId,
  };
  // A query needs a worker; within a bound, so a stopped worker makes the overview thinner rather than stuck.
  const status = await client.connection
    .withDeadline(Date.now() + 5_000, () => handle.query(webhookStatusQuery))
    .catch((error: unknown) => error as Error);
  if (status instanceof Error) {
    return {
      ...base,
      health: attributes.get(WebhookHealth) as Health | undefined,
      schedules: base.resourceType === 'project' ? Object.values(reconcileScheduleIds(base.resourceGid)) : [],
      queryError: `no answer to webhookStatus (${status.message}): is a worker polling ${described.taskQueue}?`,
    } satisfies WatchOverview;
  }
  return {
    ...base,
    health: status.health,
    healthReason: status.healthReason,
    lastDeliveryAt: status.lastDeliveryAt,
    lastHeartbeatAt: status.lastHeartbeatAt,
    deletionDeadline: status.failingSince
      ? new Date(Date.parse(status.failingSince) + ASANA_DELETES_FAILING_WEBHOOK_AFTER_MS).toISOString()
      : undefined,
    schedules: status.schedules ?? [],
    status,
  } satisfies WatchOverview;
}

export async function listWatches(client: Client, queue: string): Promise<WatchOverview[]> {
  const running = await listWorkflows(
    client,
    `WorkflowType = "watchAsanaResource" AND ExecutionStatus = "Running" AND ${onQueue(queue)}`,
  );
  return Promise.all(running.map((info) => readWatch(client, info.workflowId, info)));
}

export async function readSchedule(client: Client, scheduleId: string): Promise<ScheduleOverview> {
  try {
    const schedule = await client.schedule.getHandle(scheduleId).describe();
    const last = schedule.info.recentActions.at(-1);
    const lastWorkflowId = last?.action.workflow.workflowId;
    const lastResult = lastWorkflowId
      ? await client.workflow
          .getHandle(lastWorkflowId, last.action.workflow.firstExecutionRunId)
          .describe()
          .then(
            (d) => d.status.name,
            () => 'UNKNOWN',
          )
      : undefined;
    return {
      scheduleId,
      installed: true,
      paused: schedule.state.paused,
      nextRunAt: schedule.info.nextActionTimes[0]?.toISOString(),
      lastRunAt: last?.takenAt.toISOString(),
      lastWorkflowId,
      lastResult,
    };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return { scheduleId, installed: false };
    return { scheduleId, installed: false, error: failureMessage(error) };
  }
}

export async function listBackfills(client: Client, queue: string): Promise<BackfillOverview[]> {
  const running = await listWorkflows(
    client,
    `WorkflowType = "backfill" AND ExecutionStatus = "Running" AND ${onQueue(queue)}`,
  );
  return Promise.all(
    running.map(async (info) => ({
      workflowId: info.workflowId,
      startedAt: info.startTime.toISOString(),
      progress: await client.connection
        .withDeadline(Date.now() + 5_000, () => client.workflow.getHandle(info.workflowId).query(backfillProgressQuery))
        .catch(() => undefined),
    })),
  );
}

export async function listRecentFailures(client: Client, queue: string, now = Date.now()): Promise<FailureOverview[]> {
  const since = new Date(now - RECENT_FAILURES_MS).toISOString();
  const [syncFailed, closedFailed] = await Promise.all([
    listWorkflows(client, `${SyncState.name} = "failed" AND ExecutionStatus = "Running" AND ${onQueue(queue)}`, 20),
    listWorkflows(
      client,
      `(ExecutionStatus = "Failed" OR ExecutionStatus = "TimedOut") AND CloseTime > "${since}" AND ${onQueue(queue)}`,
      20,
    ),
  ]);
  return [
    ...syncFailed.map((info) => ({ workflowId: info.workflowId, type: info.type, what: 'sync failed' })),
    ...closedFailed.map((info) => ({
      workflowId: info.workflowId,
      type: info.type,
      what: info.status.name.toLowerCase(),
      at: info.closeTime?.toISOString(),
    })),
  ];
}
