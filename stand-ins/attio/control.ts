/**
 * The control API under `/__control/`: for tests, the demo and benchmarks, never part of Attio's API. No auth, not
 * rate-limited, not recorded. Documented in stand-ins/attio/README.md.
 */
import { z } from 'zod';
import type { StandInClock } from '../kit/clock';
import { FaultSpec, type FaultInjector } from '../kit/faults';
import type { RequestLog } from '../kit/request-log';
import type { RateLimits } from './rate-limit';
import type { AttioWorkspace } from './workspace';

export interface ControlDependencies {
  clock: StandInClock;
  requests: RequestLog;
  faults: FaultInjector;
  workspace: AttioWorkspace;
  rateLimits(): RateLimits;
  setRateLimits(limits: Partial<RateLimits>): RateLimits;
  reset(): void;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

const Advance = z.object({ ms: z.number().int().min(0) });
const Limits = z
  .object({ readsPerSecond: z.number().int().min(1), writesPerSecond: z.number().int().min(1) })
  .partial();

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<T extends z.ZodType>(schema: T, raw: string): z.infer<T> {
  let json: unknown;
  try {
    json = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw new ControlError(400, 'body is not JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new ControlError(400, z.prettifyError(result.error));
  return result.data;
}

export function createControlHandler(deps: ControlDependencies) {
  const clockState = () => ({ now: deps.clock.now(), nowIso: deps.clock.nowIso() });

  function dispatch(method: string, url: URL, raw: string): unknown {
    const path = url.pathname.replace(/^\/__control/, '').replace(/\/$/, '') || '/';
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /requests': {
        const methodFilter = url.searchParams.get('method')?.toUpperCase();
        const exact = url.searchParams.get('path');
        const prefix = url.searchParams.get('pathPrefix');
        const since = Number(url.searchParams.get('since') ?? 0);
        const requests = deps.requests.list().filter((r) => {
          const requestPath = r.url.split('?')[0] ?? '';
          return (
            (!methodFilter || r.method === methodFilter) &&
            (!exact || requestPath === exact) &&
            (!prefix || requestPath.startsWith(prefix)) &&
            r.seq > since
          );
        });
        return { requests };
      }
      case 'DELETE /requests': {
        const cleared = deps.requests.count();
        deps.requests.clear();
        return { cleared };
      }
      case 'POST /reset':
        deps.reset();
        return { ok: true };
      case 'GET /state':
        return deps.workspace.dump();
      case 'GET /faults':
        return { faults: deps.faults.list() };
      case 'POST /faults':
        return { fault: deps.faults.add(parse(FaultSpec, raw)) };
      case 'DELETE /faults': {
        const cleared = deps.faults.list().length;
        deps.faults.clear();
        return { cleared };
      }
      case 'GET /clock':
        return clockState();
      case 'POST /clock/advance':
        deps.clock.advance(parse(Advance, raw).ms);
        return clockState();
      case 'GET /rate-limit':
        return deps.rateLimits();
      case 'PUT /rate-limit':
        return deps.setRateLimits(parse(Limits, raw));
    }
    const records = /^\/records\/([^/]+)$/.exec(path);
    if (method === 'GET' && records) return { records: deps.workspace.plainRecords(decodeURIComponent(records[1]!)) };
    const entries = /^\/entries\/([^/]+)$/.exec(path);
    if (method === 'GET' && entries) return { entries: deps.workspace.plainEntries(decodeURIComponent(entries[1]!)) };
    throw new ControlError(404, `no control endpoint ${key}; see stand-ins/attio/README.md`);
  }

  return (method: string, url: URL, raw: string): ControlResponse => {
    try {
      return { status: 200, body: dispatch(method, url, raw) };
    } catch (error) {
      if (error instanceof ControlError) return { status: error.status, body: { error: error.message } };
      // An unknown object or list in /records/… or /entries/… (AttioApiError) and anything else.
      const status = (error as { status?: number }).status ?? 500;
      return { status, body: { error: error instanceof Error ? error.message : String(error) } };
    }
  };
}
