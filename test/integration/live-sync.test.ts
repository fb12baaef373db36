/**
 * The live path end to end, on the real Temporal dev server and both stand-ins: Asana's handshake and signed
 * deliveries reach the receiver, per-gid workflows debounce them, fetch the current state and upsert Attio.
 */
import { request } from 'undici';
import { signDelivery } from '../../asana/webhook-signature';
import { provisionAttioNow, watchResource } from '../../client/operations';
import { syncWorkflowId } from '../../common/workflow-ids';
import type { PlainEntry } from '../../stand-ins/attio/workspace';
import { type LiveStack, startLiveStack } from '../helpers/live-stack';
import { waitFor } from '../helpers/wait-for';
import { syncStatusQuery } from '../../workflows/definitions';

let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack();
  await provisionAttioNow(stack.client, stack.queues.sync);
  await watchResource(
    stack.client,
    { resourceGid: stack.scene.salesProjectGid, resourceType: 'project', workspaceGid: stack.scene.workspaceGid },
    { taskQueue: stack.queues.sync },
  );
});
afterAll(() => stack.close());

const entryOf = (taskGid: string): PlainEntry | undefined => {
  const record = stack.attio.findRecord(stack.fieldMap.salesTasks.parentObject, 'asana_gid', taskGid);
  return record ? stack.attio.entriesOf(stack.fieldMap.salesTasks.list, record.recordId)[0] : undefined;
};
const value = (row: { values: Record<string, unknown[]> } | undefined, slug: string) => row?.values[slug]?.[0];
const asanaFetches = (taskGid: string) =>
  stack.asana.requests.count({ method: 'GET', path: `/api/1.0/tasks/${taskGid}` });
const entryWrites = (taskGid: string) => {
  const entry = entryOf(taskGid);
  return entry ? stack.attio.writesTo(entry.entryId).length : 0;
};

async function newSyncedTask(name: string, stage = 'Lead') {
  const task = stack.asana.store.createTask({
    project: stack.scene.salesProjectGid,
    section: stack.scene.stageSectionGids[stage]!,
    name,
    notes: 'Decision maker: Ines Duarte <ines.duarte@initech.example>',
    custom: { [stack.scene.customFields.priority]: 'High', [stack.scene.customFields.dealSize]: 12000 },
  });
  await waitFor(() => value(entryOf(task.gid), 'name') === name, { what: `entry for ${name}` });
  return task;
}

test('a task created, moved, renamed and completed in Asana is exactly its mapped state in Attio', async () => {
  const task = await newSyncedTask('Send proposal to Initech');
  stack.asana.store.moveTask(task.gid, stack.scene.stageSectionGids.Proposal!);
  stack.asana.store.updateTask(task.gid, { name: 'Send revised proposal to Initech', completed: true });
  await waitFor(() => value(entryOf(task.gid), 'completed') === true, { what: 'completion in Attio' });
  const entry = entryOf(task.gid)!;
  expect(entry.values).toMatchObject({
    name: ['Send revised proposal to Initech'],
    completed: [true],
    stage: ['Proposal'],
    priority: ['High'],
    deal_size: [12000],
    task_type: ['default_task'],
    deleted_in_asana: [false],
  });
  expect(value(entry, 'completed_at')).toEqual(expect.any(String));
  // The person named in the notes is linked (people linking on in this stack).
  const person = stack.attio.findRecord('people', 'email_addresses', 'ines.duarte@initech.example');
  expect(person).toBeDefined();
  expect(JSON.stringify(entry.values.people)).toContain(person!.recordId);
});

test('renaming a section renames the stage of its tasks; renaming the project updates its record', async () => {
  const task = await newSyncedTask('Qualify Hooli', 'Qualified');
  stack.asana.store.renameSection(stack.scene.stageSectionGids.Qualified!, 'Qualified lead');
  stack.asana.store.updateProject(stack.scene.salesProjectGid, { name: 'Sales Tasks 2027' });
  await waitFor(
    () =>
      stack.attio
        .choices('lists', stack.fieldMap.salesTasks.list, stack.fieldMap.salesTasks.stageAttribute)
        .some((s) => s.title === 'Qualified lead'),
    { what: 'renamed stage' },
  );
  expect(value(entryOf(task.gid), 'stage')).toBe('Qualified lead');
  await waitFor(
    () =>
      value(
        stack.attio.findRecord(stack.fieldMap.projects.object, 'asana_gid', stack.scene.salesProjectGid),
        'name',
      ) === 'Sales Tasks 2027',
    { what: 'project record' },
  );
});

