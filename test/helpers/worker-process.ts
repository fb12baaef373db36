/**
 * A worker process for integration tests that need several: what `npm run worker` runs (workers/main.ts: the real
 * activities and clients, createWorkers with its task-queue rate limits), configured by the environment, except that
 * it loads the run's prebuilt workflow bundle (TEST_WORKFLOW_BUNDLE) instead of bundling for seconds at start.
 * Prints "worker running" once it polls; SIGTERM drains it.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { connectClient, temporalAddress } from '../../common/temporal-connection';
import { createWorkers, runWorkers } from '../../workers/create-workers';
import { createActivitiesFor, fieldMapFor } from '../../workers/main';
import { installRuntimeLogging } from '../../workers/runtime-logging';

async function main(): Promise<void> {
  const config = loadConfig();
  // The SDK's own lines only when something fails, as the in-process test workers (test/helpers/temporal.ts).
  installRuntimeLogging(createLogger({ level: 'error', format: 'json' }));
  const bundle = process.env.TEST_WORKFLOW_BUNDLE;
  if (!bundle) throw new Error('TEST_WORKFLOW_BUNDLE is not set');
  const client = await connectClient(config);
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  const running = runWorkers(
    await createWorkers({
      config,
      connection,
      activities: createActivitiesFor(
        config,
        { asana: config.env.ASANA_TOKEN!, attio: config.env.ATTIO_TOKEN! },
        fieldMapFor(config),
        client,
      ),
      workflowBundle: { codePath: bundle },
    }),
  );
  process.stdout.write('worker running\n');
  process.once('SIGTERM', () => void running.stop());
  await running.done;
  await connection.close();
  await client.connection.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
