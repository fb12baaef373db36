/**
 * bench/results/latest.json and latest.md: each figure next to its floor from the same run, the ratio, the goal of
 * issue 14 and whether it was met; then every phase in detail with the box's load. Also says what a run failed to
 * produce at all (a phase with no data): CI's short form fails on those, never on a time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BackfillResult } from './backfill';
import type { ActionsCount, FreshnessResult } from './freshness';
import type { BoxLoad, Repeated } from './harness';
import type { CeilingResult, OverheadResult } from './intake';
import type { MemoryResult } from './memory';

export interface Results {
  meta: {
    measuredAt: string;
    commit: string;
    short: boolean;
    phases: string[];
    durationSeconds: number;
    machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
    temporal: { devServerFlags: string; persistence: string };
    /** With --merge: which run each phase's figures come from. */
    runs?: { phases: string[]; measuredAt: string; commit: string }[];
  };
  overhead?: OverheadResult;
  ceiling?: CeilingResult;
  freshness?: FreshnessResult;
  actions?: {
    quietPeriodMs: number;
    single: ActionsCount;
    singleNoIdle: ActionsCount;
    burst: ActionsCount;
    burstNoIdle: ActionsCount;
  };
  backfill?: BackfillResult;
  memory?: MemoryResult;
}

export interface Goal {
  figure: string;
  measured: string;
  floor: string;
  ratio: number | null;
  goal: string;
  met: boolean;
}

const spread = (r: Repeated, unit = '') => `${r.median}${unit} (${r.min}–${r.max})`;

/** The backfill figures of one run, each against its goal. */
function backfillGoals(backfill: BackfillResult, label: string): Goal[] {
  const quietPlus2s = backfill.live.quietPeriodMs + 2000;
  return [
    {
      figure: `${label}: Attio writes/s sustained (${backfill.tasks} tasks)`,
      measured: `${backfill.sustainedWritesPerSecond}/s, ${backfill.seconds} s`,
      floor: `limit ${backfill.attioWriteLimitPerSecond}/s (Attio's 25 × ${backfill.scaledFrom.factor})`,
      ratio: backfill.shareOfWriteLimit,
      goal: '≥ 0.9× the limit',
      met: backfill.shareOfWriteLimit >= 0.9,
    },
    {
      figure: `${label}: writes given up (after 429s)`,
      measured: `${backfill.writesFailed} (${backfill.attio429} 429s, all retried)`,
      floor: '0',
      ratio: null,
      goal: '0',
      met: backfill.writesFailed === 0,
    },
    {
      figure: `${label}: Asana requests`,
      measured: `${backfill.asanaRequests}`,
      floor: `1,500/min over ${backfill.seconds} s`,
      ratio: backfill.shareOfAsanaBudget,
      goal: '≤ 0.05 of the budget',
      met: backfill.shareOfAsanaBudget <= 0.05,
    },
    {
      figure: `${label}: live changes, rename → in Attio p99 (ms)`,
      measured: `${backfill.live.freshnessMs.p99} (${backfill.live.seen}/${backfill.live.changes} seen)`,
      floor: `quiet period ${backfill.live.quietPeriodMs}`,
      ratio: null,
      goal: `≤ ${quietPlus2s}`,
      met: backfill.live.freshnessMs.p99 <= quietPlus2s && backfill.live.seen === backfill.live.changes,
    },
  ];
}

