/**
 * The stand-ins' controllable clock. It follows real time, plus an offset that tests and the demo move forward
 * (`advance`), so "24 h of failed deliveries" or "an access token 3600 s old" take milliseconds to reach.
 * Timers scheduled on it fire when real time reaches them or when `advance` jumps past them, in due order.
 */
interface Timer {
  id: number;
  at: number;
  run: () => void;
  handle: NodeJS.Timeout;
}

export class StandInClock {
  private offsetMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  /** Milliseconds since the epoch, as the stand-in sees it. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Moves the clock forward and runs, in order, every timer that became due. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
    this.runDue();
  }

  /** Runs `run` once at stand-in time `at` (ms since epoch). Returns a cancel function. */
  at(at: number, run: () => void): () => void {
    const id = this.nextId++;
    const handle = setTimeout(() => this.fire(id), Math.max(0, Math.min(at - this.now(), 2 ** 31 - 1)));
    handle.unref();
    this.timers.set(id, { id, at, run, handle });
    return () => this.cancel(id);
  }

  /** Runs `run` once after `ms` of stand-in time. */
  after(ms: number, run: () => void): () => void {
    return this.at(this.now() + ms, run);
  }

  /** Cancels every pending timer (on close). */
  clear(): void {
    for (const id of [...this.timers.keys()]) this.cancel(id);
  }

  private cancel(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    clearTimeout(timer.handle);
    this.timers.delete(id);
  }

  private fire(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    if (timer.at > this.now()) {
      // Real time reached a timer that was set for a long delay in chunks; wait the rest.
      clearTimeout(timer.handle);
      timer.handle = setTimeout(() => this.fire(id), Math.min(timer.at - this.now(), 2 ** 31 - 1));
      timer.handle.unref();
      return;
    }
    this.cancel(id);
    timer.run();
  }

  private runDue(): void {
    const due = [...this.timers.values()].filter((t) => t.at <= this.now()).sort((a, b) => a.at - b.at || a.id - b.id);
    for (const timer of due) this.fire(timer.id);
  }
}
