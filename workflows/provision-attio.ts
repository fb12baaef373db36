import { attioActivities } from './activity-queues';
import type { ProvisionAttioResult } from './definitions';
import { ATTIO_RETRY } from './retry-policies';

/**
 * Creates the Attio objects, attributes, list and stage attribute the field map needs. Idempotent: run it at every
 * start and after changing the field map (`npm run cli -- provision`).
 */
export async function provisionAttio(): Promise<ProvisionAttioResult> {
  const attio = attioActivities({ startToCloseTimeout: '2m', retry: { ...ATTIO_RETRY, maximumAttempts: 10 } });
  return attio.provisionAttio();
}
