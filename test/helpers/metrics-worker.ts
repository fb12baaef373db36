/**
 * A worker process with the Temporal SDK's Prometheus endpoint on (workers/runtime-logging.ts), for
 * test/integration/worker-metrics.test.ts: the Runtime is installed once per process, so the test runs it apart.
 * Env: TEMPORAL_ADDRESS, TASK_QUEUE, TEST_WORKFLOW_BUNDLE, WORKER_METRICS_PORT. Prints `polling` once it runs.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { createDataConverter } from '../../common/temporal-connection';
import { installRuntimeLogging, runtimeTelemetryOf } from '../../workers/runtime-logging';

async function main(): Promise<void> {
  const config = loadConfig();
  installRuntimeLogging(createLogger({ level: 'error', format: 'json' }), runtimeTelemetryOf(config));
  const connection = await NativeConnection.connect({ address: config.env.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    dataConverter: createDataConverter(config),
    taskQueue: process.env.TASK_QUEUE!,
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
  });
  process.once('SIGTERM', () => worker.shutdown());
  process.stdout.write('polling\n');
  await worker.run();
  await connection.close();
}

void main();
