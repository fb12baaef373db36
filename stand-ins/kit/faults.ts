/**
 * Faults injected through a stand-in's control API: answer with a status (429, 5xx), answer slowly, or never answer
 * (a timeout as the client sees it). A fault matches by method and path prefix and applies to the next `count`
 * matching requests (or until cleared when `count` is omitted), or to a random share of them (`probability`).
 */
import { z } from 'zod';

export const FaultSpec = z.object({
  method: z.string().toUpperCase().optional(),
  /** Matches requests whose path starts with this (e.g. `/api/1.0/tasks`). @default every path */
  pathPrefix: z.string().optional(),
  /** Respond with this status and the API's error body for it. */
  status: z.number().int().min(400).max(599).optional(),
  /** With status 429: the Retry-After to announce, in seconds. */
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** Delay the response (the real handler still runs) by this many real milliseconds. */
  delayMs: z.number().int().min(0).optional(),
  /** Never answer; the connection stays open until the client gives up or the stand-in closes. */
  hang: z.boolean().optional(),
  /** How many matching requests the fault applies to. @default unlimited */
  count: z.number().int().min(1).optional(),
  /** The share of matching requests it applies to (0–1), drawn at random per request. @default 1 (every one) */
  probability: z.number().min(0).max(1).optional(),
});
export type FaultSpec = z.infer<typeof FaultSpec>;

export interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  /** @param random the draw for `probability` (seeded in tests). */
  constructor(private readonly random: () => number = Math.random) {}

  add(spec: FaultSpec): ActiveFault {
    const fault = { ...FaultSpec.parse(spec), id: this.nextId++, remaining: spec.count ?? Number.POSITIVE_INFINITY };
    this.faults.push(fault);
    return fault;
  }

  /** The first fault matching the request, consuming one of its uses. */
  take(method: string, path: string): ActiveFault | undefined {
    const fault = this.faults.find(
      (f) =>
        (!f.method || f.method === method.toUpperCase()) &&
        (!f.pathPrefix || path.startsWith(f.pathPrefix)) &&
        (f.probability === undefined || this.random() < f.probability),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  list(): ActiveFault[] {
    return [...this.faults];
  }

  clear(): void {
    this.faults = [];
  }
}
