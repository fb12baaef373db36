/**
 * `npm run scale`: the docker-compose.yml topology run for real, without Docker, and a scale test on it (issue 13).
 *
 *   PostgreSQL + the official Temporal server   scale/temporal-on-postgres.ts (deploy/temporal/*, as Compose runs it)
 *   3 workers, 2 receivers                      separate processes (`npm run worker`, `npm run receiver`)
 *   a load balancer                             in front of the receivers (scale/load-balancer.ts)
 *   the Asana and Attio stand-ins               in this process, so it reads their request logs and stores
 *
 * It provisions Attio, watches and backfills a project of 1,000 tasks, makes 5,000 changes in Asana through both
 * receivers, SIGKILLs one worker mid-run and starts it again, waits until Attio equals Asana (the chaos checker,
 * chaos/compare.ts), and writes bench/results/scale.{json,md}: deliveries accepted per second, differences and
 * acknowledged-but-lost (both must be 0), and the most Asana requests and Attio writes the stand-ins saw in any one
 * second against the configured budgets (docs/decisions/0016-scale-rate-limits-in-calls.md). Every process is
 * stopped on exit, Ctrl-C and failure. Bounded in count and time, loopback only.
 *
 *   npm run scale                               full size; writes bench/results/scale.{json,md}
 *   npm run scale -- --changes 500 --tasks 100  smaller; writes nothing unless --write
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { makeChanges } from '../chaos/changes';
import { type Comparison, compareAttioWithAsana } from '../chaos/compare';
import { ChaosStack, type Service, waitUntil } from '../chaos/stack';
import { provisionAttioNow } from '../client/operations';
import { freePort } from '../common/ports';
import { activityRateLimits } from '../common/rate-limits';
import type { RecordedRequest } from '../stand-ins/kit/request-log';
import { requestKind } from '../stand-ins/attio/rate-limit';
import { startLoadBalancer, type LoadBalancer } from './load-balancer';
import { busiestWindow, stallsEndingIn, watchStalls } from './peaks';
import { SCALE_TOPOLOGY } from './topology';
import { startTemporalOnPostgres, type TemporalOnPostgres } from './temporal-on-postgres';

const ROOT = resolve(__dirname, '..');

const { values: args } = parseArgs({
  options: {
    changes: { type: 'string', default: '5000' },
    tasks: { type: 'string', default: '1000' },
    'spread-ms': { type: 'string' },
    write: { type: 'boolean' },
    'converge-timeout-ms': { type: 'string', default: '900000' },
  },
});
const CHANGES = Number(args.changes);
const TASKS = Number(args.tasks);
// 25 changes a second on one webhook: at 50 a second, Asana's batches (everything queued while one delivery is in
// flight) outgrew what one delivery can record within RECEIVER_ACK_TIMEOUT_MS on this machine (bench/results/scale.md).
const SPREAD_MS = Number(args['spread-ms'] ?? CHANGES * 40);
const WORKERS = Array.from({ length: SCALE_TOPOLOGY.workers }, (_, i) => `worker-${i + 1}`);
const RECEIVERS = SCALE_TOPOLOGY.receivers;
/** The budgets under test: the defaults of common/config.ts, as a deployment runs them. */
const BUDGETS = { ASANA_MAX_REQUESTS_PER_SECOND: 20, ATTIO_MAX_WRITES_PER_SECOND: 20 };
const WRITE = args.write ?? (CHANGES === 5000 && TASKS === 1000);
/** How long Attio must see no write before the checker compares it with Asana. */
const QUIET_BEFORE_COMPARING_MS = 15_000;

