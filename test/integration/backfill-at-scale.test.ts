/**
 * Backfill at scale through both stand-ins: 5,000 tasks across 20 projects, with sections and custom fields, end up in
 * Attio exactly as in Asana; a worker killed mid-backfill and replaced gives the same final state, with no duplicate
 * records or entries.
 */
import { provisionAttioNow, startBackfill } from '../../client/operations';
import { mapTask } from '../../mapping/map-asana-to-attio';
import { fullTask } from '../../stand-ins/asana/serialize';
import { AsanaTask } from '../../mapping/asana-resources';
import { backfillProgressQuery } from '../../workflows/definitions';
import { type LiveStack, startLiveStack } from '../helpers/live-stack';
import { waitFor } from '../helpers/wait-for';

const PROJECTS = 20;
const TASKS_PER_PROJECT = 250;
let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack({
    seed: { projects: PROJECTS, tasksPerProject: TASKS_PER_PROJECT, sectionsPerProject: 4 },
    people: false,
    attioWritesPerSecond: 10_000,
    // The stand-ins can take it; the point here is completeness and recovery, not pacing (see bench/).
    env: { ATTIO_MAX_WRITES_PER_SECOND: '1000', ASANA_MAX_REQUESTS_PER_SECOND: '1000' },
  });
  await provisionAttioNow(stack.client, stack.queues.sync);
});
afterAll(() => stack.close());

test('5,000 tasks in 20 projects arrive complete and exact, across a worker restart, without duplicates', async () => {
  expect(stack.asana.store.tasks.size).toBe(PROJECTS * TASKS_PER_PROJECT);
  const handle = await startBackfill(
    stack.client,
    { workspaceGid: stack.scene.workspaceGid },
    `backfill-scale-${stack.queues.sync}`,
    stack.queues.sync,
  );
  await waitFor(async () => (await handle.query(backfillProgressQuery)).pages >= 10, {
    what: 'some pages',
    timeoutMs: 120_000,
  });
  await stack.restartWorkers();
  const progress = await handle.result();
  expect({ ...progress, lastError: progress.lastError ?? 'none' }).toMatchObject({
    done: true,
    projects: PROJECTS,
    errors: 0,
    lastError: 'none',
  });

  // Only the Sales Tasks project's tasks are Sales Task entries; every project is a record.
  const salesTasks = [...stack.asana.store.tasks.values()].filter((t) =>
    t.memberships.some((m) => m.project === stack.scene.salesProjectGid),
  );
  const records = stack.attio.records(stack.fieldMap.salesTasks.parentObject);
  const entries = stack.attio.entries(stack.fieldMap.salesTasks.list);
  expect(records).toHaveLength(salesTasks.length);
  expect(entries).toHaveLength(salesTasks.length);
  expect(new Set(records.map((r) => r.values.asana_gid?.[0])).size).toBe(records.length);
  expect(new Set(entries.map((e) => e.parentRecordId)).size).toBe(entries.length);
  expect(stack.attio.records(stack.fieldMap.projects.object)).toHaveLength(PROJECTS);

  // Each entry holds exactly what the mapping makes of the task as Asana has it now.
  for (const task of salesTasks) {
    const mapped = mapTask(AsanaTask.parse(fullTask(stack.asana.store, task)), stack.fieldMap);
    if (mapped.kind !== 'task' || mapped.state !== 'present')
      throw new Error(`task ${task.gid} should be in the source project`);
    const record = stack.attio.findRecord(stack.fieldMap.salesTasks.parentObject, 'asana_gid', task.gid)!;
    const entry = stack.attio.entriesOf(stack.fieldMap.salesTasks.list, record.recordId)[0]!;
    expect([task.gid, entry.values.name, entry.values.deal_size, entry.values.priority, entry.values.stage]).toEqual([
      task.gid,
      mapped.entryValues.name,
      mapped.entryValues.deal_size,
      mapped.entryValues.priority,
      [mapped.stage!.name],
    ]);
  }
}, 300_000);
