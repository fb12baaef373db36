/**
 * What the Temporal UI shows for each workflow the service starts, in words: a one-line static summary (the list
 * view's "Summary" column) and static details (the workflow page), naming the resource and the purpose. They are
 * user metadata, payloads encrypted by the codec like any other (the UI shows them through the codec server), yet they
 * carry gids, resource types and counts only: never a name, a note, an email or a secret.
 */
import type {
  AsanaResourceRef,
  AsanaWebhookInventoryInput,
  BackfillInput,
  ReconcileProjectInput,
  ResyncInput,
  WatchAsanaResourceInput,
} from '../workflows/definitions';

export interface WorkflowSummary {
  staticSummary: string;
  staticDetails: string;
}

const list = (gids: readonly string[]) =>
  gids.length <= 3 ? gids.join(', ') : `${gids[0]} and ${gids.length - 1} more`;

export const syncSummary = (resource: AsanaResourceRef): WorkflowSummary => ({
  staticSummary: `Sync Asana ${resource.resource_type} ${resource.gid} to Attio`,
  staticDetails:
    `Keeps Attio current with Asana ${resource.resource_type} ${resource.gid}: each change (webhook delivery, ` +
    'reconciliation, gap repair, resync) is a signal `asanaChanged`; after a quiet period the workflow reads the ' +
    'current state from Asana and writes it to Attio if it changed. Query `syncStatus` for where it is.',
});

export const watchSummary = (input: WatchAsanaResourceInput): WorkflowSummary => ({
  staticSummary: `Watch Asana ${input.resourceType} ${input.resourceGid}: its webhook and its health`,
  staticDetails:
    `Owns the Asana webhook of ${input.resourceType} ${input.resourceGid} (workspace ${input.workspaceGid}): ` +
    'registers it, checks its health, re-creates it before Asana deletes it and repairs any gap. Query ' +
    '`webhookStatus` (never the secret); signal `checkHealth` to check now, `unwatch` to stop and delete the webhook.',
});

export function backfillSummary(input: BackfillInput): WorkflowSummary {
  const scope = input.projectGids
    ? `Asana project${input.projectGids.length > 1 ? 's' : ''} ${list(input.projectGids)}`
    : input.teamGid
      ? `every project of Asana team ${input.teamGid}`
      : `every project of Asana workspace ${input.workspaceGid}`;
  return {
    staticSummary: `Backfill ${scope} into Attio`,
    staticDetails:
      `Copies ${scope} (projects, sections as stages, tasks) into Attio, page by page, resumable, at a lower ` +
      'priority than live sync. Query `backfillProgress`; the `BackfillPages`/`BackfillRecords` search attributes ' +
      'show it in the list.',
  };
}

export const reconcileSummary = (input: Pick<ReconcileProjectInput, 'projectGid' | 'mode'>): WorkflowSummary => ({
  staticSummary: `${input.mode === 'full' ? 'Full' : 'Incremental'} reconciliation of Asana project ${input.projectGid} with Attio`,
  staticDetails:
    input.mode === 'full'
      ? `Compares every task of Asana project ${input.projectGid} with Attio and re-syncs what is missing, stale or ` +
        'orphaned. The result is the report (counts only).'
      : `Re-syncs project ${input.projectGid}, its sections and every task modified since the previous run, so what ` +
        'a webhook missed still arrives. The result is the report (counts only).',
});

export function resyncSummary(input: ResyncInput): WorkflowSummary {
  const what =
    'resources' in input
      ? input.resources.length === 1
        ? `Asana ${input.resources[0]!.resource_type} ${input.resources[0]!.gid}`
        : `${input.resources.length} Asana resources`
      : 'attio' in input
        ? `${input.attio.recordIds.length} Attio ${input.attio.object} record${input.attio.recordIds.length > 1 ? 's' : ''}`
        : 'projectGid' in input
          ? `every task of Asana project ${input.projectGid}`
          : 'sectionGid' in input
            ? `every task of Asana section ${input.sectionGid}`
            : `what is stale in Asana project${input.projectGids.length > 1 ? 's' : ''} ${list(input.projectGids)}`;
  return {
    staticSummary: `Resync ${what} into Attio`,
    staticDetails:
      `Sends ${what} through their sync workflows with source \`resync\`, which write Attio even where it looks ` +
      `unchanged, so an edit made in Attio is put back.${input.requestedBy ? ` Requested from ${input.requestedBy.source}.` : ''}`,
  };
}

export const checkConnectionsSummary: WorkflowSummary = {
  staticSummary: 'Check the Asana and Attio credentials',
  staticDetails:
    'Calls Asana and Attio once each with the configured tokens; the result says who they belong to (ids).',
};

export const provisionAttioSummary: WorkflowSummary = {
  staticSummary: 'Create the Attio objects, list and attributes the sync writes to',
  staticDetails: 'Idempotent: creates what is missing in Attio and lists it in the result; changes nothing else.',
};

export const webhookInventorySummary = (input: AsanaWebhookInventoryInput): WorkflowSummary => ({
  staticSummary: input.deleteWebhookGids?.length
    ? `Delete ${input.deleteWebhookGids.length} orphaned Asana webhook${input.deleteWebhookGids.length > 1 ? 's' : ''} of workspace ${input.workspaceGid}`
    : `List the Asana webhooks of workspace ${input.workspaceGid}`,
  staticDetails:
    `Lists every webhook Asana has for workspace ${input.workspaceGid} (gid, resource, target without its query), ` +
    'after deleting the ones named in the input, for `cli webhooks`, which compares them with the watches.',
});

/** The reconciliation a watch starts as a child when its Events API token expired during a webhook outage. */
export const gapRepairSummary = (projectGid: string, since: string): WorkflowSummary => ({
  staticSummary: `Repair the webhook gap of Asana project ${projectGid}: incremental reconciliation since ${since}`,
  staticDetails:
    `Started by the watch asana-webhook-${projectGid} after its webhook was re-created or recovered, when the ` +
    `Events API could no longer replay the outage: re-syncs project ${projectGid}, its sections and every task ` +
    `modified since ${since}, the last point deliveries were confirmed. The result is the report (counts only).`,
});
