// Every workflow the worker runs. The worker bundles this file (workers/workflows-path.ts).
export { checkConnections } from './check-connections';
export { provisionAttio } from './provision-attio';
export { syncAsanaResource } from './sync-asana-resource';
export { watchAsanaResource } from './watch-asana-resource';
