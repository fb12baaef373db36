/**
 * Activity proxies on the queues that belong to the workflow's own task queue (common/task-queues.ts): `<queue>.asana`
 * for Asana calls and `<queue>.attio` for Attio calls. Created inside the workflow function, where workflowInfo() is
 * available.
 */
import { type ActivityOptions, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { taskQueuesFor } from '../common/task-queues';

export function asanaActivities(options: Omit<ActivityOptions, 'taskQueue'>) {
  return proxyActivities<Activities>({ ...options, taskQueue: taskQueuesFor(workflowInfo().taskQueue).asana });
}

export function attioActivities(options: Omit<ActivityOptions, 'taskQueue'>) {
  return proxyActivities<Activities>({ ...options, taskQueue: taskQueuesFor(workflowInfo().taskQueue).attio });
}

/** Activities that only talk to Temporal run on the workflow's own queue: they spend no Asana or Attio budget. */
export function temporalActivities(options: Omit<ActivityOptions, 'taskQueue'>) {
  return proxyActivities<Activities>({ ...options, taskQueue: workflowInfo().taskQueue });
}
