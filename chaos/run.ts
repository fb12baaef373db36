/**
 * `npm run chaos`: every scenario of chaos/scenarios.ts against a real Temporal dev server, with the worker, the
 * receiver and the dev server as separate processes, each ending in a record-by-record comparison of Attio with
 * Asana. Prints, per scenario, the two numbers that must be 0 (differences, acknowledged-but-lost) and exits
 * non-zero if any scenario fails.
 *
 *   npm run chaos                        full sizes; writes bench/results/chaos.{json,md}
 *   npm run chaos -- --short             small counts (CI, a few minutes); writes nothing unless --write
 *   npm run chaos -- --only a,b          only these scenarios
 *
 * Bounded in count and time, loopback only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebhookHealth } from '../common/search-attributes';
import { webhookWorkflowId } from '../common/workflow-ids';
import { compareAttioWithAsana, type Comparison } from './compare';
import { checkHealthNow, FULL, type Scenario, SCENARIOS, SHORT, type Sizes } from './scenarios';
import { ChaosStack, startTemporal, type Temporal } from './stack';

export interface ScenarioResult {
  name: string;
  title: string;
  passed: boolean;
  changes: number;
  deliveries: number;
  ok200: number;
  status5xx: number;
  /** Attempts that got no answer (connection refused, timeout). */
  unanswered: number;
  differences: number;
  acknowledgedButLost: number;
  convergeMs: number | null;
  figures: Record<string, number>;
  failures: string[];
  /** The watch workflow's state at the end. */
  watch?: string;
  /** The first differences, for the report. */
  sample: string[];
}

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    only: { type: 'string' },
    write: { type: 'boolean' },
    'converge-timeout-ms': { type: 'string' },
  },
});

const sizes: Sizes = args.short ? SHORT : FULL;
const convergeTimeoutMs = Number(args['converge-timeout-ms'] ?? (args.short ? 90_000 : 300_000));
const HOUR = 3_600_000;

function log(scenario: string, message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${scenario}: ${message}\n`);
}

/** Pushes Asana's pending retries forward: the stand-in clock jumps to each webhook's next attempt. */
function nudgeRetries(stack: ChaosStack): void {
  for (const webhook of stack.asana.webhooks.all.values()) {
    if (!webhook.next_attempt_after) continue;
    const wait = Date.parse(webhook.next_attempt_after) - stack.asana.clock.now();
    if (wait > 0 && wait <= 24 * HOUR) stack.asana.clock.advance(wait);
  }
}

async function runScenario(
  scenario: Scenario,
  temporal: Temporal,
  dir: string,
  index: number,
): Promise<ScenarioResult> {
  const say = (message: string) => log(scenario.name, message);
  const stack = await ChaosStack.start({
    name: scenario.name,
    dir,
    temporal,
    tasks: sizes.tasks,
    firstGid: 1_400_000_000_000_000n + BigInt(Date.now() % 1_000_000) * 1_000_000_000n + BigInt(index) * 10_000_000n,
    health: { intervalMs: 5_000 },
    initialRetryMs: 1_000,
    ...scenario.stack,
  });
  const result: ScenarioResult = {
    name: scenario.name,
    title: scenario.title,
    passed: false,
    changes: 0,
    deliveries: 0,
    ok200: 0,
    status5xx: 0,
    unanswered: 0,
    differences: -1,
    acknowledgedButLost: -1,
    convergeMs: null,
    figures: {},
    failures: [],
    sample: [],
  };
  try {
    await stack.startWorker();
    await stack.startReceiver();
    await stack.prepare();
    const baseline = await compareAttioWithAsana(stack);
    if (baseline.differences.length > 0) {
      throw new Error(`Attio differs from Asana before the scenario: ${baseline.differences[0]!.what}`);
    }
    const from = stack.asana.webhooks.deliveries.length;
    say(`ready: ${baseline.resources} resources equal in Asana and Attio; ${scenario.title}`);
    const outcome = await scenario.run({ stack, temporal, sizes, log: say });
    result.changes = outcome.changes;
    result.figures = outcome.figures ?? {};
    result.failures.push(...(outcome.failures ?? []));

    // Heal: every process back, every fault cleared; then wait for Attio to equal Asana.
    stack.attio.faults.clear();
    stack.asana.faults.clear();
    stack.asana.webhooks.endOutage();
    stack.receiverProxy.restore();
    stack.workerProxy.restore();
    if (!stack.receiver) await stack.startReceiver();
    if (!stack.workers.has('worker')) await stack.startWorker();
    const healedAt = Date.now();
    let comparison: Comparison = await compareAttioWithAsana(stack);
    while (comparison.differences.length > 0 && Date.now() - healedAt < convergeTimeoutMs) {
      nudgeRetries(stack);
      if ((Date.now() - healedAt) % 20_000 < 2_000) await checkHealthNow(stack);
      await sleep(2_000);
      comparison = await compareAttioWithAsana(stack);
    }
    if (comparison.differences.length === 0) result.convergeMs = Date.now() - healedAt;
    if (scenario.afterConvergence) {
      await scenario.afterConvergence({ stack, temporal, sizes, log: say });
      comparison = await compareAttioWithAsana(stack);
    }
    const watch = await stack.client.workflow
      .getHandle(webhookWorkflowId(stack.scene.salesProjectGid))
      .describe()
      .catch(() => undefined);
    result.watch = `${watch?.status.name ?? 'missing'} (WebhookHealth ${String(
      watch?.typedSearchAttributes.get(WebhookHealth) ?? 'unset',
    )})`;
    if (watch?.status.name !== 'RUNNING') result.failures.push(`the watch workflow is ${result.watch}`);
    const deliveries = stack.asana.webhooks.deliveries.slice(from);
    result.deliveries = deliveries.length;
    result.ok200 = deliveries.filter((d) => d.status === 200).length;
    result.status5xx = deliveries.filter((d) => typeof d.status === 'number' && d.status >= 500).length;
    result.unanswered = deliveries.filter((d) => typeof d.status !== 'number').length;
    result.differences = comparison.differences.length;
    result.acknowledgedButLost = comparison.acknowledgedButLost;
    result.sample = comparison.differences.slice(0, 5).map((d) => `${d.kind} ${d.gid}: ${d.what}`.slice(0, 400));
    if (scenario.expectDifferences) {
      if (result.differences === 0) result.failures.push('the planted difference was not reported');
      if (result.acknowledgedButLost === 0) result.failures.push('the planted loss was not counted');
    } else {
      if (result.differences > 0) result.failures.push(`${result.differences} differences`);
      if (result.acknowledgedButLost > 0) result.failures.push(`${result.acknowledgedButLost} acknowledged but lost`);
    }
    result.passed = result.failures.length === 0;
  } catch (error) {
    result.failures.push(`did not complete: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await stack.close().catch(() => undefined);
  }
  say(
    `${result.passed ? 'PASS' : 'FAIL'}  differences ${result.differences}, acknowledged-but-lost ${result.acknowledgedButLost}, watch ${result.watch ?? '?'}` +
      `${result.failures.length ? `  (${result.failures.join('; ')})` : ''}`,
  );
  for (const line of result.sample) say(`  ${line}`);
  return result;
}

