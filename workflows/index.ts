// Every workflow the worker runs. The worker bundles this file (workers/workflows-path.ts).
export { asanaWebhookInventory } from './asana-webhook-inventory';
export { backfill } from './backfill';
export { checkConnections } from './check-connections';
export { provisionAttio } from './provision-attio';
export { reconcileProject } from './reconcile-project';
export { resync } from './resync';
export { syncAsanaResource } from './sync-asana-resource';
export { watchAsanaResource } from './watch-asana-resource';
export { asanaConnection } from './asana-connection';
