/** Asana webhook events as deliveries carry them (docs/asana.md 1.4), for tests that build deliveries. */

/** A task event: `changed` (a field edit) unless told otherwise. */
export const taskEvent = (gid: string, action = 'changed') => ({
  user: { gid: '10', resource_type: 'user' },
  created_at: '2026-11-23T10:00:00.000Z',
  action,
  resource: { gid, resource_type: 'task', resource_subtype: 'default_task' },
  parent: null,
  change: { field: 'name', action: 'changed' },
});
