/**
 * The call budgets hold with Temporal's task-queue limiter as the server implements it: a GCRA limiter whose burst is
 * one second of rate (`simpleLimiter.consume` in go.temporal.io/server service/matching/matcher_data.go, v1.32.2),
 * modelled here tick by tick, with each activity making its queue's calls.
 */
import {
  activityRateLimits,
  budgetSustaining,
  CALLS_PER_ACTIVITY,
  SERVER_BURST_SECONDS,
  worstCallsInOneSecond,
} from '../../common/rate-limits';

/** Start times (ms) of `tasks` backlogged activities under the server's limiter at `rate`/s, the queue idle before. */
function dispatchTimes(rate: number, tasks: number): number[] {
  const interval = 1000 / rate;
  const burst = SERVER_BURST_SECONDS * 1000;
  let ready = -Infinity;
  const times: number[] = [];
  for (let now = 0; times.length < tasks; now += 1) {
    while (ready <= now && times.length < tasks) {
      times.push(now);
      ready = Math.max(now, ready + burst) - burst + interval;
    }
  }
  return times;
}

/**
 * The most calls in any one-second window [t, t + 1 s), each activity making `calls` calls `spacingMs` apart, its
 * first `delayMs(start)` after its dispatch (a busy worker sends late, then several at once).
 */
function worstWindow(starts: number[], calls: number, spacingMs: number, delayMs = (_start: number) => 0): number {
  const at = starts
    .flatMap((start) => Array.from({ length: calls }, (_, i) => start + delayMs(start) + i * spacingMs))
    .sort((a, b) => a - b);
  let worst = 0;
  for (let from = 0, to = 0; to < at.length; to++) {
    while (at[to]! - at[from]! >= 1000) from++;
    worst = Math.max(worst, to - from + 1);
  }
  return worst;
}

describe('activityRateLimits', () => {
  test.each([
    [20, 20],
    [25, 12],
    [10, 5],
    [150 / 60, 3],
  ])(
    'keeps Asana at %d requests and Attio at %d writes in any one second, the burst after an idle queue included',
    (asanaBudget, attioBudget) => {
      const limits = activityRateLimits({
        ASANA_MAX_REQUESTS_PER_SECOND: asanaBudget,
        ATTIO_MAX_WRITES_PER_SECOND: attioBudget,
      });
      const asanaStarts = dispatchTimes(limits.asana, 200);
      const attioStarts = dispatchTimes(limits.attio, 200);
      expect(worstWindow(asanaStarts, CALLS_PER_ACTIVITY.asana, 0)).toBeLessThanOrEqual(asanaBudget);
      expect(worstWindow(attioStarts, CALLS_PER_ACTIVITY.attio, 30)).toBeLessThanOrEqual(attioBudget);
      expect(worstCallsInOneSecond('attio', limits.attio)).toBeLessThanOrEqual(attioBudget);
    },
  );

  test('holds when a busy worker sends its calls up to half a second late, several at once', () => {
    const limits = activityRateLimits({ ASANA_MAX_REQUESTS_PER_SECOND: 20, ATTIO_MAX_WRITES_PER_SECOND: 20 });
    // The workers stall for the first half second: everything started meanwhile is sent together at 500 ms.
    const late = (start: number) => Math.max(0, 500 - start);
    expect(worstWindow(dispatchTimes(limits.asana, 200), 1, 0, late)).toBeLessThanOrEqual(20);
    expect(worstWindow(dispatchTimes(limits.attio, 200), 2, 30, late)).toBeLessThanOrEqual(20);
  });

  test('a limit set in activities, as before, lets a burst of two-write activities send four times the budget', () => {
    const budget = 20;
    const starts = dispatchTimes(budget, 200);
    expect(worstWindow(starts, 2, 30)).toBeGreaterThanOrEqual(4 * budget - 2);
  });

  test('costs throughput only as the burst and the delay need: a backlog runs at about 40 % of the budget', () => {
    const limits = activityRateLimits({ ASANA_MAX_REQUESTS_PER_SECOND: 20, ATTIO_MAX_WRITES_PER_SECOND: 20 });
    expect(limits).toEqual({ asana: 7.6, attio: 3.6 });
    const starts = dispatchTimes(limits.attio, 100);
    // After the first second's burst, one activity per interval: 3.6 per second, 7.2 writes.
    const steady = starts.filter((t) => t >= 2000 && t < 12_000).length;
    expect(steady).toBe(36);
  });
});

describe('budgetSustaining', () => {
  test('is the budget whose backlog, after the first second, makes that many calls a second', () => {
    const budget = budgetSustaining('attio', 100);
    const rate = activityRateLimits({ ASANA_MAX_REQUESTS_PER_SECOND: 20, ATTIO_MAX_WRITES_PER_SECOND: budget }).attio;
    const starts = dispatchTimes(rate, 2000);
    const steadyCalls = starts.filter((t) => t >= 2000 && t < 12_000).length * CALLS_PER_ACTIVITY.attio;
    expect(steadyCalls / 10).toBeCloseTo(100, -1);
    expect(budgetSustaining('asana', 7.6)).toBeCloseTo(20);
  });
});