test('a burst of 50 changes to one task is one Asana fetch and at most one Attio write', async () => {
  const task = await newSyncedTask('Burst target');
  const fetchesBefore = asanaFetches(task.gid);
  const writesBefore = entryWrites(task.gid);
  for (let i = 1; i <= 50; i += 1) stack.asana.store.updateTask(task.gid, { name: `Burst target v${i}` });
  await waitFor(() => value(entryOf(task.gid), 'name') === 'Burst target v50', { what: 'last burst value' });
  // Let a trailing sync, if any, happen before counting.
  await waitFor(
    async () =>
      (
        await stack.client.workflow
          .getHandle(syncWorkflowId({ resource_type: 'task', gid: task.gid }))
          .query(syncStatusQuery)
      ).state === 'waiting',
  );
  expect(asanaFetches(task.gid) - fetchesBefore).toBe(1);
  expect(entryWrites(task.gid) - writesBefore).toBeLessThanOrEqual(1);
});

test('a change that leaves the mapped content as it was costs no Attio write', async () => {
  const task = await newSyncedTask('No-op target');
  const handle = stack.client.workflow.getHandle(syncWorkflowId({ resource_type: 'task', gid: task.gid }));
  const status = async () => await handle.query(syncStatusQuery);
  // The entry is visible in Attio before the sync that wrote it has been counted: wait for the workflow to settle, or
  // that first (writing) sync would be taken for the no-op one.
  await waitFor(async () => (await status()).state === 'waiting', { what: 'first sync settled' });
  const before = await status();
  const writesBefore = entryWrites(task.gid);
  stack.asana.store.updateTask(task.gid, { name: 'No-op target' });
  await waitFor(async () => {
    const now = await status();
    return now.syncs > before.syncs && now.state === 'waiting';
  });
  const after = await status();
  // Every sync since (the no-op one, and any trailing delivery of the creation) fetched and skipped its write.
  expect(after.skippedWrites - before.skippedWrites).toBe(after.syncs - before.syncs);
  expect(after.attioWrites).toBe(before.attioWrites);
  expect(entryWrites(task.gid)).toBe(writesBefore);
});

test('duplicated and reordered deliveries are harmless, forged ones are refused and start nothing', async () => {
  const task = await newSyncedTask('Order test');
  stack.asana.store.updateTask(task.gid, { name: 'Order test final' });
  await waitFor(() => value(entryOf(task.gid), 'name') === 'Order test final');
  const webhook = [...stack.asana.webhooks.all.values()].find((w) => w.resource.gid === stack.scene.salesProjectGid)!;
  const target = webhook.target;
  const old = {
    action: 'changed',
    created_at: '2020-01-01T00:00:00.000Z',
    resource: { gid: task.gid, resource_type: 'task' },
    parent: null,
    user: null,
  };
  const body = JSON.stringify({ events: [old, { ...old, action: 'added' }] });
  for (let i = 0; i < 2; i += 1) {
    const response = await request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hook-signature': signDelivery(body, webhook.secret) },
      body,
    });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
  }
  const forged = await request(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hook-signature': signDelivery(body, 'f'.repeat(64)) },
    body,
  });
  expect(forged.statusCode).toBe(401);
  await forged.body.dump();
  // Old, repeated events only cause a re-read: Attio keeps the current Asana state.
  const handle = stack.client.workflow.getHandle(syncWorkflowId({ resource_type: 'task', gid: task.gid }));
  await waitFor(async () => (await handle.query(syncStatusQuery)).state === 'waiting');
  expect(value(entryOf(task.gid), 'name')).toBe('Order test final');
});

test('deleted → tombstoned, undeleted → restored, removed from the source project → tombstoned', async () => {
  const task = await newSyncedTask('Lifecycle');
  stack.asana.store.deleteTask(task.gid);
  await waitFor(() => value(entryOf(task.gid), 'deleted_in_asana') === true, { what: 'tombstone' });
  expect(value(entryOf(task.gid), 'deleted_in_asana_at')).toEqual(expect.any(String));
  stack.asana.store.undeleteTask(task.gid);
  await waitFor(() => value(entryOf(task.gid), 'deleted_in_asana') === false, { what: 'restore' });
  stack.asana.store.removeTaskFromProject(task.gid, stack.scene.salesProjectGid);
  await waitFor(() => value(entryOf(task.gid), 'deleted_in_asana') === true, { what: 'tombstone after removal' });
  // Never a hard delete.
  expect(entryOf(task.gid)).toBeDefined();
});

test('an Attio 429 storm delays writes until after the Retry-After waits, and everything lands', async () => {
  const task = await newSyncedTask('Storm target');
  stack.attio.faults.add({ pathPrefix: '/v2/lists', method: 'PUT', status: 429, count: 4 });
  stack.asana.store.updateTask(task.gid, { name: 'Storm target after the storm' });
  await waitFor(() => value(entryOf(task.gid), 'name') === 'Storm target after the storm', {
    what: 'write after 429s',
    timeoutMs: 60_000,
  });
  const refused = stack.attio.requests.list().filter((r) => r.status === 429 && r.fault);
  expect(refused.length).toBe(4);
});
