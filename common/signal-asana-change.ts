/**
 * Tells a resource's sync workflow (`asana-sync-<type>-<gid>`) that it changed, starting the workflow if none runs:
 * one signalWithStart, the only way any path (a webhook delivery, reconciliation, gap repair, resync) hands a change
 * to the sync (docs/decisions/0005). It resolves once Temporal has durably recorded the signal, so the receiver may
 * acknowledge a delivery after it; no worker needs to be running.
 */
import type { Client } from '@temporalio/client';
import { AsanaGid, AsanaResourceType } from './search-attributes';
import { syncWorkflowId } from './workflow-ids';
import {
  type AsanaChange,
  type AsanaResourceRef,
  asanaChangedSignal,
  type SyncAsanaResourceInput,
} from '../workflows/definitions';
import type { syncAsanaResource } from '../workflows/sync-asana-resource';

/** Debounce settings a started sync workflow gets (SYNC_* settings); unset ones take the workflow's defaults. */
export type SyncTimings = Pick<
  SyncAsanaResourceInput,
  'quietPeriodMs' | 'maxDelayMs' | 'idleTimeoutMs' | 'touchUnchanged'
>;

export async function signalAsanaChange(
  client: Client,
  resource: AsanaResourceRef,
  change: AsanaChange,
  options: { taskQueue: string; sync?: SyncTimings },
): Promise<void> {
  await client.workflow.signalWithStart<typeof syncAsanaResource, [AsanaChange]>('syncAsanaResource', {
    workflowId: syncWorkflowId(resource),
    taskQueue: options.taskQueue,
    args: [{ resource, ...options.sync }],
    signal: asanaChangedSignal,
    signalArgs: [change],
    typedSearchAttributes: [
      { key: AsanaGid, value: resource.gid },
      { key: AsanaResourceType, value: resource.resource_type },
    ],
  });
}
