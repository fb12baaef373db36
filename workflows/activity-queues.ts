/**
 * Activity proxies on the queues that belong to the workflow's own task queue (common/task-queues.ts): `<queue>.asana`
 * for Asana calls and `<queue>.attio` for Attio calls. Each proxy is typed with the activities its queue's worker
 * registers (activities/index.ts), so calling an activity on the wrong queue does not compile. Created inside the
 * workflow function, where workflowInfo() is available.
 */
import { type ActivityOptions, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AlertActivities, AsanaActivities, AttioActivities, TemporalActivities } from '../activities';
import { taskQueuesFor } from '../common/task-queues';

export function asanaActivities(options: Omit<ActivityOptions, 'taskQueue'>) {
  return proxyActivities<AsanaActivities>({ ...options, taskQueue: taskQueuesFor(workflowInfo().taskQueue).asana });
}

export function attioActivities(options: Omit<ActivityOptions, 'taskQueue'>) {
  return proxyActivities<AttioActivities>({ ...options, taskQueue: taskQueuesFor(workflowInfo().taskQueue).attio });
}

/** Activities that only talk to Temporal run on the workflow's own queue: they spend no Asana or Attio budget. */
export function temporalActivities(options: Omit<ActivityOptions, 'taskQueue'>) {
  return proxyActivities<TemporalActivities>({ ...options, taskQueue: workflowInfo().taskQueue });
}

/** Operator alerts (workflows/alerts.ts) go out from the workflow's own queue too. */
export function alertActivities(options: Omit<ActivityOptions, 'taskQueue'>) {
  return proxyActivities<AlertActivities>({ ...options, taskQueue: workflowInfo().taskQueue });
}