export function goals(results: Results): Goal[] {
  const out: Goal[] = [];
  const { ceiling, overhead, backfill, memory, freshness, actions } = results;
  if (ceiling) {
    out.push({
      figure: 'intake ceiling (deliveries/s)',
      measured: `receiver ${spread(ceiling.receiver)}`,
      floor: `bare signalWithStart ${spread(ceiling.bare)}`,
      ratio: ceiling.ratio,
      goal: '≥ 0.8× bare',
      met: ceiling.ratio >= 0.8,
    });
  }
  if (overhead) {
    const hello = spread(overhead.requestsPerSecond.hello);
    out.push({
      figure: 'receiver overhead, Temporal a no-op (req/s)',
      measured: `receiver ${spread(overhead.requestsPerSecond.receiverNoop)}`,
      floor: `Express 5 hello-world ${hello}`,
      ratio: overhead.receiverShareOfHello,
      goal: '≥ 0.5× hello-world',
      met: overhead.receiverShareOfHello >= 0.5,
    });
    out.push({
      figure: 'receiver overhead by CPU per request (µs)',
      measured: `receiver ${spread(overhead.cpuMicrosPerRequest.receiverNoop)}`,
      floor: `Express 5 hello-world ${spread(overhead.cpuMicrosPerRequest.hello)}`,
      ratio: overhead.receiverCpuShareOfHello,
      goal: '≥ 0.5 (hello ÷ receiver)',
      met: overhead.receiverCpuShareOfHello >= 0.5,
    });
    out.push({
      figure: 'bare-HMAC handler (req/s)',
      measured: `HMAC ${spread(overhead.requestsPerSecond.hmac)}`,
      floor: `Express 5 hello-world ${hello}`,
      ratio: overhead.hmacShareOfHello,
      goal: '≥ 0.9× hello-world',
      met: overhead.hmacShareOfHello >= 0.9,
    });
  }
  if (backfill) {
    out.push(...backfillGoals(backfill, 'backfill'));
    if (backfill.aboveLimit) {
      out.push(
        ...backfillGoals(
          backfill.aboveLimit,
          `backfill, budget ${backfill.aboveLimit.workerWriteBudgetPerSecond}/s above the limit (429s limit it)`,
        ),
      );
    }
  }
  if (memory) {
    const last = memory.points[memory.points.length - 1]!;
    out.push(
      {
        figure: 'worker RSS per cached workflow (MB)',
        measured: `${memory.rssSlopeMBPerWorkflow}`,
        floor: `SDK reference ~1 MB`,
        ratio: null,
        goal: '≤ 0.1',
        met: memory.rssSlopeMBPerWorkflow <= 0.1,
      },
      {
        figure: `worker RSS at ${last.cachedWorkflows} cached workflows, cap ${memory.cacheCap} (MB)`,
        measured: `${last.rssMB}`,
        floor: `${memory.points[0]!.rssMB} with none`,
        ratio: null,
        goal: '≤ 600',
        met: last.rssMB <= 600,
      },
      {
        figure: `worker RSS at ${memory.defaultCap.point.openWorkflows} open workflows, the configured cap ${memory.defaultCap.cacheCap} (MB)`,
        measured: `${memory.defaultCap.point.rssMB} (${memory.defaultCap.point.cachedWorkflows} cached)`,
        floor: `${memory.defaultCap.atStart.rssMB} at start`,
        ratio: null,
        goal: '≤ 600',
        met: memory.defaultCap.point.rssMB <= 600,
      },
      ...(memory.died
        ? [
            {
              figure: `worker with its cache cap at ${memory.cacheCap}`,
              measured: `died taking up ${memory.died.openWorkflows} workflows`,
              floor: memory.died.reason,
              ratio: null,
              goal: 'alive',
              met: false,
            },
          ]
        : []),
    );
  }
  if (freshness) {
    out.push(
      {
        figure: `freshness beyond the quiet period, p50 (ms, ${freshness.offeredPerSecond} changes/s)`,
        measured: `${freshness.beyondQuiet.p50}`,
        floor: `quiet period ${freshness.quietPeriodMs}`,
        ratio: null,
        goal: '≤ 100',
        met: freshness.beyondQuiet.p50 <= 100,
      },
      {
        figure: 'freshness beyond the quiet period, p99 (ms)',
        measured: `${freshness.beyondQuiet.p99}`,
        floor: `quiet period ${freshness.quietPeriodMs}`,
        ratio: null,
        goal: '≤ 500',
        met: freshness.beyondQuiet.p99 <= 500,
      },
    );
  }
  if (actions) {
    out.push(
      {
        figure: 'Temporal actions, one change',
        measured: `${actions.single.actions} (${actions.singleNoIdle.actions} with SYNC_IDLE_TIMEOUT_MS=0)`,
        floor: '4 (signalWithStart, timer, fetch, write)',
        ratio: null,
        goal: '≤ 4',
        met: actions.single.actions <= 4,
      },
      {
        figure: `Temporal actions per change, ${actions.burst.changes}-burst`,
        measured: `${actions.burst.actionsPerChange}`,
        floor: '1 (its signal)',
        ratio: null,
        goal: '≤ 1.1',
        met: actions.burst.actionsPerChange <= 1.1,
      },
    );
  }
  return out;
}

