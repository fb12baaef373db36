// Every workflow the worker runs. The worker bundles this file (workers/workflows-path.ts).
export { checkConnections } from './check-connections';
