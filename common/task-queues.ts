/**
 * Task queue names, named once. Workflows run on `sync`; Asana reads and Attio writes run on their own queues so
 * that a server-side rate limit (`maxTaskQueueActivitiesPerSecond`) holds across every worker polling them.
 *
 * The activity queues are named after the workflow queue (`<sync>.asana`, `<sync>.attio`), so a workflow finds them
 * from its own task queue (workflows/activity-queues.ts) and tests can run a whole set under a unique base name.
 */
export interface TaskQueues {
  /** Workflow tasks of every workflow. */
  sync: string;
  /** Activities that call Asana. */
  asana: string;
  /** Activities that call Attio. */
  attio: string;
}

export const taskQueuesFor = (base: string): TaskQueues => ({
  sync: base,
  asana: `${base}.asana`,
  attio: `${base}.attio`,
});

export const TASK_QUEUES: TaskQueues = taskQueuesFor('asana-attio-sync');

/** The task queues a configuration uses (TEMPORAL_TASK_QUEUE). */
export const taskQueuesOf = (config: { env: { TEMPORAL_TASK_QUEUE: string } }): TaskQueues =>
  taskQueuesFor(config.env.TEMPORAL_TASK_QUEUE);
