import { busiestWindow, stallsEndingIn, watchStalls } from '../../scale/peaks';

describe('busiestWindow', () => {
  test('counts the requests of the busiest one-second window, wherever it starts', () => {
    // 3 requests at 0.0–0.2 s, 4 at 1.5–1.95 s, one at 2.6 s (1.1 s after 1.5 s, so in no window with them).
    const times = [0, 100, 200, 1500, 1700, 1900, 1950, 2600];
    expect(busiestWindow(times)).toEqual({ count: 4, startMs: 1500 });
  });

  test('a window is half-open: a request exactly one second later starts the next window', () => {
    expect(busiestWindow([0, 500, 1000]).count).toBe(2);
    expect(busiestWindow([0, 500, 999]).count).toBe(3);
  });

  test('straddles whole seconds, unlike counting per calendar second', () => {
    // Five in 0.6–0.99 s and five in 1.0–1.4 s: 5 per calendar second, 10 in one second.
    const times = [600, 700, 800, 900, 990, 1000, 1100, 1200, 1300, 1400];
    expect(busiestWindow(times).count).toBe(10);
  });

  test('is 0 without requests', () => {
    expect(busiestWindow([])).toEqual({ count: 0, startMs: null });
  });
});

describe('watchStalls', () => {
  test('records a time the event loop was blocked, and which window it could have crowded', async () => {
    const watch = watchStalls(250, 20);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const blockedFrom = Date.now();
    while (Date.now() - blockedFrom < 600); // the loop runs nothing else for 0.6 s
    await new Promise((resolve) => setTimeout(resolve, 60));
    watch.stop();
    // A busy machine may add short stalls of its own; the blocked 0.6 s is the one at least 500 ms long.
    const stall = watch.stalls.find((s) => s.ms >= 500);
    expect(stall).toBeDefined();
    const endedAt = stall!.endMs;
    expect(stallsEndingIn([stall!], endedAt - 500)).toEqual([stall]);
    expect(stallsEndingIn([stall!], endedAt + 1000)).toEqual([]);
    expect(stallsEndingIn(watch.stalls, null)).toEqual([]);
  });
});
