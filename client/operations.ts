/**
 * The client API of the service: the operations an operator starts, called by the CLI (cli/main.ts), by `npm start`
 * and the demo (scripts/), and by the tests. Each is a Temporal workflow, so the same thing can be done from the
 * Temporal UI or `temporal workflow start` (README, "Operating").
 */
import { randomUUID } from 'node:crypto';
import { type Client, WorkflowIdConflictPolicy } from '@temporalio/client';
import { AsanaGid, AsanaResourceType } from '../common/search-attributes';
import { TASK_QUEUES } from '../common/task-queues';
import { type Scope, webhookFiltersFor } from '../mapping/scope';
import {
  backfillWorkflowId,
  checkConnectionsWorkflowId,
  reconcileWorkflowId,
  resyncWorkflowId,
  webhookWorkflowId,
} from '../common/workflow-ids';
import {
  backfillSummary,
  checkConnectionsSummary,
  provisionAttioSummary,
  reconcileSummary,
  resyncSummary,
  watchSummary,
  webhookInventorySummary,
} from '../common/workflow-summaries';
import type {
  asanaWebhookInventory,
  backfill,
  checkConnections,
  provisionAttio,
  reconcileProject,
  resync,
  watchAsanaResource,
} from '../workflows';
import {
  type AsanaWebhookInventoryInput,
  type BackfillInput,
  type ReconcileProjectInput,
  type ResyncInput,
  unwatchSignal,
  type WatchAsanaResourceInput,
  webhookSecretsQuery,
} from '../workflows/definitions';

/** Starts the credentials check (Asana and Attio, through the workers' queues). */
export async function startCheckConnections(client: Client, taskQueue = TASK_QUEUES.sync) {
  return client.workflow.start<typeof checkConnections>('checkConnections', {
    taskQueue,
    workflowId: checkConnectionsWorkflowId(randomUUID()),
    args: [{}],
    ...checkConnectionsSummary,
  });
}

export async function checkConnectionsNow(client: Client, taskQueue = TASK_QUEUES.sync) {
  return (await startCheckConnections(client, taskQueue)).result();
}

/** Provisions Attio for the scope; refuses, writing nothing, when the plan has any conflict (all are listed). */
export async function startProvisionAttio(client: Client, taskQueue = TASK_QUEUES.sync) {
  return client.workflow.start<typeof provisionAttio>('provisionAttio', {
    taskQueue,
    workflowId: `provision-attio-${randomUUID()}`,
    args: [{}],
    ...provisionAttioSummary,
  });
}

export async function provisionAttioNow(client: Client, taskQueue = TASK_QUEUES.sync) {
  return (await startProvisionAttio(client, taskQueue)).result();
}

/** The provisioning plan (`provision --dry-run`): what exists, what would be created or changed, every conflict. */
export async function planProvisioningNow(client: Client, taskQueue = TASK_QUEUES.sync) {
  const { plan } = await client.workflow.execute<typeof provisionAttio>('provisionAttio', {
    taskQueue,
    workflowId: `provision-attio-dry-run-${randomUUID()}`,
    args: [{ dryRun: true }],
    staticSummary: 'Plan the Attio provisioning (dry run: changes nothing)',
    staticDetails: provisionAttioSummary.staticDetails,
  });
  return plan;
}

/**
 * Starts (or finds) the watch workflow of a resource without waiting for its webhook. A workspace, team or portfolio
 * gets the filters Asana requires for it unless the input brings its own (mapping/scope.ts `webhookFiltersFor`).
 */
export async function startWatch(client: Client, input: WatchAsanaResourceInput, taskQueue: string = TASK_QUEUES.sync) {
  const filters = input.filters ?? webhookFiltersFor(input.resourceType);
  return client.workflow.start<typeof watchAsanaResource>('watchAsanaResource', {
    taskQueue,
    workflowId: webhookWorkflowId(input.resourceGid),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [{ ...input, ...(filters ? { filters } : {}) }],
    ...watchSummary(input),
    typedSearchAttributes: [
      { key: AsanaGid, value: input.resourceGid },
      { key: AsanaResourceType, value: input.resourceType },
    ],
  });
}

/**
 * Starts watching a resource: its watch workflow creates the webhook (with the handshake) and keeps it healthy.
 * Watching a resource already watched changes nothing. Resolves once the webhook is registered and active.
 */
