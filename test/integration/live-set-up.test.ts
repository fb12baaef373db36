/**
 * Set-up as the README tells a new user to do it, against the stand-ins: only the README's live variables and a scope
 * file (plus where Asana, Attio and Temporal are), `npm start`, then `provision`, `watch` and `backfill` with the CLI.
 * Tasks, projects and sections end up in Attio, and a change in Asana syncs live. A scope without a Sales Tasks source
 * is refused at start-up, naming the setting, before anything starts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../common/ports';
import { DEMO_PAYLOAD_KEY } from '../../common/payload-codec';
import { type AsanaStandIn, startAsanaStandIn } from '../../stand-ins/asana/server';
import { type Scene, seedScene } from '../../stand-ins/asana/seed';
import { type AttioStandIn, startAttioStandIn } from '../../stand-ins/attio/server';
import { StandInClock } from '../../stand-ins/kit/clock';
import { type ChildRun, runCli, startService } from '../helpers/service-process';
import { temporalTestAddress, uniqueTaskQueues } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

/** The variables the README's demo section names for a live start. */
function readmeLiveVariables(): string[] {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  const sentence = /To run against the real APIs, set ([^.]+?)\s*\(in the environment/s.exec(readme)?.[1];
  if (!sentence) throw new Error('README: the sentence naming the live variables is gone');
  return [...sentence.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!);
}

let asana: AsanaStandIn;
let attio: AttioStandIn;
let scene: Scene;
let dir: string;
beforeAll(async () => {
  const clock = new StandInClock();
  const firstGid = 1_400_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)) * 1_000_000n;
  asana = await startAsanaStandIn({ clock, firstGid, allowLoopbackTargets: true, webhooks: { batchWindowMs: 50 } });
  attio = await startAttioStandIn({ clock });
  scene = seedScene(asana.store, { seed: 5, projects: 2, tasksPerProject: 3 });
  dir = mkdtempSync(join(tmpdir(), 'live-set-up-'));
});
afterAll(async () => {
  await asana.close();
  await attio.close();
});

const scopeFile = (name: string, yaml: string) => {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
};

/** The README's live variables with the stand-ins' values, a scope file, and where things are (not secrets). */
async function liveEnvironment(scope: string): Promise<Record<string, string>> {
  const receiverPort = await freePort();
  const values: Record<string, string> = {
    ASANA_TOKEN: asana.token,
    ATTIO_TOKEN: attio.token,
    PAYLOAD_ENCRYPTION_KEY: DEMO_PAYLOAD_KEY,
    RECEIVER_PUBLIC_URL: `http://127.0.0.1:${receiverPort}`,
  };
  const readme = readmeLiveVariables();
  expect(readme.sort()).toEqual(Object.keys(values).sort());
  return {
    ...values,
    SCOPE_FILE: scope,
    // Where the APIs and Temporal are, which a real deployment leaves at their defaults or sets for its cluster.
    ASANA_BASE_URL: asana.url,
    ATTIO_BASE_URL: attio.url,
    TEMPORAL_ADDRESS: temporalTestAddress(),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueues().sync,
    RECEIVER_PORT: String(receiverPort),
    LOG_FORMAT: 'json',
  };
}

test('a live start whose scope names no Sales Tasks source stops, naming the setting, and starts nothing', async () => {
  const env = await liveEnvironment(scopeFile('no-source.yaml', `workspace: "${scene.workspaceGid}"\n`));
  const service = startService(env);
  try {
    await waitFor(() => service.child.exitCode !== null, { timeoutMs: 60_000, what: 'the start to stop by itself' });
  } finally {
    await service.stop();
  }
  expect(service.child.exitCode).toBe(2);
  expect(service.output()).toMatch(/SCOPE_FILE: SCOPE_FILE .*no-source\.yaml: salesTasks\.sourceProjects is empty/);
  expect(service.output()).toContain('syncs: projects-only');
  await expect(fetch(`${env.RECEIVER_PUBLIC_URL!}/healthz`)).rejects.toThrow();
});

test('the README’s live variables and a scope file give tasks, projects and sections in Attio, and live changes', async () => {
  const scope = scopeFile(
    'scope.yaml',
    [
      `workspace: "${scene.workspaceGid}"`,
      'watch:',
      `  projects: ["${scene.salesProjectGid}"]`,
      'salesTasks:',
      `  sourceProjects: ["${scene.salesProjectGid}"]`,
      '',
    ].join('\n'),
  );
  const env = await liveEnvironment(scope);
  let service: ChildRun | undefined;
  try {
    service = startService(env);
    await service.waitForOutput('asana-attio-sync is running');
    await service.waitForOutput('connection works');
    for (const step of [['provision'], ['watch'], ['backfill', '--workspace', scene.workspaceGid]]) {
      const cli = await runCli(step, env);
      expect({ step, code: cli.code, output: cli.code === 0 ? '' : cli.output }).toEqual({ step, code: 0, output: '' });
    }

    for (const gid of scene.projectGids) expect(attio.findRecord('asana_projects', 'asana_gid', gid)).toBeDefined();
    for (const gid of Object.values(scene.stageSectionGids)) {
      expect(attio.findRecord('asana_sections', 'asana_gid', gid)).toBeDefined();
    }
    const salesTasks = [...asana.store.tasks.values()].filter((t) =>
      t.memberships.some((m) => m.project === scene.salesProjectGid),
    );
    expect(salesTasks.length).toBe(3);
    const entryOf = (taskGid: string) => {
      const record = attio.findRecord('asana_tasks', 'asana_gid', taskGid);
      return record ? attio.entriesOf('sales_tasks', record.recordId)[0] : undefined;
    };
    for (const task of salesTasks) expect(entryOf(task.gid)?.values.name?.[0]).toBe(task.name);

    // Live: a rename in Asana reaches Attio through the webhook `watch` created.
    asana.store.updateTask(salesTasks[0]!.gid, { name: 'Renamed after go-live' });
    await waitFor(() => entryOf(salesTasks[0]!.gid)?.values.name?.[0] === 'Renamed after go-live', {
      timeoutMs: 30_000,
      what: 'the rename in Attio',
    });
  } finally {
    expect(await service?.stop()).toBe(0);
  }
});
