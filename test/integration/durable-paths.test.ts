/**
 * The durable paths end to end on the real dev server and both stand-ins, with the stand-ins' controllable clock:
 * webhook health and gap repair, reconciliation, and resync through its three entry points.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { provisionAttioNow, reconcileNow, watchResource } from '../../client/operations';
import { createLogger } from '../../common/logger';
import { ensureTemporalCli } from '../../common/temporal-dev-server';
import { webhookWorkflowId } from '../../common/workflow-ids';
import { createReceiverApp } from '../../receiver/app';
import { listen } from '../../common/listen';
import { checkHealthSignal, unwatchSignal, webhookStatusQuery } from '../../workflows/definitions';
import { type LiveStack, startLiveStack } from '../helpers/live-stack';
import { temporalTestAddress } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

const HOUR = 3_600_000;
const root = resolve(__dirname, '../..');
let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack({ seed: { projects: 3, tasksPerProject: 3 } });
  await provisionAttioNow(stack.client, stack.queues.sync);
});
afterAll(() => stack.close());

const entryOf = (taskGid: string) => {
  const record = stack.attio.findRecord(stack.fieldMap.salesTasks.parentObject, 'asana_gid', taskGid);
  return record ? stack.attio.entriesOf(stack.fieldMap.salesTasks.list, record.recordId)[0] : undefined;
};
const nameInAttio = (taskGid: string) => entryOf(taskGid)?.values.name?.[0];

async function watch(projectGid: string) {
  return watchResource(
    stack.client,
    {
      resourceGid: projectGid,
      resourceType: 'project',
      workspaceGid: stack.scene.workspaceGid,
      health: { intervalMs: 24 * HOUR },
    },
    { taskQueue: stack.queues.sync },
  );
}

test('a webhook whose target fails for 20 h is re-created before Asana deletes it, and the outage’s changes reach Attio', async () => {
  const project = stack.scene.salesProjectGid;
  const handle = await watch(project);
  const first = await handle.query(webhookStatusQuery);
  const task = stack.asana.store.createTask({
    project,
    section: stack.scene.stageSectionGids.Lead!,
    name: 'Before the outage',
  });
  await waitFor(() => nameInAttio(task.gid) === 'Before the outage');

  stack.asana.webhooks.outageUntil = stack.asana.clock.now() + 20 * HOUR;
  stack.asana.store.updateTask(task.gid, { name: 'Changed during the outage' });
  const duringOutage = stack.asana.store.createTask({
    project,
    section: stack.scene.stageSectionGids.Won!,
    name: 'Created during the outage',
  });
  // 20 h of Asana's clock, an hour at a time, retries failing all along; the health check looks every 3 h.
  for (let hour = 1; hour <= 20; hour += 1) {
    stack.asana.clock.advance(HOUR);
    await waitFor(() => true);
    if (hour % 3 === 0) await handle.signal(checkHealthSignal);
  }
  await waitFor(async () => ((await handle.query(webhookStatusQuery)).recreations ?? 0) >= 1, { what: 're-creation' });
  await waitFor(() => nameInAttio(task.gid) === 'Changed during the outage', { what: 'gap repaired' });
  await waitFor(() => nameInAttio(duringOutage.gid) === 'Created during the outage', { what: 'new task repaired' });
  const status = await handle.query(webhookStatusQuery);
  expect(status.generation).toBeGreaterThan(first.generation);
  // Asana never reached its 24 h deletion: the first webhook was removed by us, a current one exists.
  expect(stack.asana.webhooks.all.has(first.webhookGid!)).toBe(false);
  expect(stack.asana.webhooks.all.has(status.webhookGid!)).toBe(true);
  stack.asana.webhooks.outageUntil = 0;
});

test('a webhook Asana deleted is detected and re-created, and the gap is repaired', async () => {
  const project = stack.scene.projectGids[1]!;
  const handle = await watch(project);
  const { webhookGid } = await handle.query(webhookStatusQuery);
  stack.asana.webhooks.delete(webhookGid!);
  const task = [...stack.asana.store.tasks.values()].find((t) => t.memberships.some((m) => m.project === project))!;
  // Also in the Sales Tasks project, so it has an entry to update.
  stack.asana.store.addTaskToProject(task.gid, stack.scene.salesProjectGid, stack.scene.stageSectionGids.Proposal);
  stack.asana.store.updateTask(task.gid, { name: 'Changed while no webhook existed' });
  await handle.signal(checkHealthSignal);
  await waitFor(async () => (await handle.query(webhookStatusQuery)).webhookGid !== webhookGid, {
    what: 're-creation',
  });
  await waitFor(() => nameInAttio(task.gid) === 'Changed while no webhook existed', { what: 'repair' });
});

test('reconciliation repairs a task changed while no webhook existed and tombstones one deleted in Asana', async () => {
  const project = stack.scene.salesProjectGid;
  await stack.client.workflow.getHandle(webhookWorkflowId(project)).signal(unwatchSignal);
  await waitFor(() => ![...stack.asana.webhooks.all.values()].some((w) => w.resource.gid === project), {
    what: 'unwatched',
  });
  const [changed, deleted] = stack.scene.taskGids.filter((gid) =>
    stack.asana.store.tasks.get(gid)!.memberships.some((m) => m.project === project),
  );
  await reconcileNow(stack.client, { projectGid: project, mode: 'full' }, stack.queues.sync);
  await waitFor(() => nameInAttio(changed!) !== undefined && nameInAttio(deleted!) !== undefined, {
    what: 'initial state',
  });

  stack.asana.store.updateTask(changed!, { name: 'Changed with nobody listening' });
  stack.asana.store.deleteTask(deleted!);
  const report = await reconcileNow(stack.client, { projectGid: project, mode: 'full' }, stack.queues.sync);
  expect(report).toMatchObject({ mode: 'full', stale: 1, orphaned: 1 });
  await waitFor(() => nameInAttio(changed!) === 'Changed with nobody listening', { what: 'stale repaired' });
  await waitFor(() => entryOf(deleted!)?.values.deleted_in_asana?.[0] === true, { what: 'tombstone' });
});

describe('resync', () => {
  /** Someone edits the entry in Attio; a resync puts Asana's value back. */
  async function tamper(taskGid: string) {
    const entry = entryOf(taskGid)!;
    const response = await request(
      `${stack.attio.url}/v2/lists/${stack.fieldMap.salesTasks.list}/entries/${entry.entryId}`,
      {
        method: 'PATCH',
        headers: { authorization: `Bearer ${stack.attio.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ data: { entry_values: { name: ['Edited in Attio'] } } }),
      },
    );
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    expect(nameInAttio(taskGid)).toBe('Edited in Attio');
  }
  const salesTask = () =>
    stack.scene.taskGids.find((gid) => nameInAttio(gid) && !stack.asana.store.tasks.get(gid)!.deleted)!;

  test('from the project CLI', async () => {
    const gid = salesTask();
    await tamper(gid);
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', resolve(root, 'cli/main.ts'), 'resync', '--task', gid],
      {
        cwd: root,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: temporalTestAddress(),
          TEMPORAL_TASK_QUEUE: stack.queues.sync,
          LOG_LEVEL: 'warn',
        },
      },
    );
    await waitFor(() => nameInAttio(gid) === stack.asana.store.tasks.get(gid)!.name, { what: 'resync via CLI' });
  });

  test('from `temporal workflow start` with JSON input', async () => {
    const gid = salesTask();
    await tamper(gid);
    const cli = await ensureTemporalCli();
    await promisify(execFile)(cli, [
      'workflow',
      'start',
      '--address',
      temporalTestAddress(),
      '--type',
      'resync',
      '--task-queue',
      stack.queues.sync,
      '--workflow-id',
      `resync-cli-${gid}`,
      '--input',
      JSON.stringify({ resources: [{ gid, resource_type: 'task' }] }),
    ]);
    await waitFor(() => nameInAttio(gid) === stack.asana.store.tasks.get(gid)!.name, {
      what: 'resync via temporal CLI',
    });
  });

  test('from the receiver’s authenticated POST /resync (bulk: every task of the project)', async () => {
    const gid = salesTask();
    await tamper(gid);
    const token = 'resync-secret-for-tests-000000000';
    const receiver = await listen(
      createReceiverApp({
        client: stack.client,
        logger: createLogger({ level: 'fatal', format: 'json' }),
        resync: { token, taskQueue: stack.queues.sync },
      }),
      0,
      '127.0.0.1',
    );
    try {
      const response = await request(`http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/resync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ projectGid: stack.scene.salesProjectGid }),
      });
      expect(response.statusCode).toBe(202);
      await response.body.dump();
      await waitFor(() => nameInAttio(gid) === stack.asana.store.tasks.get(gid)!.name, { what: 'resync via HTTP' });
    } finally {
      await receiver.close();
    }
  });
});
