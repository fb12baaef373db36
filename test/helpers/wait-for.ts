/** Polls `check` until it holds: tests await conditions, never a fixed sleep. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  { timeoutMs = 30_000, intervalMs = 25, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
