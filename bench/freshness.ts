/**
 * Freshness (a change sent → its Attio write started), where its share beyond the quiet period goes (each step of
 * the sync's history, timed), and Temporal's billable actions per change. The worker runs the real workflows with
 * fake activities that only note when a write starts, so only the receiver's and Temporal's costs are measured.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { syncWorkflowId } from '../common/workflow-ids';
import type { MappedResource } from '../mapping/map-asana-to-attio';
import { asanaChangedSignal } from '../workflows/definitions';
import {
  type BoxLoad,
  log,
  type Percentiles,
  percentiles,
  round,
  runLoadProcess,
  sleep,
  type Targets,
  withBoxLoad,
} from './harness';

/** Activities that cost nothing: every fetch maps to new content, so every sync writes; a write notes its start. */
export class FakeActivities {
  readonly writesStarted = new Map<string, number[]>();
  private fetches = 0;

  readonly activities = {
    fetchAsanaResourceForAttio: async (ref: { gid: string }): Promise<MappedResource> => {
      this.fetches += 1;
      return { kind: 'task', gid: ref.gid, hash: `bench-${this.fetches}`, state: 'removed' };
    },
    writeAsanaResourceToAttio: async (input: { mapped: MappedResource }) => {
      const at = performance.timeOrigin + performance.now();
      const list = this.writesStarted.get(input.mapped.gid) ?? [];
      list.push(at);
      this.writesStarted.set(input.mapped.gid, list);
      return { hash: input.mapped.hash, writes: 1, summary: 'bench' };
    },
  };
}

export interface FreshnessResult {
  offeredPerSecond: number;
  seconds: number;
  tasks: number;
  quietPeriodMs: number;
  sent: number;
  /** Changes whose write was seen (within 60 s after the last was sent). */
  written: number;
  non2xx: number;
  errors: number;
  ackMs: { p50: number; p99: number };
  total: Percentiles;
  /** total − quiet period: the receiver's and Temporal's share (goals: p50 ≤ 100 ms, p99 ≤ 500 ms). */
  beyondQuiet: Percentiles;
  box: BoxLoad;
  trace: SyncTrace;
}

export interface FreshnessContext {
  client: Client;
  targets: Targets;
  secret: string;
  watchedGid: string;
  devServerPid: number;
  fakes: FakeActivities;
  takeGids(count: number): number;
}

export async function measureFreshness(
  context: FreshnessContext,
  options: { rate: number; seconds: number; tasks: number; quietPeriodMs: number },
): Promise<FreshnessResult> {
  const firstGid = context.takeGids(options.tasks);
  const { result, box } = await withBoxLoad({ temporal: context.devServerPid, targets: context.targets.pid }, () =>
    runLoadProcess({
      url: context.targets.url('receiver', context.watchedGid),
      secret: context.secret,
      connections: Math.max(1, Math.ceil(options.rate / 4)),
      overallRate: options.rate,
      amount: options.rate * options.seconds,
      maxSeconds: options.seconds * 3 + 10,
      timeoutSeconds: 10,
      gids: { mode: 'cycle', firstGid, tasks: options.tasks },
      recordSends: true,
    }),
  );
  const sends = result.sends ?? [];
  // A change is fresh in Attio once the first write that started after it was sent begins.
  const writeAfter = (gid: string, sentAt: number) => context.fakes.writesStarted.get(gid)?.find((w) => w >= sentAt);
  const deadline = Date.now() + 60_000;
  while (sends.some(([gid, at]) => writeAfter(gid, at) === undefined) && Date.now() < deadline) await sleep(200);
  const ages = sends.flatMap(([gid, at]) => {
    const written = writeAfter(gid, at);
    return written === undefined ? [] : [written - at];
  });
  const trace = await traceSyncs(context.client, sends, options.quietPeriodMs);
  return {
    offeredPerSecond: options.rate,
    seconds: options.seconds,
    tasks: options.tasks,
    quietPeriodMs: options.quietPeriodMs,
    sent: sends.length,
    written: ages.length,
    non2xx: result.non2xx,
    errors: result.errors,
    ackMs: { p50: result.latencyMs.p50, p99: result.latencyMs.p99 },
    total: percentiles(ages),
    beyondQuiet: percentiles(ages.map((age) => age - options.quietPeriodMs)),
    box,
    trace,
  };
}

