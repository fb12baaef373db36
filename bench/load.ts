/**
 * The load generator, a process of its own (docs/decisions/0017-bench-autocannon-load-generator.md): autocannon
 * against one URL on 127.0.0.1, bounded by a request count (`amount`) and a timeout, then one JSON line on stdout.
 *
 * Bodies are 1-event Asana deliveries signed with the given secret, one task gid per request: `fresh` gids count up
 * from `firstGid` (every delivery starts a new sync workflow), `cycle` gids go round `tasks` gids (the same tasks change
 * again, as in a live workspace). With `recordSends`, the line also carries when each gid was sent (epoch ms,
 * sub-millisecond), which the freshness phase matches with the writes its worker saw.
 *
 *   node --import tsx bench/load.ts '<LoadSpec as JSON>'
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { signDelivery } from '../asana/webhook-signature';

export interface LoadSpec {
  url: string;
  secret: string;
  /** Open connections; with `overallRate`, autocannon splits the rate among them. */
  connections: number;
  /** Requests per second over all connections; unset: as fast as the server answers (closed loop). */
  overallRate?: number;
  /** Requests to send in all; the run ends after them (the parent kills a run past `maxSeconds` + 30 s). */
  amount?: number;
  /** Without `amount`, the run's length; with it, the bound the parent enforces. */
  maxSeconds: number;
  /** Per-request timeout (a timeout counts as an error). */
  timeoutSeconds: number;
  gids: { mode: 'fresh'; firstGid: number } | { mode: 'cycle'; firstGid: number; tasks: number };
  recordSends?: boolean;
}

export interface LoadResult {
  requests: number;
  durationSeconds: number;
  /** Answers per second over the run (2xx or not). */
  achievedPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** [gid, sent at (epoch ms)] per request, with `recordSends`. */
  sends?: [string, number][];
}

export function loadBody(gid: string): string {
  return JSON.stringify({
    events: [
      {
        action: 'changed',
        created_at: new Date().toISOString(),
        resource: { gid, resource_type: 'task' },
        parent: null,
        user: { gid: '1200000000000009', resource_type: 'user' },
      },
    ],
  });
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let sent = 0;
  const sends: [string, number][] = [];
  const nextGid = (): string => {
    const n = spec.gids.mode === 'fresh' ? sent : sent % spec.gids.tasks;
    sent += 1;
    return String(spec.gids.firstGid + n);
  };
  const instance = autocannon({
    url: spec.url,
    method: 'POST',
    connections: spec.connections,
    overallRate: spec.overallRate,
    amount: spec.amount,
    duration: spec.maxSeconds,
    timeout: spec.timeoutSeconds,
    requests: [
      {
        method: 'POST',
        // Called just before a request is written, so the time taken here is its send time.
        setupRequest: (request) => {
          const gid = nextGid();
          const body = loadBody(gid);
          if (spec.recordSends) sends.push([gid, performance.timeOrigin + performance.now()]);
          return {
            ...request,
            body,
            headers: {
              'content-type': 'application/json',
              'x-hook-signature': signDelivery(body, spec.secret),
            },
          };
        },
      },
    ],
  });
  const result = await instance;
  return {
    requests: result.requests.total,
    durationSeconds: result.duration,
    achievedPerSecond: Math.round((result.requests.total / result.duration) * 10) / 10,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: Math.round(result.latency.mean * 10) / 10,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    ...(spec.recordSends ? { sends } : {}),
  };
}

if (require.main === module) {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  runLoad(spec).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
