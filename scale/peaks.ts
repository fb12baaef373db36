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
