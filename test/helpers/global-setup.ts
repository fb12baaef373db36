/**
 * Starts one real Temporal dev server for the whole integration run (free port, its own data folder, headless) and
 * bundles the workflows once. Tests read the address and the bundle path from the environment; with
 * TEMPORAL_ADDRESS set, that cluster is used instead and nothing is started.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort } from '../../common/ports';
import { ensureTemporalCli, startDevServer } from '../../common/temporal-dev-server';
import { workflowsPath } from '../../workers/workflows-path';

export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'asana-attio-sync-test-'));
  process.env.TEST_DATA_DIR = dataDir;

  const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;

  if (process.env.TEMPORAL_ADDRESS) {
    process.env.TEST_TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS;
    return;
  }
  const server = await startDevServer({
    cli: await ensureTemporalCli(),
    port: await freePort(),
    uiPort: 0,
    headless: true,
    dbFile: join(dataDir, 'temporal.db'),
  });
  (globalThis as { __temporalDevServer?: typeof server }).__temporalDevServer = server;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
  error: (message: string) => process.stderr.write(`workflow bundler: ${message}\n`),
};
