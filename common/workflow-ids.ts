/**
 * Workflow ids, built in one place. They are stored in plain text (they bypass the payload codec), so they carry
 * Asana gids and resource types only.
 */

/** One sync workflow per Asana resource: `asana-sync-task-1201234567890`. */
export const syncWorkflowId = (resource: { resource_type: string; gid: string }): string =>
  `asana-sync-${resource.resource_type}-${resource.gid}`;

/** One long-lived workflow per watched resource, owning its webhook: `asana-webhook-1201234567890`. */
export const webhookWorkflowId = (resourceGid: string): string => `asana-webhook-${resourceGid}`;

/** The connectivity check run by the demo and `cli check`: one per start, so runs stay distinct. */
export const checkConnectionsWorkflowId = (suffix: string): string => `check-connections-${suffix}`;

/** One entity workflow per Asana OAuth connection, holding its tokens: `asana-connection-default`. */
export const asanaConnectionWorkflowId = (connectionId: string): string => `asana-connection-${connectionId}`;
