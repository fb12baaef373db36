/**
 * `webhooks`: Asana's webhooks of a workspace next to the watches (issue 16 item 8). Pure, so each verdict is
 * unit-tested (test/unit/webhook-inventory.test.ts); cli/commands/webhooks.ts fetches both sides and prints this.
 */
import type { ListedAsanaWebhook } from '../workflows/definitions';
import type { WatchOverview } from './deployment';

/**
 * - `watched`: the current webhook of a watch;
 * - `retiring`: a watch's replaced webhook, which it deletes itself at its next step;
 * - `registering`: on a resource whose watch is registering or re-creating right now (its answer may not be back);
 * - `unverified`: on a resource whose watch did not answer its status query (no worker?): left alone;
 * - `orphan`: this service's target, and no watch owns it (a crashed registration, a watch terminated without
 *   `unwatch`, a watch of an older URL): `--delete-orphans` deletes it;
 * - `foreign`: a target that is not this service's (another app of the same token): listed, never deleted.
 */
export type WebhookVerdict = 'watched' | 'retiring' | 'registering' | 'unverified' | 'orphan' | 'foreign';

export interface InventoriedWebhook extends ListedAsanaWebhook {
  verdict: WebhookVerdict;
  /** The watch workflow that owns it, or owns its resource. */
  workflowId?: string;
}

/** A watch whose webhook Asana does not list (deleted behind its back): its next check re-creates it. */
export interface WatchWithoutWebhook {
  workflowId: string;
  resourceGid: string;
  webhookGid: string;
  health?: string;
}

export interface WebhookInventoryReport {
  workspaceGid: string;
  webhooks: InventoriedWebhook[];
  orphans: string[];
  missing: WatchWithoutWebhook[];
  deleted: string[];
  notDeleted: { webhookGid: string; reason: string }[];
}

/** The watches of this workspace: those that say so, and those too old to say (one workspace per deployment). */
export const watchesOfWorkspace = (watches: WatchOverview[], workspaceGid: string) =>
  watches.filter((w) => w.status?.workspaceGid === undefined || w.status.workspaceGid === workspaceGid);

/**
 * The verdicts, from the watches as they were before Asana's list was read and after: a watch that re-created its
 * webhook in between owns the new one in `after` and had the old one in `before`, so neither is called an orphan or
 * missing. A webhook is an orphan only if no watch in either snapshot owns it, retires it or is registering on its
 * resource; a watch is missing its webhook only if it named the same one in both.
 */
export function inventory(
  workspaceGid: string,
  webhooks: ListedAsanaWebhook[],
  snapshots: { before: WatchOverview[]; after: WatchOverview[] },
): Pick<WebhookInventoryReport, 'webhooks' | 'orphans' | 'missing'> {
  const before = watchesOfWorkspace(snapshots.before, workspaceGid);
  const after = watchesOfWorkspace(snapshots.after, workspaceGid);
  const either = [...after, ...before];
  const verdictOf = (webhook: ListedAsanaWebhook): Pick<InventoriedWebhook, 'verdict' | 'workflowId'> => {
    const owner = either.find((w) => w.status?.webhookGid === webhook.gid);
    if (owner) return { verdict: 'watched', workflowId: owner.workflowId };
    const retiring = either.find((w) => w.status?.webhooksToDelete?.includes(webhook.gid));
    if (retiring) return { verdict: 'retiring', workflowId: retiring.workflowId };
    if (!webhook.ours) return { verdict: 'foreign' };
    const ofResource = either.filter((w) => w.resourceGid === webhook.resourceGid);
    const silent = ofResource.find((w) => !w.status);
    if (silent) return { verdict: 'unverified', workflowId: silent.workflowId };
    const registering = ofResource.find(
      (w) => w.status?.status === 'registering' || w.status?.pendingRecreation !== undefined,
    );
    if (registering) return { verdict: 'registering', workflowId: registering.workflowId };
    return { verdict: 'orphan', ...(ofResource[0] ? { workflowId: ofResource[0].workflowId } : {}) };
  };
  const listed = webhooks.map((webhook) => ({ ...webhook, ...verdictOf(webhook) }));
  const inAsana = new Set(webhooks.map((webhook) => webhook.gid));
  const earlier = new Map(before.map((w) => [w.workflowId, w.status?.webhookGid]));
  const missing = after
    .filter((w) => w.status?.webhookGid !== undefined && !inAsana.has(w.status.webhookGid))
    .filter((w) => earlier.get(w.workflowId) === w.status!.webhookGid)
    .map((w) => ({
      workflowId: w.workflowId,
      resourceGid: w.resourceGid,
      webhookGid: w.status!.webhookGid!,
      ...(w.health ? { health: w.health } : {}),
    }));
  return {
    webhooks: listed,
    orphans: listed.filter((webhook) => webhook.verdict === 'orphan').map((webhook) => webhook.gid),
    missing,
  };
}
