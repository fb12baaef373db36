/**
 * Connections to the run's dev server (test/helpers/global-setup.ts), unique task queues, and workers that use the
 * workflow bundle built once per run.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, type Workflow, type WorkflowStartOptions } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { type Config, loadConfig } from '../../common/config';
import { createDataConverter } from '../../common/temporal-connection';
import { type TaskQueues, taskQueuesFor } from '../../common/task-queues';
import { createLogger } from '../../common/logger';
import { installRuntimeLogging } from '../../workers/runtime-logging';

export function temporalTestAddress(): string {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run integration tests through jest (globalSetup)');
  return address;
}

/** A demo-mode config pointing at the test server, with overrides. */
export function testConfig(env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({ TEMPORAL_ADDRESS: temporalTestAddress(), LOG_LEVEL: 'warn', ...env });
}

export async function testClient(config = testConfig()): Promise<Client> {
  const connection = await Connection.connect({ address: temporalTestAddress() });
  return new Client({
    connection,
    namespace: config.env.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(config),
  });
}

/**
 * Starts a workflow by its function rather than its type name, so its arguments are checked and `result()` is typed
 * (no casts), with a unique workflow id unless the test names one (as sdk-typescript's
 * packages/test/src/helpers-integration.ts does).
 */
export function startWorkflow<T extends Workflow>(
  client: Client,
  workflow: T,
  options: Omit<WorkflowStartOptions<T>, 'workflowId'> & { workflowId?: string },
) {
  // The spread loses the conditional `args` type the caller's options were checked against; it is the same object.
  const withId = { workflowId: `${workflow.name}-${randomUUID()}`, ...options } as WorkflowStartOptions<T>;
  return client.workflow.start(workflow, withId);
}

/** Task queue names unique to one test, derived from its name (as the SDK's own tests do). */
export function uniqueTaskQueues(testName = expect.getState().currentTestName ?? 'test'): TaskQueues {
  return taskQueuesFor(`${testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}-${randomUUID().slice(0, 8)}`);
}

/**
 * A worker connection to the test server. The first one installs the Temporal Runtime with its logs in pino at
 * `error` level, so expected failures (a 429 storm, a refused handshake) do not flood the run's output
 * (TEST_TEMPORAL_LOG_LEVEL=debug shows everything). The Runtime shuts itself down when the last connection and worker
 * are closed, and comes back with the same options for the next one, so a file run on its own lets jest exit.
 */
export async function connectWorkerConnection(): Promise<NativeConnection> {
  installQuietRuntime();
  return NativeConnection.connect({ address: temporalTestAddress() });
}

function installQuietRuntime(): void {
  try {
    installRuntimeLogging(createLogger({ level: process.env.TEST_TEMPORAL_LOG_LEVEL ?? 'error', format: 'json' }));
  } catch (error) {
    // Installed already for this process by an earlier test file (jest loads each file's modules afresh).
    if (!(error instanceof Error && /already been (installed|instantiated)/.test(error.message))) throw error;
  }
}

/**
 * A client and a worker connection for a whole test file, opened before its tests and closed after them. Read them as
 * `temporal.client` and `temporal.connection` inside tests and hooks.
 */
export function useTemporal(config: Config = testConfig()): { client: Client; connection: NativeConnection } {
  const opened = {} as { client: Client; connection: NativeConnection };
  beforeAll(async () => {
    opened.client = await testClient(config);
    opened.connection = await connectWorkerConnection();
  });
  afterAll(async () => {
    await opened.client?.connection.close();
    await opened.connection?.close();
  });
  return opened;
}

/**
 * Workers on a fresh set of unique queues that run the bundled workflows, with `activities` (usually recording fakes)
 * registered on every queue. `stop()` drains them.
 */
export async function startFakeWorkers(
  connection: NativeConnection,
  activities: object,
  options: { queues?: TaskQueues; config?: Config } = {},
) {
  const queues = options.queues ?? uniqueTaskQueues();
  const config = options.config ?? testConfig();
  const common = { connection, dataConverter: createDataConverter(config), activities };
  const workers = await Promise.all([
    Worker.create({
      ...common,
      taskQueue: queues.sync,
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    }),
    Worker.create({ ...common, taskQueue: queues.asana }),
    Worker.create({ ...common, taskQueue: queues.attio }),
  ]);
  const running = Promise.all(workers.map((w) => w.run()));
  return {
    queues,
    stop: async () => {
      for (const worker of workers) worker.shutdown();
      await running;
    },
  };
}

/** Runs `fn` with fake-activity workers (startFakeWorkers) and drains them afterwards. */
export async function withFakeWorkers<T>(
  connection: NativeConnection,
  activities: object,
  fn: (queue: string) => Promise<T>,
): Promise<T> {
  const workers = await startFakeWorkers(connection, activities);
  try {
    return await fn(workers.queues.sync);
  } finally {
    await workers.stop();
  }
}
