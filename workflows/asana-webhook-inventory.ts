import { failureMessage } from '../common/failure-message';
import { asanaActivities } from './activity-queues';
import type { AsanaWebhookInventory, AsanaWebhookInventoryInput } from './definitions';
import { asanaWebhookInventoryInput, validateWorkflowInput } from './inputs';
import { ASANA_RETRY } from './retry-policies';

/**
 * Every webhook Asana has for a workspace (`cli webhooks`), after deleting those the operator named (the orphans the
 * CLI found next to the watches). Only webhooks Asana lists for this workspace are deleted, so a mistyped gid cannot
 * reach another workspace's webhook. Read-only without `deleteWebhookGids`.
 */
export async function asanaWebhookInventory(input: AsanaWebhookInventoryInput): Promise<AsanaWebhookInventory> {
  validateWorkflowInput('asanaWebhookInventory', asanaWebhookInventoryInput, input);
  const asana = asanaActivities({ startToCloseTimeout: '2m', retry: { ...ASANA_RETRY, maximumAttempts: 5 } });
  const listed = await asana.listAsanaWebhooks({ workspaceGid: input.workspaceGid });
  const inWorkspace = new Set(listed.map((webhook) => webhook.gid));
  const deleted: string[] = [];
  const notDeleted: AsanaWebhookInventory['notDeleted'] = [];
  for (const webhookGid of new Set(input.deleteWebhookGids ?? [])) {
    if (!inWorkspace.has(webhookGid)) {
      notDeleted.push({ webhookGid, reason: `Asana lists no such webhook in workspace ${input.workspaceGid}` });
      continue;
    }
    try {
      await asana.deleteAsanaWebhook({ webhookGid });
      deleted.push(webhookGid);
    } catch (error) {
      notDeleted.push({ webhookGid, reason: failureMessage(error) });
    }
  }
  return {
    workspaceGid: input.workspaceGid,
    webhooks: listed.filter((webhook) => !deleted.includes(webhook.gid)),
    deleted,
    notDeleted,
  };
}
