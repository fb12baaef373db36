/**
 * One Worker per task queue, each registering only its own queue's activities (activities/index.ts): workflows and
 * the Temporal activities on `sync`, Asana activities on `asana`, Attio activities on `attio`.
 * The activity queues carry a server-side rate limit (maxTaskQueueActivitiesPerSecond), which Temporal enforces
 * across every worker polling the queue, so adding workers never exceeds Asana's or Attio's limits. The limits are
 * configured in HTTP calls and turned into activities by common/rate-limits.ts.
 */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { QueueActivities } from '../activities';
import type { Config } from '../common/config';
import { activityRateLimits } from '../common/rate-limits';
import { createDataConverter } from '../common/temporal-connection';
import { tracingPlugins } from '../common/tracing';
import { type TaskQueues, taskQueuesOf } from '../common/task-queues';
import { workflowsPath } from './workflows-path';

export interface CreateWorkersOptions {
  config: Config;
  connection: NativeConnection;
  activities: QueueActivities;
  /** A pre-built bundle (tests bundle once per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Overrides the task queue names (tests use unique ones; see taskQueuesFor). */
  taskQueues?: TaskQueues;
}

export async function createWorkers(options: CreateWorkersOptions): Promise<Worker[]> {
  const { config, connection, activities } = options;
  const queues = options.taskQueues ?? taskQueuesOf(config);
  const rateLimits = activityRateLimits(config.env);
  const common = {
    connection,
    namespace: config.env.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(config),
    shutdownGraceTime: '10s',
    plugins: tracingPlugins(),
  } satisfies Partial<WorkerOptions>;

  return Promise.all([
    Worker.create({
      ...common,
      taskQueue: queues.sync,
      activities: activities.sync,
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
      maxCachedWorkflows: config.env.WORKER_MAX_CACHED_WORKFLOWS,
    }),
    Worker.create({
      ...common,
      taskQueue: queues.asana,
      activities: activities.asana,
      maxTaskQueueActivitiesPerSecond: rateLimits.asana,
    }),
    Worker.create({
      ...common,
      taskQueue: queues.attio,
      activities: activities.attio,
      maxTaskQueueActivitiesPerSecond: rateLimits.attio,
    }),
  ]);
}

/** Runs workers until they shut down; `stop()` drains them (in-flight tasks finish within the grace time). */
export function runWorkers(workers: Worker[]): { done: Promise<void>; stop: () => Promise<void> } {
  const done = Promise.all(workers.map((worker) => worker.run())).then(() => undefined);
  return {
    done,
    stop: async () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
