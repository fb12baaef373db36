/**
 * The whole service for end-to-end tests: both stand-ins (seeded), the receiver on a free port, workers with the real
 * activities and clients on unique task queues of the run's Temporal dev server, and a Temporal client.
 */
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { type NativeConnection } from '@temporalio/worker';
import { createQueueActivities } from '../../activities';
import { AsanaClient } from '../../asana/client';
import { AttioClient } from '../../attio/client';
import { createLogger } from '../../common/logger';
import type { TaskQueues } from '../../common/task-queues';
import { type FieldMap, parseFieldMap } from '../../mapping/field-map';
import type { ScopeInput } from '../../mapping/scope';
import { createReceiverApp } from '../../receiver/app';
import { listen, type RunningServer } from '../../common/listen';
import { TemporalWebhookSecrets } from '../../receiver/webhook-secrets';
import { type AsanaStandIn, startAsanaStandIn } from '../../stand-ins/asana/server';
import { type Scene, type SeedOptions, sceneFieldMap, seedScene } from '../../stand-ins/asana/seed';
import { type AttioStandIn, startAttioStandIn } from '../../stand-ins/attio/server';
import { StandInClock } from '../../stand-ins/kit/clock';
import { createWorkers, runWorkers } from '../../workers/create-workers';
import { DEMO_PAYLOAD_KEY } from '../../common/payload-codec';
import { connectWorkerConnection, temporalTestAddress, testClient, testConfig, uniqueTaskQueues } from './temporal';

export interface LiveStack {
  asana: AsanaStandIn;
  attio: AttioStandIn;
  scene: Scene;
  fieldMap: FieldMap;
  client: Client;
  queues: TaskQueues;
  receiver: RunningServer;
  receiverUrl: string;
  /**
   * A domain move: stops the workers and the receiver, runs `meanwhile` (while nobody answers Asana), then starts a
   * receiver at a new URL and the workers with it as RECEIVER_PUBLIC_URL. Returns the new URL.
   */
  moveReceiver(meanwhile?: () => Promise<void> | void): Promise<string>;
  /** Stops and starts the workers (a worker killed and replaced). */
  restartWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

/** A deployment's environment as an operator's shell has it: live mode against the stack's stand-ins and queues. */
export const liveEnvironmentOf = (stack: LiveStack, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  TEMPORAL_ADDRESS: temporalTestAddress(),
  TEMPORAL_TASK_QUEUE: stack.queues.sync,
  ASANA_TOKEN: stack.asana.token,
  ASANA_BASE_URL: stack.asana.url,
  ATTIO_TOKEN: stack.attio.token,
  ATTIO_BASE_URL: stack.attio.url,
  PAYLOAD_ENCRYPTION_KEY: DEMO_PAYLOAD_KEY,
  RECEIVER_PUBLIC_URL: stack.receiverUrl,
  LOG_LEVEL: 'warn',
  ...overrides,
});

export const SYNC_TIMINGS = { quietPeriodMs: 300, maxDelayMs: 3_000, idleTimeoutMs: 60_000 };

export async function startLiveStack(
  options: {
    seed?: SeedOptions;
    people?: boolean;
    attioWritesPerSecond?: number;
    env?: NodeJS.ProcessEnv;
    /** Top-level scope settings added to the stack's scope (e.g. `watch`), given the seeded scene. */
    scope?: (scene: Scene) => Omit<ScopeInput, 'salesTasks' | 'projects' | 'people'>;
    /** Gids from here (the stand-in's default gives the demo's gids); unset, a base unique to this stack. */
    firstGid?: bigint;
  } = {},
): Promise<LiveStack> {
  const clock = new StandInClock();
  // Gids unique to this stack: workflow ids are built from gids, and the run's tests share one Temporal server.
  const firstGid = options.firstGid ?? 1_300_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)) * 1_000_000n;
  const asana = await startAsanaStandIn({
    clock,
    firstGid,
    allowLoopbackTargets: true,
    webhooks: { batchWindowMs: 50 },
  });
  // Attio keeps its own clock, as in chaos/stack.ts: tests fast-forward Asana's.
  const attio = await startAttioStandIn({
    rateLimit: { writesPerSecond: options.attioWritesPerSecond ?? 25, readsPerSecond: 100 },
  });
  const scene = seedScene(asana.store, { seed: 3, projects: 2, tasksPerProject: 4, ...options.seed });
  const fieldMap = parseFieldMap({
    ...options.scope?.(scene),
    ...sceneFieldMap(scene, { people: options.people ?? true }),
  });
  const config = testConfig(options.env);
  const client = await testClient(config);
  const queues = uniqueTaskQueues();
  const logger = createLogger({ level: 'fatal', format: 'json' });
  const startReceiver = () =>
    listen(
      createReceiverApp({
        client,
        logger,
        webhooks: {
          secrets: new TemporalWebhookSecrets(client, 1_000),
          taskQueues: queues,
          ackTimeoutMs: 5_000,
          sync: SYNC_TIMINGS,
          deliveryReportIntervalMs: 0,
        },
      }),
      0,
      '127.0.0.1',
    );
  const urlOf = (server: RunningServer) => `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const activitiesFor = (receiverPublicUrl: string) =>
    createQueueActivities({
      asana: new AsanaClient({ baseUrl: asana.url, token: asana.token }),
      attio: new AttioClient({ baseUrl: attio.url, token: attio.token }),
      fieldMap,
      receiverPublicUrl,
      client,
      sync: SYNC_TIMINGS,
    });
  let receiver = await startReceiver();
  let receiverUrl = urlOf(receiver);
  let activities = activitiesFor(receiverUrl);

  let connection: NativeConnection | undefined;
  let running: ReturnType<typeof runWorkers> | undefined;
  const startWorkers = async () => {
    connection ??= await connectWorkerConnection();
    const bundlePath = process.env.TEST_WORKFLOW_BUNDLE!;
    running = runWorkers(
      await createWorkers({
        config,
        connection,
        activities,
        taskQueues: queues,
        workflowBundle: { codePath: bundlePath },
      }),
    );
  };
  const stopWorkers = async () => {
    await running?.stop();
    running = undefined;
  };
  await startWorkers();

  return {
    asana,
    attio,
    scene,
    fieldMap,
    client,
    queues,
    get receiver() {
      return receiver;
    },
    get receiverUrl() {
      return receiverUrl;
    },
    startWorkers,
    stopWorkers,
    moveReceiver: async (meanwhile) => {
      await stopWorkers();
      await receiver.close();
      await meanwhile?.();
      receiver = await startReceiver();
      receiverUrl = urlOf(receiver);
      activities = activitiesFor(receiverUrl);
      await startWorkers();
      return receiverUrl;
    },
    restartWorkers: async () => {
      await stopWorkers();
      await startWorkers();
    },
    close: async () => {
      await stopWorkers();
      await receiver.close();
      await asana.close();
      await attio.close();
      await client.connection.close();
      await connection?.close();
    },
  };
}
