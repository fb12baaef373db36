/**
 * The call budgets of Asana and Attio, turned into the task-queue rate limits Temporal enforces across every worker
 * (docs/decisions/0016-scale-rate-limits-in-calls.md).
 *
 * ASANA_MAX_REQUESTS_PER_SECOND and ATTIO_MAX_WRITES_PER_SECOND count HTTP calls in any one-second window, the way
 * Attio counts (docs/attio.md §6: 25 writes per second). Temporal's limit (`maxTaskQueueActivitiesPerSecond`) counts
 * activities started, and its matching service lets a queue that was idle start one second's worth at once on top of
 * the rate (`defaultBurstDuration` in go.temporal.io/server service/matching/ratelimit_manager.go, v1.32.2), plus
 * the one its GCRA limiter starts when the ready time equals now (`simpleLimiter.consume`, matcher_data.go). So the
 * worst one-second window holds (1 + burst) × rate + 1 activities, each making up to its queue's calls per activity,
 * and more when calls land later than their dispatch (CALL_DELAY_ALLOWANCE_SECONDS).
 */

/** Seconds of rate the Temporal server lets an idle task queue start at once (its burst). */
export const SERVER_BURST_SECONDS = 1;

/**
 * How much later than its dispatch an activity's calls may land: a busy worker (a full event loop, a garbage
 * collection) holds activities it has started and then sends their calls together. `npm run scale` measured one-second
 * peaks 20 % over a budget that left no room for this (bench/results/scale.md).
 */
export const CALL_DELAY_ALLOWANCE_SECONDS = 0.5;

/**
 * HTTP calls one activity of each queue makes at most, in the common case. Asana: every sync, backfill and watch
 * activity is one request (a resource, a page, a webhook, one Events API page: the watch workflow reads the stream a
 * page per activity); set-up activities that list a collection (stage sections, stale webhooks before a
 * registration, the webhook inventory) page on their own, once per set-up or operator command. Attio: writes (reads
 * are limited separately, at 100/s): a new task is two (its record, its Sales Task entry), a deletion two (the
 * tombstone, its note), an update one. A new stage or select option adds a write now and then; the headroom under
 * Attio's own limit and its Retry-After take those.
 */
export const CALLS_PER_ACTIVITY = { asana: 1, attio: 2 } as const;

export interface CallBudgets {
  ASANA_MAX_REQUESTS_PER_SECOND: number;
  ATTIO_MAX_WRITES_PER_SECOND: number;
}

/** The dispatches one one-second window of calls can come from: the window, the burst, the calls' delay. */
const WINDOW_SECONDS = 1 + SERVER_BURST_SECONDS + CALL_DELAY_ALLOWANCE_SECONDS;

/** Activities per second for each activity queue, so that calls in any one-second window stay within the budget. */
export function activityRateLimits(budgets: CallBudgets): { asana: number; attio: number } {
  const rateFor = (budget: number, calls: number) => Math.max(budget / calls - 1, 0) / WINDOW_SECONDS;
  return {
    asana: rateFor(budgets.ASANA_MAX_REQUESTS_PER_SECOND, CALLS_PER_ACTIVITY.asana),
    attio: rateFor(budgets.ATTIO_MAX_WRITES_PER_SECOND, CALLS_PER_ACTIVITY.attio),
  };
}

/** The most calls a queue limited to `activitiesPerSecond` can make in one second (the bound the limits keep). */
export const worstCallsInOneSecond = (queue: keyof typeof CALLS_PER_ACTIVITY, activitiesPerSecond: number): number =>
  (activitiesPerSecond * WINDOW_SECONDS + 1) * CALLS_PER_ACTIVITY[queue];

/** The smallest budget that leaves a queue any rate at all: more than one activity's calls. */
export const smallestBudget = (queue: keyof typeof CALLS_PER_ACTIVITY): number => CALLS_PER_ACTIVITY[queue] + 1;

/**
 * The budget whose queue rate, burst aside, makes `callsPerSecond` calls a second: the inverse of activityRateLimits.
 * Above the API's own limit, its 429s and their Retry-After are what limit a sustained backlog (bench/backfill.ts).
 */
export const budgetSustaining = (queue: keyof typeof CALLS_PER_ACTIVITY, callsPerSecond: number): number =>
  ((callsPerSecond / CALLS_PER_ACTIVITY[queue]) * WINDOW_SECONDS + 1) * CALLS_PER_ACTIVITY[queue];