/** One step of a sync, from one history event to the next: its median and p90 over the traced syncs. */
export interface TraceStep {
  step: string;
  from: string;
  to: string;
  p50Ms: number;
  p90Ms: number;
}

export interface SyncTrace {
  /** Syncs traced (up to 50 tasks changed once, spread over the run), from the delivery sent to the write started. */
  syncs: number;
  steps: TraceStep[];
  /** The sum of the steps' medians beyond the quiet period, next to the measured median. */
  beyondQuietP50Ms: number;
  /** One sync's events, ms after its delivery was sent: the example in the results. */
  example: { event: string; atMs: number }[];
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const eventMs = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/** Names an event by its attributes key (`timerFiredEventAttributes` → `TimerFired`), with its activity type. */
function eventName(e: HistoryEvent, activityTypes: Map<string, string>): string {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
  const base = (key ?? 'unknown').replace(/EventAttributes$/, '');
  const name = base.charAt(0).toUpperCase() + base.slice(1);
  const activity =
    e.activityTaskScheduledEventAttributes?.activityType?.name ??
    activityTypes.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? '')) ??
    activityTypes.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? ''));
  return activity ? `${name}(${activity.replace(/AsanaResource.*|Attio$/, '')})` : name;
}

/**
 * Times the first sync of each traced task from its history: sent → signal recorded → first workflow task → timer
 * armed → fired → workflow task → fetch scheduled → started → completed → workflow task → write scheduled → started.
 */
export async function traceSyncs(client: Client, sends: [string, number][], quietPeriodMs: number): Promise<SyncTrace> {
  // Only tasks changed once: a later change may be in a later run, and a handle without a run id reads the latest.
  const sentTimes = new Map<string, number[]>();
  for (const [gid, at] of sends) sentTimes.set(gid, [...(sentTimes.get(gid) ?? []), at]);
  const once = [...sentTimes].filter(([, times]) => times.length === 1).map(([gid, [at]]) => [gid, at!] as const);
  // Spread over the run, not only its start.
  const step = Math.max(1, Math.floor(once.length / 50));
  const samples: { name: string; atMs: number }[][] = [];
  for (const [gid, sentAt] of once.filter((_, i) => i % step === 0).slice(0, 50)) {
    const handle = client.workflow.getHandle(syncWorkflowId({ gid, resource_type: 'task' }));
    const history = await handle.fetchHistory().catch(() => undefined);
    const events = history?.events ?? [];
    const activityTypes = new Map<string, string>();
    for (const e of events) {
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name) activityTypes.set(String(e.eventId), name);
    }
    const named = events.map((e) => ({ name: eventName(e, activityTypes), atMs: eventMs(e) - sentAt }));
    const writeStarted = named.findIndex((e) => e.name === 'ActivityTaskStarted(write)');
    if (writeStarted < 0) continue;
    // History records ActivityTaskStarted when the attempt ends; its time is still the start.
    samples.push(named.slice(0, writeStarted + 1).sort((a, b) => a.atMs - b.atMs));
  }
  const at = (sample: { name: string; atMs: number }[], name: string, nth = 1) =>
    sample.filter((e) => e.name === name)[nth - 1]?.atMs;
  const legs: [
    string,
    (s: { name: string; atMs: number }[]) => [number | undefined, number | undefined],
    string,
    string,
  ][] = [
    [
      'delivery sent → signal recorded',
      (s) => [0, at(s, 'WorkflowExecutionSignaled')],
      'sent',
      'WorkflowExecutionSignaled',
    ],
    [
      'signal → first workflow task started',
      (s) => [at(s, 'WorkflowExecutionSignaled'), at(s, 'WorkflowTaskStarted')],
      'WorkflowExecutionSignaled',
      'WorkflowTaskStarted',
    ],
    [
      'workflow task → quiet-period timer armed',
      (s) => [at(s, 'WorkflowTaskStarted'), at(s, 'TimerStarted')],
      'WorkflowTaskStarted',
      'TimerStarted',
    ],
    [
      'timer armed → fired, beyond the quiet period',
      (s) => [at(s, 'TimerStarted'), sub(at(s, 'TimerFired'), quietPeriodMs)],
      'TimerStarted',
      'TimerFired − quiet',
    ],
    [
      'timer fired → fetch scheduled (a workflow task)',
      (s) => [at(s, 'TimerFired'), at(s, 'ActivityTaskScheduled(fetch)')],
      'TimerFired',
      'ActivityTaskScheduled(fetch)',
    ],
    [
      'fetch scheduled → started (matching, rate limit)',
      (s) => [at(s, 'ActivityTaskScheduled(fetch)'), at(s, 'ActivityTaskStarted(fetch)')],
      'ActivityTaskScheduled(fetch)',
      'ActivityTaskStarted(fetch)',
    ],
    [
      'fetch started → completed',
      (s) => [at(s, 'ActivityTaskStarted(fetch)'), at(s, 'ActivityTaskCompleted(fetch)')],
      'ActivityTaskStarted(fetch)',
      'ActivityTaskCompleted(fetch)',
    ],
    [
      'fetch completed → write scheduled (a workflow task)',
      (s) => [at(s, 'ActivityTaskCompleted(fetch)'), at(s, 'ActivityTaskScheduled(write)')],
      'ActivityTaskCompleted(fetch)',
      'ActivityTaskScheduled(write)',
    ],
    [
      'write scheduled → started (matching, rate limit)',
      (s) => [at(s, 'ActivityTaskScheduled(write)'), at(s, 'ActivityTaskStarted(write)')],
      'ActivityTaskScheduled(write)',
      'ActivityTaskStarted(write)',
    ],
  ];
  const steps = legs.map(([step, pick, from, to]) => {
    const spans = samples.flatMap((s) => {
      const [a, b] = pick(s);
      return a === undefined || b === undefined ? [] : [b - a];
    });
    const p = percentiles(spans);
    return { step, from, to, p50Ms: round(p.p50), p90Ms: round(p.p90) };
  });
  const middle = samples[Math.floor(samples.length / 2)] ?? [];
  return {
    syncs: samples.length,
    steps,
    beyondQuietP50Ms: round(steps.reduce((sum, s) => sum + (Number.isNaN(s.p50Ms) ? 0 : s.p50Ms), 0)),
    example: middle.map((e) => ({ event: e.name, atMs: round(e.atMs) })),
  };
}

