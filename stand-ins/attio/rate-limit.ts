/**
 * Attio's rate limits: 100 reads and 25 writes per second "across the whole API", answered with 429 and a
 * `Retry-After` HTTP date, "usually the following second" (https://docs.attio.com/rest-api/guides/rate-limiting;
 * docs/attio.md §6). Modelled as fixed one-second windows of the stand-in clock, so the announced date is the
 * start of the next window: a client that waits until then always gets through.
 *
 * What counts as a read: GET, and the POST query and search endpoints (they only read; Attio limits them by a score on
 * top, which the stand-in does not model). Everything else is a write.
 */
export type RequestKind = 'read' | 'write';

export interface RateLimits {
  /** @default 100 */
  readsPerSecond: number;
  /** @default 25 */
  writesPerSecond: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { readsPerSecond: 100, writesPerSecond: 25 };

export function requestKind(method: string, path: string): RequestKind {
  if (method === 'GET' || method === 'HEAD') return 'read';
  if (method === 'POST' && (/\/(records|entries)\/query$/.test(path) || path === '/v2/objects/records/search')) {
    return 'read';
  }
  return 'write';
}

export class RateLimiter {
  private window = -1;
  private readonly used: Record<RequestKind, number> = { read: 0, write: 0 };

  constructor(public limits: RateLimits) {}

  /** Counts a request; returns undefined when it may proceed, or the ms timestamp at which the limit resets. */
  take(kind: RequestKind, nowMs: number): number | undefined {
    const window = Math.floor(nowMs / 1000);
    if (window !== this.window) {
      this.window = window;
      this.used.read = 0;
      this.used.write = 0;
    }
    const limit = kind === 'read' ? this.limits.readsPerSecond : this.limits.writesPerSecond;
    if (this.used[kind] >= limit) return (window + 1) * 1000;
    this.used[kind] += 1;
    return undefined;
  }

  reset(): void {
    this.window = -1;
  }
}