function machine() {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) };
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const seconds = (ms: number | null) => (ms === null ? 'did not converge' : `${(ms / 1000).toFixed(1)} s`);

export function markdown(report: {
  date: string;
  commit: string;
  short: boolean;
  machine: ReturnType<typeof machine>;
  results: ScenarioResult[];
}): string {
  const rows = report.results.map(
    (r) =>
      `| ${r.name} | ${r.passed ? 'pass' : '**FAIL**'} | ${r.changes} | ${r.deliveries} | ${r.ok200} | ${r.status5xx} | ${r.unanswered} | ${r.differences} | ${r.acknowledgedButLost} | ${seconds(r.convergeMs)} |`,
  );
  const notes = report.results.flatMap((r) => [
    ...(Object.keys(r.figures).length
      ? [
          `- **${r.name}**: ${Object.entries(r.figures)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        ]
      : []),
    ...r.failures.map((f) => `- **${r.name}** failed: ${f}`),
    ...(r.passed ? [] : r.sample.map((d) => `  - ${d}`)),
  ]);
  return [
    `# Chaos results${report.short ? ' (short form)' : ''}`,
    '',
    `${report.date}, commit ${report.commit}, ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB. Written by \`npm run chaos\`.`,
    '',
    '| scenario | result | changes | deliveries | 200 | 5xx | no answer | differences | acknowledged-but-lost | time to converge |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...notes,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const only = args.only?.split(',').map((s) => s.trim());
  const scenarios = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
  if (only && scenarios.length !== only.length) {
    throw new Error(`unknown scenario; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'asana-attio-sync-chaos-'));
  log('chaos', `logs and the SQLite file in ${dir}`);
  const temporal = await startTemporal(dir);
  const results: ScenarioResult[] = [];
  try {
    for (const [index, scenario] of scenarios.entries())
      results.push(await runScenario(scenario, temporal, dir, index));
  } finally {
    await temporal.stop().catch(() => undefined);
  }
  const report = {
    date: new Date().toISOString(),
    commit: commit(),
    short: args.short ?? false,
    machine: machine(),
    results,
  };
  const md = markdown(report);
  process.stdout.write(`\n${md}`);
  if (args.write ?? (!args.short && !only)) {
    const out = resolve(__dirname, '../bench/results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'chaos.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out, 'chaos.md'), md);
  }
  if (results.every((r) => r.passed)) rmSync(dir, { recursive: true, force: true });
  else log('chaos', `kept ${dir} (service logs per scenario)`);
  process.exit(results.every((r) => r.passed) ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos run failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