/** What a run did not produce at all: a phase with no answers, no writes, or writes lost. Never a time. */
export function problems(results: Results): string[] {
  const out: string[] = [];
  const { ceiling, overhead, backfill, memory, freshness, actions } = results;
  if (overhead) {
    for (const run of overhead.runs) {
      if (run.requestsPerSecond <= 0 || run.non2xx > 0 || run.errors > 0) {
        out.push(
          `overhead: ${run.target} answered ${run.requestsPerSecond} req/s with ${run.non2xx} non-2xx, ${run.errors} errors`,
        );
      }
    }
  }
  if (
    ceiling &&
    !ceiling.steps.some((s) => s.target === 'receiver') &&
    !ceiling.steps.some((s) => s.target === 'bare')
  ) {
    out.push('ceiling: no step ran');
  }
  if (ceiling) {
    for (const s of ceiling.steps)
      if (s.load.requests === 0) out.push(`ceiling: ${s.target} at ${s.offeredPerSecond}/s answered nothing`);
  }
  // At full size a machine that cannot keep up writes some changes late: that is a figure, reported as such.
  if (freshness && (freshness.written === 0 || (results.meta.short && freshness.written < freshness.sent))) {
    out.push(`freshness: ${freshness.written} of ${freshness.sent} changes were written`);
  }
  if (freshness && freshness.trace.syncs === 0) out.push('freshness: no sync could be traced');
  if (actions && [actions.single, actions.burst].some((a) => a.actions === 0 || a.activityAttempts === 0)) {
    out.push('actions: a run recorded no action');
  }
  for (const [label, run] of [
    ['backfill', backfill],
    ['backfill above the limit', backfill?.aboveLimit],
  ] as const) {
    if (!run) continue;
    if (!run.progress.done || run.progress.errors)
      out.push(`${label}: done ${run.progress.done}, errors ${run.progress.errors}`);
    if (run.tasksInAttio !== run.tasks) out.push(`${label}: ${run.tasksInAttio} of ${run.tasks} tasks in Attio`);
    if (run.live.seen !== run.live.changes)
      out.push(`${label}: ${run.live.seen} of ${run.live.changes} live changes reached Attio`);
  }
  if (memory) {
    for (const p of memory.points.slice(1)) {
      if (p.cachedWorkflows < p.openWorkflows)
        out.push(`memory: ${p.cachedWorkflows} of ${p.openWorkflows} workflows cached`);
    }
  }
  return out;
}

const boxText = (b: BoxLoad) =>
  `load ${b.loadavg1Before}→${b.loadavg1After}, CPU ${b.cpuBusyPercent} %` +
  (b.processCpuSeconds
    ? ` (${Object.entries(b.processCpuSeconds)
        .map(([k, v]) => `${k} ${v} s`)
        .join(', ')})`
    : '');

function goalTable(goalRows: Goal[]): string[] {
  return [
    '| figure | measured | floor (same run) | ratio | goal | met |',
    '|---|---|---|---|---|---|',
    ...goalRows.map(
      (g) =>
        `| ${g.figure} | ${g.measured} | ${g.floor} | ${g.ratio ?? '–'} | ${g.goal} | ${g.met ? 'yes' : '**no**'} |`,
    ),
  ];
}

/** Puts the goals table into README.md between its bench-table markers (a full run's results only). */
export function updateReadme(results: Results, goalRows: Goal[]): void {
  const path = resolve(__dirname, '../README.md');
  const readme = readFileSync(path, 'utf8');
  const start = '<!-- bench-table:start -->';
  const end = '<!-- bench-table:end -->';
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) return;
  const { meta } = results;
  const block = [
    start,
    ...goalTable(goalRows),
    '',
    `_${meta.measuredAt.slice(0, 10)}, commit ${meta.commit}, ${meta.machine.cpus} CPUs, ${meta.durationSeconds} s._`,
    '',
  ].join('\n');
  writeFileSync(path, readme.slice(0, from) + block + readme.slice(to));
}

