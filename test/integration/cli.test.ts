/**
 * The project CLI as an operator runs it: `node --import tsx cli/main.ts …` as a child process against the run's dev
 * server and a live stack (stand-ins, receiver, workers on unique queues). Exit codes, --help, --json and what each
 * command does, and `doctor` naming what is broken.
 */
import { createServer } from 'node:net';
import { reconcileScheduleIds } from '../../client/schedules';
import { webhookWorkflowId } from '../../common/workflow-ids';
import { type CliRun, deploymentEnv as envOf, json, startCli as spawnCli, writeScope } from '../helpers/cli-runner';
import { startLiveStack, type LiveStack } from '../helpers/live-stack';
import { uniqueTaskQueues } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

let stack: LiveStack;
let scopeFile: string;

beforeAll(async () => {
  stack = await startLiveStack({ seed: { projects: 1, tasksPerProject: 3 } });
  scopeFile = writeScope('scope.json', stack.fieldMap);
});
afterAll(async () => {
  await stack?.close();
});

const deploymentEnv = (overrides: NodeJS.ProcessEnv = {}) => envOf(stack, scopeFile, overrides);
const startCli = (args: string[], env: NodeJS.ProcessEnv = deploymentEnv()) => spawnCli(args, env);
const cli = (args: string[], env?: NodeJS.ProcessEnv) => startCli(args, env).exited;

/** Runs `fn` over `items` three at a time: each CLI start is a few seconds of tsx on a shared machine. */
async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 3) await Promise.all(items.slice(i, i + 3).map(fn));
}

interface Overview {
  watches: { resourceGid: string }[];
  schedules: unknown[];
}

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

const COMMANDS = [
  'check',
  'doctor',
  'provision',
  'watch',
  'unwatch',
  'status',
  'webhooks',
  'backfill',
  'reconcile',
  'resync',
  'schedules',
  'codec-server',
];

describe('exit codes and help', () => {
  test('every command has its own --help with an example, exiting 0 without any configuration', async () => {
    await inBatches(COMMANDS, async (command) => {
      const run = await cli([command, '--help'], { PATH: process.env.PATH });
      expect({ command, code: run.code }).toEqual({ command, code: 0 });
      expect(run.stdout).toContain(`Usage: npm run cli -- ${command}`);
      expect(run.stdout).toMatch(new RegExp(`Examples?:\\n {2}\\$ npm run cli -- ${command}`));
    });
  });

  test('usage errors exit 2 and name the problem; the top-level help documents the exit codes', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: npm run cli --/],
      [['bogus'], /unknown command 'bogus'/],
      [['check', '--bogus'], /unknown option '--bogus'/],
      [['watch', '1201'], /watch needs a resource gid and --workspace/],
      [['watch', '1201', '--workspace', '1', '--type', 'user'], /Allowed choices are project, workspace/],
      [['backfill'], /exactly one of --workspace, --team, --project/],
      [['backfill', '--team', '1', '--project', '2'], /exactly one of/],
      [['resync'], /resync needs one kind of target/],
      [['resync', '--task', '1', '--stale', '2'], /resync needs one kind of target/],
    ];
    await inBatches(cases, async ([args, message]) => {
      const run = await cli(args, { PATH: process.env.PATH });
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
    });
    expect((await cli(['--help'], { PATH: process.env.PATH })).stdout).toMatch(/Exit codes: 0 ok, 1 failed.*2 usage/s);
  });

  test('a configuration that cannot work exits 1 naming the setting', async () => {
    const run = await cli(['check'], { PATH: process.env.PATH, ASANA_TOKEN: 'x' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ATTIO_TOKEN: missing/);
  });
});