const sub = (a: number | undefined, b: number) => (a === undefined ? undefined : a - b);

export interface ActionsCount {
  changes: number;
  idleTimeoutMs: number;
  signals: number;
  timers: number;
  activityAttempts: number;
  /** Billable actions (docs/performance.md 1e): signalWithStart 1, each signal 1, each timer 1, each attempt 1. */
  actions: number;
  actionsPerChange: number;
  /** For a single change: its sync's steps, alone on the server (the sent time is that of its signalWithStart). */
  trace?: SyncTrace;
}

/** Sends `changes` signalWithStart to one new task, `spacingMs` apart, waits for the run to end, counts its actions. */
export async function countActions(
  client: Client,
  syncQueue: string,
  gid: string,
  options: { changes: number; spacingMs: number; quietPeriodMs: number; idleTimeoutMs: number },
): Promise<ActionsCount> {
  const resource = { gid, resource_type: 'task' as const };
  const sentAt = performance.timeOrigin + performance.now();
  let handle;
  for (let i = 0; i < options.changes; i += 1) {
    handle = await client.workflow.signalWithStart('syncAsanaResource', {
      workflowId: syncWorkflowId(resource),
      taskQueue: syncQueue,
      args: [
        { resource, quietPeriodMs: options.quietPeriodMs, maxDelayMs: 30_000, idleTimeoutMs: options.idleTimeoutMs },
      ],
      signal: asanaChangedSignal,
      signalArgs: [{ action: 'changed', source: 'webhook' }],
    });
    if (options.spacingMs) await sleep(options.spacingMs);
  }
  if (!handle) throw new Error('no change was sent');
  await handle.result();
  const events = (await handle.fetchHistory()).events ?? [];
  const count = (key: keyof HistoryEvent) => events.filter((e) => e[key]).length;
  const signals = count('workflowExecutionSignaledEventAttributes');
  const timers = count('timerStartedEventAttributes');
  const activityAttempts = count('activityTaskStartedEventAttributes');
  const actions = signals + timers + activityAttempts;
  log(`actions: ${options.changes} change(s), idle ${options.idleTimeoutMs} ms: ${actions}`);
  return {
    changes: options.changes,
    idleTimeoutMs: options.idleTimeoutMs,
    signals,
    timers,
    activityAttempts,
    actions,
    actionsPerChange: round(actions / options.changes, 2),
    ...(options.changes === 1 ? { trace: await traceSyncs(client, [[gid, sentAt]], options.quietPeriodMs) } : {}),
  };
}
