import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { TASK_QUEUES } from '../common/task-queues';
import { ATTIO_RETRY } from './retry-policies';

const attio = proxyActivities<Activities>({
  taskQueue: TASK_QUEUES.attio,
  startToCloseTimeout: '2m',
  retry: { ...ATTIO_RETRY, maximumAttempts: 10 },
});

/**
 * Creates the Attio objects, attributes, list and stage attribute the field map needs. Idempotent: run it at every
 * start and after changing the field map (`npm run cli -- provision`).
 */
export async function provisionAttio(): Promise<{ created: string[] }> {
  return attio.provisionAttio();
}