describe('the commands against a live stack', () => {
  const project = () => stack.scene.salesProjectGid;

  test('check --json reports both credentials ok', async () => {
    const run = await cli(['check', '--json']);
    expect(run.code).toBe(0);
    expect(json<{ ok: boolean; checks: { system: string; ok: boolean }[] }>(run)).toMatchObject({
      ok: true,
      checks: [
        { system: 'asana', ok: true },
        { system: 'attio', ok: true },
      ],
    });
  });

  test('provision creates what the field map needs once, printing plain progress lines off a terminal', async () => {
    const first = await cli(['provision', '--json']);
    expect(first.code).toBe(0);
    const { created } = json<{ created: string[] }>(first);
    expect(created.length).toBeGreaterThan(0);
    for (const what of created) expect(what).toMatch(/^(object|list|attribute|option|stage) [a-z_]+/);
    expect(first.stderr).toMatch(/^provision: /m);
    const second = await cli(['provision']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Attio already had everything');
    const plan = await cli(['provision', '--dry-run', '--json']);
    expect(plan.code).toBe(0);
    expect(json<{ conflicts: string[] }>(plan).conflicts).toEqual([]);
  });

  test('watch registers the webhook; status <gid> and status show it with health and schedules', async () => {
    const watched = await cli(['watch', project(), '--workspace', stack.scene.workspaceGid, '--json']);
    expect(watched.code).toBe(0);
    expect(json(watched)).toEqual({
      resourceGid: project(),
      resourceType: 'project',
      workflowId: webhookWorkflowId(project()),
    });

    const one = await cli(['status', project(), '--json']);
    expect(one.code).toBe(0);
    const detail = json<{ health: string; schedules: { scheduleId: string; installed: boolean }[] }>(one);
    expect(['healthy', 'registering']).toContain(detail.health);
    expect(detail.schedules.map(({ scheduleId, installed }) => ({ scheduleId, installed }))).toEqual(
      Object.values(reconcileScheduleIds(project())).map((scheduleId) => ({ scheduleId, installed: true })),
    );
    expect(JSON.stringify(detail)).not.toMatch(/secret/i);

    // Visibility is eventually consistent: the list shows a new workflow a moment after it started.
    let overview: CliRun | undefined;
    await waitFor(
      async () => {
        overview = await cli(['status', '--json']);
        return json<Overview>(overview).watches.some((w) => w.resourceGid === project());
      },
      { what: 'the watch in the status overview' },
    );
    expect(overview!.code).toBe(0);
    expect(json<Overview>(overview!).schedules).toHaveLength(2);
    const screen = await cli(['status']);
    expect(screen.stdout).toMatch(new RegExp(`project ${project()}: (healthy|registering)`));
    expect(screen.stdout).toMatch(/Schedules \(2\):[\s\S]*Running backfills[\s\S]*Recent failures/);
  });

  test('schedules --project --json updates the schedules of a project', async () => {
    const run = await cli(['schedules', '--project', project(), '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual(
      Object.values(reconcileScheduleIds(project())).map((scheduleId) => ({ scheduleId, outcome: 'updated' })),
    );
  });

  test('backfill --project follows the backfill to its end and prints its progress', async () => {
    const run = await cli(['backfill', '--project', project(), '--json']);
    expect(run.code).toBe(0);
    const progress = json<{ workflowId: string; done: boolean; records: number; errors: number }>(run);
    expect(progress).toMatchObject({ done: true, errors: 0 });
    expect(progress.records).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/^backfill: /m);
  });

  test('reconcile --full --json prints the reconciliation report', async () => {
    const run = await cli(['reconcile', project(), '--full', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ projectGid: project(), mode: 'full', missing: 0 });
  });

  test('resync --task --json sends the tasks through their sync workflows', async () => {
    const tasks = stack.scene.taskGids.slice(0, 2);
    const run = await cli(['resync', '--task', ...tasks, '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ signalled: 2 });
  });

  test('codec-server serves until Ctrl-C, then exits 0', async () => {
    const port = await freePort();
    const server = startCli(['codec-server'], deploymentEnv({ CODEC_SERVER_PORT: String(port) }));
    await waitFor(() => server.run.stdout.includes(`codec server at http://localhost:${port}`), {
      what: 'the codec server to start',
    });
    const response = await fetch(`http://127.0.0.1:${port}/decode`, { method: 'OPTIONS' });
    expect(response.status).toBeLessThan(500);
    server.child.kill('SIGINT');
    expect((await server.exited).code).toBe(0);
  });

  test('Ctrl-C on a progress view stops following, says the workflow keeps running, and exits 130', async () => {
    const idle = uniqueTaskQueues();
    const following = startCli(['reconcile', project()], deploymentEnv({ TEMPORAL_TASK_QUEUE: idle.sync }));
    await waitFor(() => /^reconcile \d+: /m.test(following.run.stderr), { what: 'the first progress line' });
    following.child.kill('SIGINT');
    const run = await following.exited;
    expect(run.code).toBe(130);
    const workflowId = /Workflow (\S+) keeps running/.exec(run.stderr)?.[1];
    expect(workflowId).toMatch(/^reconcile-incremental-/);
    const handle = stack.client.workflow.getHandle(workflowId!);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test done');
  });
});

interface Doctor {
  ok: boolean;
  checks: { name: string; outcome: string; detail: string; fix?: string }[];
}
const check = (report: Doctor, name: string) => report.checks.find((c) => c.name === name);

describe('doctor', () => {
  test('passes on a healthy stack, every check ok', async () => {
    const run = await cli(['doctor', '--json']);
    const report = json<Doctor>(run);
    expect(report.checks.filter((c) => c.outcome !== 'ok')).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      'configuration',
      'temporal',
      'namespace',
      'search attributes',
      'workers',
      'credentials',
      'provisioning',
      'watches',
      'schedules',
      'receiver',
    ]);
    expect(run.code).toBe(0);
    expect((await cli(['doctor'])).stdout).toContain('All checks passed.');
  });

  test('names a missing schedule and exits 1', async () => {
    const { full } = reconcileScheduleIds(stack.scene.salesProjectGid);
    await stack.client.schedule.getHandle(full).delete();
    try {
      const run = await cli(['doctor']);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`FAIL schedules: ${full} is missing`);
      expect(run.stdout).toContain(`fix: run \`npm run cli -- schedules --project ${stack.scene.salesProjectGid}\``);
    } finally {
      expect((await cli(['schedules', '--project', stack.scene.salesProjectGid])).code).toBe(0);
    }
  });

  test('names an unreachable receiver and exits 1', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await cli(['doctor', '--json'], deploymentEnv({ RECEIVER_PUBLIC_URL: closed }));
    expect(run.code).toBe(1);
    const receiver = check(json<Doctor>(run), 'receiver')!;
    expect(receiver.outcome).toBe('failed');
    expect(receiver.detail).toContain(`${closed}/healthz is unreachable`);
  });

  test('names the queues no worker polls, skips what needs a worker, and exits 1', async () => {
    const idle = uniqueTaskQueues();
    const run = await cli(['doctor', '--json'], deploymentEnv({ TEMPORAL_TASK_QUEUE: idle.sync }));
    expect(run.code).toBe(1);
    const report = json<Doctor>(run);
    expect(check(report, 'workers')).toMatchObject({ outcome: 'failed' });
    expect(check(report, 'workers')!.detail).toContain(
      `no worker polls ${idle.sync} for workflow tasks, ${idle.sync} for activity tasks, ` +
        `${idle.asana} for activity tasks, ${idle.attio} for activity tasks`,
    );
    expect(check(report, 'credentials')).toMatchObject({ outcome: 'skipped' });
  });

  test('names a stopped worker by the work it left waiting, and exits 1', async () => {
    await stack.stopWorkers();
    try {
      const run = await cli(['doctor', '--json']);
      expect(run.code).toBe(1);
      const report = json<Doctor>(run);
      expect(check(report, 'credentials')).toMatchObject({
        outcome: 'failed',
        detail: `no answer within 20 s: no worker ran its workflow task on ${stack.queues.sync}`,
      });
      // With no worker to answer its status query, a watch cannot be called healthy either.
      expect(check(report, 'watches')).toMatchObject({ outcome: 'failed' });
    } finally {
      await stack.startWorkers();
    }
  });

  test('names what provisioning would create for a scope with more fields, creating nothing', async () => {
    const wider = {
      ...stack.fieldMap,
      projects: {
        ...stack.fieldMap.projects,
        customFields: [
          ...stack.fieldMap.projects.customFields,
          { asana: 'Contract value', attio: 'contract_value', type: 'number' },
        ],
      },
    };
    const env = deploymentEnv({ SCOPE_FILE: writeScope('wider.json', wider) });
    const run = await cli(['doctor', '--json'], env);
    expect(run.code).toBe(1);
    const provisioning = check(json<Doctor>(run), 'provisioning')!;
    expect(provisioning).toMatchObject({ outcome: 'failed', fix: 'run `npm run cli -- provision`' });
    expect(provisioning.detail).toContain('contract_value');
    // Read-only: asking again finds the same thing missing.
    expect(check(json<Doctor>(await cli(['doctor', '--json'], env)), 'provisioning')).toEqual(provisioning);
  });
});

describe('unwatch', () => {
  test('unwatch --json stops the watch; status then no longer lists it', async () => {
    const run = await cli(['unwatch', stack.scene.salesProjectGid, '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({ resourceGid: stack.scene.salesProjectGid, unwatched: true });
    await waitFor(async () => json<Overview>(await cli(['status', '--json'])).watches.length === 0, {
      what: 'the overview without the watch',
    });
  });
});
