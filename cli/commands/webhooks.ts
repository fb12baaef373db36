import type { Command } from 'commander';
import { webhookInventoryNow } from '../../client/operations';
import type { CliContext } from '../context';
import { listWatches } from '../deployment';
import { examples, type JsonOption, print } from '../output';
import { inventory, type InventoriedWebhook, type WebhookInventoryReport } from '../webhook-inventory';
import { USAGE } from './backfill';

const VERDICT_WORDS: Record<InventoriedWebhook['verdict'], (w: InventoriedWebhook) => string> = {
  watched: (w) => `watched by ${w.workflowId}`,
  retiring: (w) => `replaced; ${w.workflowId} deletes it at its next step`,
  registering: (w) => `${w.workflowId} is registering right now; left alone`,
  unverified: (w) => `${w.workflowId} did not answer (is a worker polling?); left alone`,
  orphan: () => 'ORPHAN: no watch owns it (delete with --delete-orphans)',
  foreign: () => "foreign: not this service's target; left alone",
};

export function registerWebhooks(program: Command, ctx: CliContext): void {
  program
    .command('webhooks')
    .description(
      'every webhook Asana has for the workspace next to the watches: flags orphans (a webhook of this service ' +
        'that no watch owns) and watches whose webhook Asana no longer has. Exits 1 while there is either.',
    )
    .option('--workspace <gid>', "the Asana workspace (default: the scope's `workspace`, SCOPE_FILE)")
    .option('--delete-orphans', 'delete the orphans (never a webhook a watch owns, nor a foreign one)')
    .option('--json', 'print the inventory as JSON')
    .addHelpText(
      'after',
      examples('webhooks', 'webhooks --delete-orphans', 'webhooks --workspace 1200000000001 --json'),
    )
    .action(async (options: JsonOption & { workspace?: string; deleteOrphans?: boolean }, command: Command) => {
      const workspaceGid = options.workspace ?? ctx.config.scope.workspace;
      if (!workspaceGid) return command.error('webhooks needs --workspace (or a scope with a `workspace`)', USAGE);
      const client = await ctx.client();
      const queue = ctx.queues.sync;
      const before = await listWatches(client, queue);
      const listed = await webhookInventoryNow(client, { workspaceGid }, queue);
      const watches = { before, after: await listWatches(client, queue) };
      let found = inventory(workspaceGid, listed.webhooks, watches);
      let report: WebhookInventoryReport = { workspaceGid, ...found, deleted: [], notDeleted: [] };
      if (options.deleteOrphans && found.orphans.length) {
        const after = await webhookInventoryNow(client, { workspaceGid, deleteWebhookGids: found.orphans }, queue);
        found = inventory(workspaceGid, after.webhooks, watches);
        report = { workspaceGid, ...found, deleted: after.deleted, notDeleted: after.notDeleted };
      }
      print(options, report, (r) => [
        `Webhooks Asana has for workspace ${r.workspaceGid} (${r.webhooks.length}), next to the watches on ${queue}:`,
        ...(r.webhooks.length
          ? r.webhooks.map(
              (w) => `  ${w.gid} on ${w.resourceType} ${w.resourceGid} → ${w.target}: ${VERDICT_WORDS[w.verdict](w)}`,
            )
          : ['  none']),
        `Watches whose webhook is missing (${r.missing.length}):`,
        ...(r.missing.length
          ? r.missing.map(
              (m) =>
                `  ${m.workflowId}: webhook ${m.webhookGid} is not in Asana; its next check re-creates it, or now: ` +
                `temporal workflow signal --workflow-id ${m.workflowId} --name checkHealth`,
            )
          : ['  none']),
        ...r.deleted.map((gid) => `deleted orphan ${gid}`),
        ...r.notDeleted.map((n) => `could not delete ${n.webhookGid}: ${n.reason}`),
      ]);
      if (report.orphans.length || report.missing.length || report.notDeleted.length) ctx.fail();
    });
}