export async function watchResource(
  client: Client,
  input: WatchAsanaResourceInput,
  options: { timeoutMs?: number; taskQueue?: string } = {},
) {
  const handle = await startWatch(client, input, options.taskQueue);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    // A query fails until a worker has run the workflow's first task; keep asking until the deadline.
    const status = await handle.query(webhookSecretsQuery).then(
      (answer) => answer.status,
      () => 'unknown',
    );
    if (status === 'active') return handle;
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') {
      throw new Error(`watching ${input.resourceGid} failed: its workflow is ${description.status.name}`);
    }
    if (Date.now() > deadline) throw new Error(`the webhook of ${input.resourceGid} was not registered in time`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Watches everything the scope's `watch` lists (its projects, teams and workspace), each with the filters it needs.
 * Resolves once every webhook is registered and active.
 */
export async function watchScope(
  client: Client,
  scope: Scope,
  options: { timeoutMs?: number; taskQueue?: string } = {},
): Promise<WatchAsanaResourceInput[]> {
  const { workspace, watch } = scope;
  const inputs: WatchAsanaResourceInput[] = [];
  if (!workspace && (watch.projects.length > 0 || watch.teams.length > 0 || watch.workspace)) {
    throw new Error('the scope watches resources but names no `workspace` (the Asana workspace gid)');
  }
  if (workspace) {
    const watchOf = (resourceGid: string, resourceType: WatchAsanaResourceInput['resourceType']) =>
      inputs.push({ resourceGid, resourceType, workspaceGid: workspace });
    for (const gid of watch.projects) watchOf(gid, 'project');
    for (const gid of watch.teams) watchOf(gid, 'team');
    if (watch.workspace) watchOf(workspace, 'workspace');
  }
  await Promise.all(inputs.map((input) => watchResource(client, input, options)));
  return inputs;
}

/** Stops watching: the workflow deletes the webhook and forgets its secret. */
export async function unwatchResource(client: Client, resourceGid: string): Promise<void> {
  const handle = client.workflow.getHandle(webhookWorkflowId(resourceGid));
  await handle.signal(unwatchSignal);
  await handle.result();
}

/**
 * Starts a backfill of a workspace, a team or projects; its progress is the `backfillProgress` query. The id names the
 * scope (common/workflow-ids.ts), so starting a scope that is being backfilled joins that backfill.
 */
export async function startBackfill(
  client: Client,
  input: BackfillInput,
  workflowId = backfillWorkflowId(input),
  taskQueue = TASK_QUEUES.sync,
) {
  return client.workflow.start<typeof backfill>('backfill', {
    taskQueue,
    workflowId,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [input],
    ...backfillSummary(input),
  });
}

export async function startReconcile(client: Client, input: ReconcileProjectInput, taskQueue = TASK_QUEUES.sync) {
  return client.workflow.start<typeof reconcileProject>('reconcileProject', {
    taskQueue,
    workflowId: reconcileWorkflowId(input, new Date()),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [input],
    ...reconcileSummary(input),
  });
}

export async function reconcileNow(client: Client, input: ReconcileProjectInput, taskQueue = TASK_QUEUES.sync) {
  return (await startReconcile(client, input, taskQueue)).result();
}

export async function startResync(client: Client, input: ResyncInput, taskQueue = TASK_QUEUES.sync) {
  return client.workflow.start<typeof resync>('resync', {
    taskQueue,
    workflowId: resyncWorkflowId(input),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [input],
    ...resyncSummary(input),
  });
}

export async function resyncNow(client: Client, input: ResyncInput, taskQueue = TASK_QUEUES.sync) {
  return (await startResync(client, input, taskQueue)).result();
}

/** Every webhook Asana has for the workspace, after deleting `deleteWebhookGids` (of that workspace only). */
export async function webhookInventoryNow(
  client: Client,
  input: AsanaWebhookInventoryInput,
  taskQueue = TASK_QUEUES.sync,
) {
  return client.workflow.execute<typeof asanaWebhookInventory>('asanaWebhookInventory', {
    taskQueue,
    workflowId: `webhook-inventory-${input.workspaceGid}-${randomUUID().slice(0, 8)}`,
    args: [input],
    ...webhookInventorySummary(input),
  });
}
