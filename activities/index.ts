/**
 * The activities of each task queue, each built by its own factory over its dependencies, so workflows import only
 * their types and undici/pino never enter the workflow bundle (temporalio/samples-typescript
 * `worker-specific-task-queues`):
 *
 * - `asana` queue: createAsanaActivities (activities/asana.ts), under Asana's requests-per-minute budget;
 * - `attio` queue: createAttioActivities (activities/attio.ts), under Attio's writes-per-second budget;
 * - the workflow queue itself: createTemporalActivities (activities/temporal.ts) and createAlertActivities
 *   (activities/alerts.ts), which spend neither.
 *
 * workers/create-workers.ts registers each factory's activities on its queue only, and workflows/activity-queues.ts
 * types each queue's proxy with that factory's return type, so an activity called on the wrong queue does not compile.
 */
import { type AlertActivityDependencies, createAlertActivities } from './alerts';
import { type AsanaActivityDependencies, createAsanaActivities } from './asana';
import { type AsanaConnectionActivityDependencies, createAsanaConnectionActivities } from './asana-connection';
import { type AttioActivityDependencies, createAttioActivities } from './attio';
import { createTemporalActivities, type TemporalActivityDependencies } from './temporal';

export type AsanaActivities = ReturnType<typeof createAsanaActivities>;
export type AttioActivities = ReturnType<typeof createAttioActivities>;
export type TemporalActivities = ReturnType<typeof createTemporalActivities> &
  ReturnType<typeof createAsanaConnectionActivities>;
export type AlertActivities = ReturnType<typeof createAlertActivities>;

/** The activities each task queue's worker registers, by queue (common/task-queues.ts). */
export interface QueueActivities {
  sync: TemporalActivities & AlertActivities;
  asana: AsanaActivities;
  attio: AttioActivities;
}

export type ActivityDependencies = AsanaActivityDependencies &
  AttioActivityDependencies &
  TemporalActivityDependencies &
  AlertActivityDependencies &
  AsanaConnectionActivityDependencies;

export const createQueueActivities = (deps: ActivityDependencies): QueueActivities => ({
  sync: { ...createTemporalActivities(deps), ...createAsanaConnectionActivities(deps), ...createAlertActivities(deps) },
  asana: createAsanaActivities(deps),
  attio: createAttioActivities(deps),
});
