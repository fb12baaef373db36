/**
 * What `provision` would still do in Attio, found without writing: the provisioning plan of
 * activities/provision-attio.ts (`provision --dry-run` runs the same through the workers), read directly so `doctor`
 * answers with the workers down.
 */
import { AttioClient } from '../attio/client';
import { planProvisioning, readAttioForProvisioning } from '../activities/provision-attio';
import type { Scope } from '../mapping/scope';

/** The plan's steps that would create or change something, and its conflicts (both empty when Attio has all). */
export async function provisioningPlan(attio: { baseUrl: string; token: string }, scope: Scope) {
  const client = new AttioClient(attio);
  // Stages come from the Asana sections, which only the workers read; the objects, lists and attributes do not.
  const plan = planProvisioning(scope, await readAttioForProvisioning(client, scope), []);
  return {
    missing: plan.steps.filter((s) => s.action === 'create' || s.action === 'change').map((s) => s.what),
    conflicts: plan.conflicts,
  };
}