const started = Date.now();
const say = (message: string) =>
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] scale: ${message}\n`);

interface Topology {
  temporal?: TemporalOnPostgres;
  stack?: ChaosStack;
  receivers: Service[];
  balancer?: LoadBalancer;
}
const topology: Topology = { receivers: [] };

/** Everything stopped, in order: traffic first, then the service, then Temporal and PostgreSQL. */
async function tearDown(): Promise<void> {
  const { stack, receivers, balancer, temporal } = topology;
  topology.stack = undefined;
  topology.temporal = undefined;
  topology.balancer = undefined;
  await balancer?.close().catch(() => undefined);
  for (const receiver of receivers.splice(0)) {
    receiver.child.kill('SIGKILL');
    await receiver.exited;
  }
  await stack?.close().catch(() => undefined);
  await temporal?.stop().catch(() => undefined);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    say(`${signal}: stopping every process`);
    void tearDown().finally(() => process.exit(130));
  });
}

async function startReceivers(stack: ChaosStack): Promise<LoadBalancer> {
  const ports: number[] = [];
  for (let i = 1; i <= RECEIVERS; i++) {
    const port = await freePort();
    const receiver = stack.spawnService(`receiver-${i}`, 'receiver/main.ts', stack.receiverProxy.address, {
      RECEIVER_PORT: String(port),
    });
    topology.receivers.push(receiver);
    await waitUntil(
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200,
      60_000,
      `receiver-${i} to listen`,
      receiver.exited,
    );
    ports.push(port);
  }
  return startLoadBalancer(stack.receiverPort, ports);
}

const ms = (from: string) => Date.parse(from);

/** When things happened, to say in which phase a busy second fell. */
const marks: [string, number][] = [];
const phaseOf = (atMs: number | null): string => {
  if (atMs === null) return 'none';
  const last = marks.filter(([, t]) => t <= atMs).at(-1);
  return last ? `${((atMs - last[1]) / 1000).toFixed(1)} s after ${last[0]}` : 'before provisioning';
};

function peaks(requests: RecordedRequest[], excluded: [number, number][]) {
  const outside = (r: RecordedRequest) => !excluded.some(([from, to]) => r.seq >= from && r.seq <= to);
  return busiestWindow(requests.filter(outside).map((r) => ms(r.at)));
}

async function main(): Promise<void> {
  const dir = resolve(ROOT, '.scale', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  const stallWatch = watchStalls();
  say(`${TASKS} tasks, ${CHANGES} changes over ${SPREAD_MS / 1000} s; logs and data in ${dir}`);
  topology.temporal = await startTemporalOnPostgres(dir, say);
  const temporal = topology.temporal;
  const stack = await ChaosStack.start({
    name: 'scale',
    dir,
    temporal,
    tasks: TASKS,
    firstGid: 1_500_000_000_000_000n + BigInt(Date.now() % 1_000_000) * 1_000_000_000n,
    health: { intervalMs: 30_000 },
    initialRetryMs: 1_000,
    env: {
      ASANA_MAX_REQUESTS_PER_SECOND: String(BUDGETS.ASANA_MAX_REQUESTS_PER_SECOND),
      ATTIO_MAX_WRITES_PER_SECOND: String(BUDGETS.ATTIO_MAX_WRITES_PER_SECOND),
      SYNC_IDLE_TIMEOUT_MS: '60000',
    },
  });
  topology.stack = stack;
  await Promise.all(WORKERS.map((name) => stack.startWorker(name)));
  topology.balancer = await startReceivers(stack);
  const balancer = topology.balancer;
  say(`${WORKERS.length} workers and ${RECEIVERS} receivers running; load balancer at ${balancer.url}`);

  // The checker reads Asana through the API: its reads are left out of the Asana peak (seq ranges).
  const checkerReads: [number, number][] = [];
  const compare = async (): Promise<Comparison> => {
    const first = stack.asana.requests.list().at(-1)?.seq ?? 0;
    const comparison = await compareAttioWithAsana(stack);
    checkerReads.push([first + 1, stack.asana.requests.list().at(-1)?.seq ?? first]);
    return comparison;
  };

  // Provisioning first, on its own: it is one activity that creates the objects, attributes, list and stages (dozens
  // of writes, once per set-up), so its burst is reported apart from the sync's traffic. prepare() provisions again
  // (idempotent: reads only) and watches and backfills.
  const prepareStarted = Date.now();
  marks.push(['provisioning and backfill start', prepareStarted]);
  await provisionAttioNow(stack.client, stack.taskQueue);
  const afterProvisioning = stack.attio.requests.list().at(-1)?.seq ?? 0;
  await stack.prepare();
  const backfillMs = Date.now() - prepareStarted;
  say(`provisioned, watched and backfilled ${TASKS} tasks in ${(backfillMs / 1000).toFixed(0)} s`);

  const fromDelivery = stack.asana.webhooks.deliveries.length;
  const changesStarted = Date.now();
  marks.push(['changes start', changesStarted]);
  const work = makeChanges(stack, { changes: CHANGES, overMs: SPREAD_MS, seed: 13 });
  await Promise.race([sleep(SPREAD_MS * 0.4), work]);
  say('SIGKILL worker-2 mid-run');
  marks.push(['worker-2 killed', Date.now()]);
  await stack.killWorker('worker-2');
  await stack.startWorker('worker-2');
  marks.push(['worker-2 polling again', Date.now()]);
  say('worker-2 started again');
  await work;
  const changesMs = Date.now() - changesStarted;
  marks.push(['changes end', Date.now()]);
  const deliveries = stack.asana.webhooks.deliveries.slice(fromDelivery);
  const accepted = deliveries.filter((d) => d.status === 200);
  const deliverySpanMs = Math.max(1, ms(deliveries.at(-1)?.at ?? '') - ms(deliveries[0]?.at ?? '')) || changesMs;
  say(`${CHANGES} changes made in ${(changesMs / 1000).toFixed(0)} s; ${accepted.length} deliveries accepted`);

  // Converged: Attio equals Asana (the chaos checker). The checker reads all of Asana through the stand-in, in this
  // process, so it runs only once Attio has had no write for a while: run while the workers still write, it would
  // crowd their requests in the log (watchStalls).
  const drainStarted = Date.now();
  const convergeTimeoutMs = Number(args['converge-timeout-ms']);
  const draining = () => Date.now() - drainStarted < convergeTimeoutMs;
  const lastAttioWriteMs = () => {
    const requests = stack.attio.requests.list();
    for (let i = requests.length - 1; i >= 0; i--) {
      if (requestKind(requests[i]!.method, requests[i]!.url.split('?')[0]!) === 'write') return ms(requests[i]!.at);
    }
    return 0;
  };
  let comparison: Comparison;
  for (;;) {
    await sleep(10_000);
    while (draining() && Date.now() - lastAttioWriteMs() < QUIET_BEFORE_COMPARING_MS) await sleep(1_000);
    comparison = await compare();
    if (comparison.differences.length === 0 || !draining()) break;
    say(`${comparison.differences.length} differences while the queues drain`);
  }
  const convergeMs = Date.now() - drainStarted;
  stallWatch.stop();

  const asanaPeak = peaks(stack.asana.requests.list(), checkerReads);
  const inWindow = (r: RecordedRequest, startMs: number | null) =>
    startMs !== null && ms(r.at) >= startMs && ms(r.at) < startMs + 1000;
  const asanaPeakWindow = stack.asana.requests.list().filter((r) => inWindow(r, asanaPeak.startMs));
  const attioWrites = stack.attio.requests
    .list()
    .filter((r) => requestKind(r.method, r.url.split('?')[0]!) === 'write');
  const provisioningWrites = attioWrites.filter((r) => r.seq <= afterProvisioning);
  const syncWrites = attioWrites.filter((r) => r.seq > afterProvisioning);
  const attioPeak = peaks(syncWrites, []);
  const peakWindow = syncWrites.filter(
    (r) => attioPeak.startMs !== null && ms(r.at) >= attioPeak.startMs && ms(r.at) < attioPeak.startMs + 1000,
  );
  const allDeliveries = stack.asana.webhooks.deliveries.slice(fromDelivery);
  const figures = {
    tasks: TASKS,
    changes: CHANGES,
    workers: WORKERS.length,
    receivers: RECEIVERS,
    workerKilled: 'worker-2 (SIGKILL at 40 % of the changes, started again)',
    backfillSeconds: Math.round(backfillMs / 1000),
    changesSeconds: Math.round(changesMs / 1000),
    convergeSeconds: Math.round(convergeMs / 1000),
    deliveries: allDeliveries.length,
    deliveriesAccepted: allDeliveries.filter((d) => d.status === 200).length,
    deliveriesNotAccepted: allDeliveries.filter((d) => d.status !== 200).length,
    eventsAccepted: allDeliveries.filter((d) => d.status === 200).reduce((n, d) => n + d.events, 0),
    deliveriesPerSecondAccepted: Number((accepted.length / (deliverySpanMs / 1000)).toFixed(1)),
    eventsPerSecondAccepted: Number((accepted.reduce((n, d) => n + d.events, 0) / (deliverySpanMs / 1000)).toFixed(1)),
    requestsByReceiver: Object.values(balancer.answered()),
    differences: comparison.differences.length,
    acknowledgedButLost: comparison.acknowledgedButLost,
    asanaRequests: stack.asana.requests.list().length,
    asanaPeakPerSecond: asanaPeak.count,
    asanaBudgetPerSecond: BUDGETS.ASANA_MAX_REQUESTS_PER_SECOND,
    attioWrites: attioWrites.length,
    attioWritesAnswered429: attioWrites.filter((r) => r.status === 429).length,
    attioPeakWritesPerSecond: attioPeak.count,
    attioPeakWindow: pathsOf(peakWindow),
    attioPeakAt: phaseOf(attioPeak.startMs),
    asanaPeakWindow: pathsOf(asanaPeakWindow),
    asanaPeakAt: phaseOf(asanaPeak.startMs),
    attioProvisioningWrites: provisioningWrites.length,
    attioProvisioningPeakPerSecond: peaks(provisioningWrites, []).count,
    attioBudgetPerSecond: BUDGETS.ATTIO_MAX_WRITES_PER_SECOND,
    queueActivityRates: activityRateLimits(BUDGETS),
    harnessStalls: {
      count: stallWatch.stalls.length,
      longestMs: Math.max(0, ...stallWatch.stalls.map((stall) => stall.ms)),
      endingInAsanaPeakMs: stallsEndingIn(stallWatch.stalls, asanaPeak.startMs).map((stall) => stall.ms),
      endingInAttioPeakMs: stallsEndingIn(stallWatch.stalls, attioPeak.startMs).map((stall) => stall.ms),
    },
  };
  const failures = [
    ...(figures.differences > 0 ? [`${figures.differences} differences`] : []),
    ...(figures.acknowledgedButLost > 0 ? [`${figures.acknowledgedButLost} acknowledged but lost`] : []),
    ...(figures.asanaPeakPerSecond > figures.asanaBudgetPerSecond
      ? [
          `Asana saw ${figures.asanaPeakPerSecond} requests in one second, over the budget of ${figures.asanaBudgetPerSecond}`,
        ]
      : []),
    ...(figures.attioPeakWritesPerSecond > figures.attioBudgetPerSecond
      ? [
          `Attio saw ${figures.attioPeakWritesPerSecond} writes in one second, over the budget of ${figures.attioBudgetPerSecond}`,
        ]
      : []),
    ...(figures.requestsByReceiver.some((n) => n === 0) ? ['a receiver took no delivery'] : []),
  ];
  const report = {
    date: new Date().toISOString(),
    commit: commit(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    temporalServer: temporal.serverVersion,
    passed: failures.length === 0,
    failures,
    figures,
    sample: comparison.differences.slice(0, 5).map((d) => `${d.kind} ${d.gid}: ${d.what}`.slice(0, 300)),
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  const md = markdown(report);
  process.stdout.write(`\n${md}\n`);
  if (WRITE) {
    const out = resolve(ROOT, 'bench/results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'scale.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out, 'scale.md'), md);
    say('wrote bench/results/scale.{json,md}');
  }
  await tearDown();
  if (report.passed) rmSync(dir, { recursive: true, force: true });
  else say(`kept ${dir} (service, Temporal and PostgreSQL logs)`);
  process.exit(report.passed ? 0 : 1);
}

/** Requests by method and path with ids left out, most first: what a busy second was made of. */
function pathsOf(requests: RecordedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const path = r.url.split('?')[0]!.replace(/\/[0-9a-f-]{16,}|\/\d{6,}/g, '/{id}');
    const key = `${r.method} ${path} ${r.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function markdown(report: {
  date: string;
  commit: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number };
  temporalServer: string;
  passed: boolean;
  failures: string[];
  figures: Record<string, unknown> & {
    queueActivityRates: { asana: number; attio: number };
    harnessStalls: { count: number; longestMs: number; endingInAsanaPeakMs: number[]; endingInAttioPeakMs: number[] };
  };
  sample: string[];
  totalSeconds: number;
}): string {
  const f = report.figures;
  const row = (what: string, value: unknown, note = '') => `| ${what} | ${String(value)} | ${note} |`;
  return [
    `# Scale results${report.passed ? '' : ' (FAILED)'}`,
    '',
    `${report.date}, commit ${report.commit}, ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB. ` +
      `Written by \`npm run scale\` in ${report.totalSeconds} s: Temporal server ${report.temporalServer} on PostgreSQL, ` +
      `${String(f.workers)} workers and ${String(f.receivers)} receivers as separate processes, the stand-ins on loopback.`,
    '',
    '| figure | value | |',
    '|---|---|---|',
    row(
      'tasks, changes made in Asana',
      `${String(f.tasks)}, ${String(f.changes)}`,
      `changes over ${String(f.changesSeconds)} s`,
    ),
    row('worker killed', f.workerKilled),
    row('backfill of the project (provision, watch, backfill)', `${String(f.backfillSeconds)} s`),
    row(
      'deliveries accepted (200) / not',
      `${String(f.deliveriesAccepted)} / ${String(f.deliveriesNotAccepted)}`,
      `${String(f.eventsAccepted)} events`,
    ),
    row(
      'deliveries accepted per second',
      f.deliveriesPerSecondAccepted,
      `${String(f.eventsPerSecondAccepted)} events/s; Asana batches a burst into one delivery`,
    ),
    row('requests answered by each receiver', (f.requestsByReceiver as number[]).join(', ')),
    row(
      '**differences** (Attio vs Asana)',
      `**${String(f.differences)}**`,
      `after ${String(f.convergeSeconds)} s of draining`,
    ),
    row('**acknowledged-but-lost**', `**${String(f.acknowledgedButLost)}**`),
    row(
      '**most Asana requests in one second**',
      `**${String(f.asanaPeakPerSecond)}**`,
      `budget ${String(f.asanaBudgetPerSecond)} (ASANA_MAX_REQUESTS_PER_SECOND); ${String(f.asanaRequests)} requests in all; ${String(f.asanaPeakAt)}`,
    ),
    row(
      '**most Attio writes in one second**',
      `**${String(f.attioPeakWritesPerSecond)}**`,
      `budget ${String(f.attioBudgetPerSecond)} (ATTIO_MAX_WRITES_PER_SECOND); ${String(f.attioWrites)} writes, ${String(f.attioWritesAnswered429)} answered 429; ${String(f.attioPeakAt)}`,
    ),
    row(
      'Attio writes of provisioning (one activity, once per set-up)',
      f.attioProvisioningWrites,
      `most in one second: ${String(f.attioProvisioningPeakPerSecond)}; left out of the figure above`,
    ),
    row(
      'stalls of the stand-ins’ process (≥ 250 ms)',
      `${f.harnessStalls.count}, longest ${f.harnessStalls.longestMs} ms`,
      `ending in the Asana peak second: ${f.harnessStalls.endingInAsanaPeakMs.join(', ') || 'none'}; in the Attio peak second: ${f.harnessStalls.endingInAttioPeakMs.join(', ') || 'none'} (scale/peaks.ts watchStalls)`,
    ),
    row(
      'task-queue rates the workers set',
      `asana ${f.queueActivityRates.asana}/s, attio ${f.queueActivityRates.attio}/s`,
      'common/rate-limits.ts',
    ),
    '',
    ...report.failures.map((failure) => `- failed: ${failure}`),
    ...report.sample.map((line) => `  - ${line}`),
    '',
  ].join('\n');
}

main().catch(async (error: unknown) => {
  if (interrupted) return;
  process.stderr.write(`scale run failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  await tearDown();
  process.exit(1);
});
