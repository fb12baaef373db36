/** The module the worker bundles: every workflow, re-exported by workflows/index.ts. */
export const workflowsPath = require.resolve('../workflows');
