/**
 * Workflow ids, built in one place. They are stored in plain text (they bypass the payload codec), so they carry
 * Asana gids and resource types only.
 */
import type { ResyncInput } from '../workflows/definitions';

/** One sync workflow per Asana resource: `asana-sync-task-1201234567890`. */
export const syncWorkflowId = (resource: { resource_type: string; gid: string }): string =>
  `asana-sync-${resource.resource_type}-${resource.gid}`;

/** One long-lived workflow per watched resource, owning its webhook: `asana-webhook-1201234567890`. */
export const webhookWorkflowId = (resourceGid: string): string => `asana-webhook-${resourceGid}`;

/** The connectivity check run by the demo and `cli check`: one per start, so runs stay distinct. */
export const checkConnectionsWorkflowId = (suffix: string): string => `check-connections-${suffix}`;

/** One entity workflow per Asana OAuth connection, holding its tokens: `asana-connection-default`. */
export const asanaConnectionWorkflowId = (connectionId: string): string => `asana-connection-${connectionId}`;

/**
 * A short, stable digest of a long scope (many gids), so its id stays readable and bounded yet still names that scope
 * and no other. FNV-1a: pure JavaScript, the same in every process.
 */
function scopeDigest(parts: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (const char of [...parts].sort().join(',')) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Up to three gids in full; more as the first, how many others, and a digest of them all. */
function gidList(gids: readonly string[]): string {
  if (gids.length <= 3) return gids.join('-');
  return `${gids[0]}-and-${gids.length - 1}-more-${scopeDigest(gids)}`;
}

/**
 * One backfill per scope, named by it: `backfill-workspace-<gid>`, `backfill-team-<gid>`, `backfill-projects-<gid>-…`.
 * Starting the same scope again while it runs joins that backfill instead of starting a second one.
 */
export function backfillWorkflowId(scope: { workspaceGid?: string; teamGid?: string; projectGids?: string[] }): string {
  if (scope.projectGids) return `backfill-projects-${gidList(scope.projectGids)}`;
  if (scope.teamGid) return `backfill-team-${scope.teamGid}`;
  return `backfill-workspace-${scope.workspaceGid}`;
}

/**
 * One resync per scope, named by it: `resync-task-<gid>`, `resync-tasks-<gid>-…`, `resync-project-tasks-<gid>`,
 * `resync-section-tasks-<gid>`, `resync-stale-<gid>-…`, `resync-attio-<object>-<record id>`. A repeated request joins the
 * running one.
 */
export function resyncWorkflowId(input: ResyncInput): string {
  if ('resources' in input) {
    const types = new Set(input.resources.map((r) => r.resource_type));
    const label = types.size === 1 ? `${[...types][0]}${input.resources.length > 1 ? 's' : ''}` : 'resources';
    return `resync-${label}-${gidList(input.resources.map((r) => r.gid))}`;
  }
  if ('attio' in input) return `resync-attio-${input.attio.object}-${gidList(input.attio.recordIds)}`;
  if ('projectGid' in input) return `resync-project-tasks-${input.projectGid}`;
  if ('sectionGid' in input) return `resync-section-tasks-${input.sectionGid}`;
  return `resync-stale-${gidList(input.projectGids)}`;
}

/** An operator's reconciliation run: `reconcile-full-<gid>-<when>`, the time keeping runs of one project apart. */
export const reconcileWorkflowId = (input: { projectGid: string; mode: string }, at: Date): string =>
  `reconcile-${input.mode}-${input.projectGid}-${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}`;
