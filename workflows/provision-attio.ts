import { asanaActivities, attioActivities } from './activity-queues';
import type { ProvisionAttioInput, ProvisionAttioResult } from './definitions';
import { ASANA_RETRY, ATTIO_RETRY } from './retry-policies';

/**
 * Creates the Attio objects, attributes, list and stages the scope needs, or with `dryRun` only returns the plan.
 * Every conflict is found before the first write, and a run with any writes nothing. Idempotent: run it at every
 * start and after changing the scope (`npm run cli -- provision [--dry-run]`); a re-run creates only the difference.
 */
export async function provisionAttio(input: ProvisionAttioInput = {}): Promise<ProvisionAttioResult> {
  const asana = asanaActivities({ startToCloseTimeout: '2m', retry: ASANA_RETRY });
  const attio = attioActivities({ startToCloseTimeout: '2m', retry: { ...ATTIO_RETRY, maximumAttempts: 10 } });
  // The stages are the stage sections of the Sales Tasks source projects, as Asana has them now.
  const stages = await asana.listAsanaStageSections();
  if (input.dryRun) return { created: [], plan: await attio.planAttioProvisioning({ stages }) };
  return attio.provisionAttio({ stages });
}