export function markdown(results: Results, goalRows: Goal[]): string {
  const { meta, ceiling, overhead, backfill, memory, freshness, actions } = results;
  const lines: string[] = [
    `# Benchmark results (${meta.measuredAt})`,
    '',
    `Commit ${meta.commit}; ${meta.machine.cpus} CPUs (${meta.machine.cpuModel}), ${meta.machine.memoryGiB} GiB, Node ${meta.machine.node}. ` +
      `Written by \`npm run bench${meta.short ? ' -- --short' : ''}\` in ${meta.durationSeconds} s. Temporal dev server (${meta.temporal.persistence}): ` +
      `\`temporal ${meta.temporal.devServerFlags}\`. Load from autocannon in its own process (bench/load.ts). Figures are ` +
      'comparable only with their floor from the same run: the machine is shared, and each run records its load.',
    ...(meta.runs && meta.runs.length > 1
      ? [
          '',
          `Merged from ${meta.runs.length} runs: ${meta.runs.map((r) => `${r.phases.join(', ')} at ${r.measuredAt} (${r.commit})`).join('; ')}.`,
        ]
      : []),
    '',
    '| figure | measured | floor (same run) | ratio | goal | met |',
    '|---|---|---|---|---|---|',
    ...goalRows.map(
      (g) =>
        `| ${g.figure} | ${g.measured} | ${g.floor} | ${g.ratio ?? '–'} | ${g.goal} | ${g.met ? 'yes' : '**no**'} |`,
    ),
    '',
  ];
  if (ceiling) {
    lines.push(
      '## Intake ceiling',
      '',
      `Ladder ${ceiling.ladder.join(', ')} deliveries/s, ${ceiling.secondsPerStep} s a step, each step on a server with no sync ` +
        `workflow running; a step holds with ${ceiling.rule}. Ceilings per repetition: receiver ${ceiling.receiver.runs.join(', ')}; ` +
        `bare ${ceiling.bare.runs.join(', ')} (ratios ${ceiling.ratioPerRep.join(', ')}).`,
      '',
      '| rep | target | offered/s | achieved/s | p50 ms | p99 ms | errors | non-2xx | held | box |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...ceiling.steps.map(
        (s) =>
          `| ${s.rep} | ${s.target} | ${s.offeredPerSecond} | ${s.load.achievedPerSecond} | ${s.load.latencyMs.p50} | ${s.load.latencyMs.p99} | ${s.load.errors} | ${s.load.non2xx} | ${s.held ? 'yes' : 'no'} | ${boxText(s.box)} |`,
      ),
      '',
    );
  }
  if (overhead) {
    lines.push(
      '## Receiver overhead (no Temporal)',
      '',
      `Closed loop, ${overhead.connections} connections, ${overhead.secondsPerRun} s a run, targets rotated each repetition. ` +
        `CPU per request is the target process's own.`,
      '',
      '| target | req/s median (min–max) | CPU µs/request median |',
      '|---|---|---|',
      ...(['hello', 'hmac', 'receiverNoop'] as const).map(
        (t) => `| ${t} | ${spread(overhead.requestsPerSecond[t])} | ${overhead.cpuMicrosPerRequest[t].median} |`,
      ),
      '',
      '| rep | target | req/s | p99 ms | box |',
      '|---|---|---|---|---|',
      ...overhead.runs.map(
        (r) => `| ${r.rep} | ${r.target} | ${r.requestsPerSecond} | ${r.p99Ms} | ${boxText(r.box)} |`,
      ),
      '',
    );
  }
  if (freshness) {
    lines.push(
      '## Freshness: delivery sent → Attio write started (ms)',
      '',
      `${freshness.sent} changes at ${freshness.offeredPerSecond}/s over ${freshness.tasks} tasks for ${freshness.seconds} s, ` +
        `quiet period ${freshness.quietPeriodMs} ms; ${freshness.written} written, ${freshness.non2xx} non-2xx, ack p50 ` +
        `${freshness.ackMs.p50} ms, p99 ${freshness.ackMs.p99} ms; ${boxText(freshness.box)}.`,
      '',
      '| | p50 | p90 | p99 | max |',
      '|---|---|---|---|---|',
      `| total | ${freshness.total.p50} | ${freshness.total.p90} | ${freshness.total.p99} | ${freshness.total.max} |`,
      `| beyond the quiet period | ${freshness.beyondQuiet.p50} | ${freshness.beyondQuiet.p90} | ${freshness.beyondQuiet.p99} | ${freshness.beyondQuiet.max} |`,
      '',
      `### Where the share beyond the quiet period goes (${freshness.trace.syncs} syncs traced from their histories)`,
      '',
      '| step | p50 ms | p90 ms |',
      '|---|---|---|',
      ...freshness.trace.steps.map((s) => `| ${s.step} | ${s.p50Ms} | ${s.p90Ms} |`),
      `| **sum of the medians** | **${freshness.trace.beyondQuietP50Ms}** | |`,
      '',
      'One sync, ms after its delivery was sent:',
      '',
      '| event | at ms |',
      '|---|---|',
      ...freshness.trace.example.map((e) => `| ${e.event} | ${e.atMs} |`),
      '',
    );
  }
  if (actions) {
    const row = (name: string, a: ActionsCount) =>
      `| ${name} | ${a.idleTimeoutMs} | ${a.signals} | ${a.timers} | ${a.activityAttempts} | ${a.actions} | ${a.actionsPerChange} |`;
    lines.push(
      '## Temporal billable actions',
      '',
      `Quiet period ${actions.quietPeriodMs} ms. The idle period keeps a run open for the next change (one timer more per run).`,
      '',
      '| scenario | idle ms | signals | timers | activity attempts | actions | per change |',
      '|---|---|---|---|---|---|---|',
      row('one change', actions.single),
      row('one change, no idle period', actions.singleNoIdle),
      row(`${actions.burst.changes} changes`, actions.burst),
      row(`${actions.burst.changes} changes, no idle period`, actions.burstNoIdle),
      '',
    );
    const alone = actions.singleNoIdle.trace;
    if (alone?.syncs) {
      lines.push(
        '### One change alone on the server: where its time beyond the quiet period goes',
        '',
        'The same steps as under load above, for the single change (sent = its signalWithStart, no receiver):',
        '',
        '| step | ms |',
        '|---|---|',
        ...alone.steps.map((s) => `| ${s.step} | ${s.p50Ms} |`),
        `| **sum** | **${alone.beyondQuietP50Ms}** |`,
        '',
      );
    }
  }
  if (backfill) lines.push('## Backfill at the Attio write limit', '');
  for (const [how, backfill] of [
    [
      'With the default write budget, scaled like the limit: it holds in every second (decision 0016)',
      results.backfill,
    ],
    ['With a write budget above the limit, so that Attio’s 429s limit the writes', results.backfill?.aboveLimit],
  ] as const) {
    if (!backfill) continue;
    lines.push(
      `${how}. ` +
        `${backfill.tasks} tasks in ${backfill.projects} projects (sections as stages, custom fields), the Attio stand-in ` +
        `enforcing ${backfill.attioWriteLimitPerSecond} writes/s (Attio's 25/s × ${backfill.scaledFrom.factor}, reads alike), ` +
        `the worker's ATTIO_MAX_WRITES_PER_SECOND ${backfill.workerWriteBudgetPerSecond} ` +
        `(${backfill.attioActivitiesPerSecond} Attio activities/s, common/rate-limits.ts). ` +
        `${backfill.seconds} s; ${backfill.attioWrites} writes at ${backfill.sustainedWritesPerSecond}/s sustained; ` +
        `${backfill.attio429} 429s answered and retried, ${backfill.writesFailed} writes given up; ${backfill.asanaRequests} Asana ` +
        `requests (${backfill.shareOfAsanaBudget} of 1,500/min); ${backfill.tasksInAttio} tasks in Attio at the end. ` +
        `Live renames: ${backfill.live.seen}/${backfill.live.changes} in Attio, p50 ${backfill.live.freshnessMs.p50} ms, ` +
        `p99 ${backfill.live.freshnessMs.p99} ms (quiet period ${backfill.live.quietPeriodMs} ms); Asana's deliveries by answer: ` +
        `${
          Object.entries(backfill.live.deliveriesByStatus ?? {})
            .map(([k, v]) => `${k} × ${v}`)
            .join(', ') || 'none'
        }. ${boxText(backfill.box)}.`,
      '',
    );
  }
  if (memory) {
    lines.push(
      '## Worker memory',
      '',
      `Cache cap ${memory.cacheCap}; RSS slope ${memory.rssSlopeMBPerWorkflow} MB and heap slope ${memory.heapSlopeMBPerWorkflow} ` +
        `MB per cached workflow (least squares), in a worker given a bundle built beforehand. A worker that bundles at ` +
        `start (workers/main.ts) with the default cap (${memory.defaultCap.cacheCap}): RSS ${memory.defaultCap.atStart.rssMB} MB ` +
        `right after start, ${memory.defaultCap.point.rssMB} MB with ${memory.defaultCap.point.cachedWorkflows} of ` +
        `${memory.defaultCap.point.openWorkflows} open workflows cached.`,
      '',
      '| open workflows | cached | RSS MB | heap MB |',
      '|---|---|---|---|',
      ...memory.points.map((p) => `| ${p.openWorkflows} | ${p.cachedWorkflows} | ${p.rssMB} | ${p.heapUsedMB} |`),
      '',
    );
  }
  return lines.join('\n');
}

/** Writes latest.json and latest.md into `dir` (and the README's table); returns what the run failed to produce. */
export function writeReport(dir: string, results: Results, options: { readme: boolean }): string[] {
  const goalRows = goals(results);
  const found = problems(results);
  if (options.readme) updateReadme(results, goalRows);
  writeFileSync(
    join(dir, 'latest.json'),
    `${JSON.stringify({ ...results, goals: goalRows, problems: found }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'latest.md'), markdown(results, goalRows));
  return found;
}
