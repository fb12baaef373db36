/**
 * The reconciliation schedules, declared in code and installed idempotently: by the watch workflow of each watched
 * project (through the `installReconcileSchedules` activity, removed again on unwatch), the CLI `schedules` and the
 * demo's start:
 * per project, an incremental reconciliation every RECONCILE_EVERY_MINUTES and a full verification every
 * FULL_RECONCILE_EVERY_HOURS. Installing again updates them in place.
 */
import {
  type Client,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleOptions,
} from '@temporalio/client';
import { TASK_QUEUES } from '../common/task-queues';
import { reconcileSummary } from '../common/workflow-summaries';
import type { reconcileProject } from '../workflows';

/** The defaults of RECONCILE_EVERY_MINUTES and FULL_RECONCILE_EVERY_HOURS (common/config.ts). */
export const DEFAULT_SCHEDULE_SETTINGS = { incrementalEveryMinutes: 15, fullEveryHours: 24 } as const;

export interface ScheduleSettings {
  incrementalEveryMinutes: number;
  fullEveryHours: number;
  taskQueue?: string;
}

export const reconcileScheduleIds = (projectGid: string) => ({
  incremental: `reconcile-incremental-${projectGid}`,
  full: `reconcile-full-${projectGid}`,
});

export function reconcileSchedules(projectGid: string, settings: ScheduleSettings): ScheduleOptions[] {
  const ids = reconcileScheduleIds(projectGid);
  const action = (mode: 'incremental' | 'full') =>
    ({
      type: 'startWorkflow',
      workflowType: 'reconcileProject',
      args: [{ projectGid, mode }] as Parameters<typeof reconcileProject>,
      taskQueue: settings.taskQueue ?? TASK_QUEUES.sync,
      ...reconcileSummary({ projectGid, mode }),
    }) as const;
  return [
    {
      scheduleId: ids.incremental,
      spec: { intervals: [{ every: `${settings.incrementalEveryMinutes}m` }] },
      action: action('incremental'),
      // A run that is still going when the next is due makes the next one pointless: skip it.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' },
    },
    {
      scheduleId: ids.full,
      spec: { intervals: [{ every: `${settings.fullEveryHours}h` }] },
      action: action('full'),
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' },
    },
  ];
}

/** Creates the schedules, or updates them when they exist. Returns the ids and what happened to each. */
export async function installReconcileSchedules(
  client: Client,
  projectGids: string[],
  settings: ScheduleSettings,
): Promise<{ scheduleId: string; outcome: 'created' | 'updated' }[]> {
  const results: { scheduleId: string; outcome: 'created' | 'updated' }[] = [];
  for (const projectGid of projectGids) {
    for (const options of reconcileSchedules(projectGid, settings)) {
      try {
        await client.schedule.create(options);
        results.push({ scheduleId: options.scheduleId, outcome: 'created' });
      } catch (error) {
        if (!(error instanceof ScheduleAlreadyRunning)) throw error;
        await client.schedule.getHandle(options.scheduleId).update((previous) => ({
          ...previous,
          spec: options.spec,
          action: options.action,
          policies: { ...previous.policies, ...options.policies },
        }));
        results.push({ scheduleId: options.scheduleId, outcome: 'updated' });
      }
    }
  }
  return results;
}

/** Deletes a project's schedules; ones already gone count as deleted. Returns the ids deleted. */
export async function removeReconcileSchedules(client: Client, projectGid: string): Promise<string[]> {
  const removed: string[] = [];
  for (const scheduleId of Object.values(reconcileScheduleIds(projectGid))) {
    try {
      await client.schedule.getHandle(scheduleId).delete();
      removed.push(scheduleId);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return removed;
}

/**
 * Runs every full reconciliation of a deployment (its workflow queue) now, as its schedules would at their next time.
 * After Asana was disconnected (a refresh token refused) no delivery could be synced; reconnecting runs these so the
 * gap is repaired at once, not within FULL_RECONCILE_EVERY_HOURS. Returns the schedule ids triggered.
 */
export async function triggerFullReconciliations(client: Client, taskQueue: string): Promise<string[]> {
  const triggered: string[] = [];
  for await (const schedule of client.schedule.list()) {
    if (!schedule.scheduleId.startsWith(reconcileScheduleIds('').full)) continue;
    const handle = client.schedule.getHandle(schedule.scheduleId);
    // One server may hold several deployments' schedules (a shared cluster, or tests): only this one's run.
    if ((await handle.describe()).action.taskQueue !== taskQueue) continue;
    await handle.trigger();
    triggered.push(schedule.scheduleId);
  }
  return triggered;
}
