/**
 * The figure a rate limit is judged by: the most requests a stand-in saw in any one-second window [t, t + 1 s),
 * from the times in its request log.
 */

/** The highest number of `timesMs` that fall into one window of `windowMs`, and where that window starts. */
export function busiestWindow(timesMs: number[], windowMs = 1000): { count: number; startMs: number | null } {
  const times = [...timesMs].sort((a, b) => a - b);
  let best = { count: 0, startMs: null as number | null };
  for (let from = 0, to = 0; to < times.length; to++) {
    while (times[to]! - times[from]! >= windowMs) from++;
    if (to - from + 1 > best.count) best = { count: to - from + 1, startMs: times[from]! };
  }
  return best;
}

/** A time this process's event loop ran nothing else: requests that arrived meanwhile were logged when it ended. */
export interface Stall {
  /** When the loop ran again (ms since the epoch). */
  endMs: number;
  /** How much later than due it ran. */
  ms: number;
}

/**
 * Watches this process's event loop for stalls of at least `thresholdMs`. The stand-ins run in the scale harness's
 * process and stamp each request when their handler runs, so a stall there (a comparison, a garbage collection)
 * would pile the requests that arrived during it into one second of the log: the peak figures are only as good as
 * this watch says.
 */
export function watchStalls(thresholdMs = 250, tickMs = 50): { stalls: Stall[]; stop: () => void } {
  const stalls: Stall[] = [];
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const late = now - last - tickMs;
    if (late >= thresholdMs) stalls.push({ endMs: now, ms: late });
    last = now;
  }, tickMs);
  timer.unref();
  return { stalls, stop: () => clearInterval(timer) };
}

/** The stalls that ended inside the window [startMs, startMs + windowMs): what could have crowded it. */
export const stallsEndingIn = (stalls: Stall[], startMs: number | null, windowMs = 1000): Stall[] =>
  startMs === null ? [] : stalls.filter((s) => s.endMs >= startMs && s.endMs < startMs + windowMs);
