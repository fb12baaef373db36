/**
 * Task queue names, named once. Workflows run on `sync`; Asana reads and Attio writes run on their own queues so
 * that a server-side rate limit (`maxTaskQueueActivitiesPerSecond`) holds across every worker polling them.
 */
export const TASK_QUEUES = {
  /** Workflow tasks of every workflow. */
  sync: 'asana-attio-sync',
  /** Activities that call Asana. */
  asana: 'asana-attio-sync.asana',
  /** Activities that call Attio. */
  attio: 'asana-attio-sync.attio',
} as const;

export type TaskQueueName = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];

/** A set of task queue names (tests substitute unique ones). */
export type TaskQueues = Record<keyof typeof TASK_QUEUES, string>;
