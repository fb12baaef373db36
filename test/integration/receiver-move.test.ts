/**
 * A domain move (issue 16 item 8) on the real dev server and both stand-ins: RECEIVER_PUBLIC_URL changes while the old
 * receiver is gone, and each watch, at its next health check and without being told, registers a new webhook at the
 * new receiver (a real handshake there), deletes the old webhook only after that, and replays from its last
 * confirmed point what the old receiver never received.
 */
import { provisionAttioNow, watchResource } from '../../client/operations';
import { webhookStatusQuery } from '../../workflows/definitions';
import { type LiveStack, startLiveStack } from '../helpers/live-stack';
import { waitFor } from '../helpers/wait-for';

let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack({ seed: { projects: 1, tasksPerProject: 3 } });
  await provisionAttioNow(stack.client, stack.queues.sync);
});
afterAll(() => stack?.close());

const nameInAttio = (taskGid: string) => {
  const record = stack.attio.findRecord(stack.fieldMap.salesTasks.parentObject, 'asana_gid', taskGid);
  return record
    ? stack.attio.entriesOf(stack.fieldMap.salesTasks.list, record.recordId)[0]?.values.name?.[0]
    : undefined;
};

test('after RECEIVER_PUBLIC_URL changes, the watch re-registers at the new receiver on its own and loses nothing', async () => {
  const project = stack.scene.salesProjectGid;
  const handle = await watchResource(
    stack.client,
    // Checks every 2 s, so "its next check" comes soon; nothing in this test signals the watch.
    {
      resourceGid: project,
      resourceType: 'project',
      workspaceGid: stack.scene.workspaceGid,
      health: { intervalMs: 2_000 },
    },
    { taskQueue: stack.queues.sync },
  );
  const before = await handle.query(webhookStatusQuery);
  const oldUrl = stack.receiverUrl;
  expect(stack.asana.webhooks.get(before.webhookGid!).target.startsWith(`${oldUrl}/webhooks/asana/${project}?`)).toBe(
    true,
  );
  const task = stack.asana.store.createTask({ project, section: stack.scene.stageSectionGids.Lead!, name: 'Before' });
  await waitFor(() => nameInAttio(task.gid) === 'Before', { what: 'the task in Attio' });
  // Two checks after the task arrived, so the watch's confirmed point is past it.
  const checked = (await handle.query(webhookStatusQuery)).lastCheckAt;
  await waitFor(async () => (await handle.query(webhookStatusQuery)).lastCheckAt !== checked, { what: 'a check' });

  const newUrl = await stack.moveReceiver(async () => {
    // The old domain is gone: this change's delivery fails, and the old webhook's retries never reach anyone.
    const attempts = stack.asana.webhooks.deliveries.length;
    stack.asana.store.updateTask(task.gid, { name: 'Changed during the move' });
    await waitFor(
      () =>
        stack.asana.webhooks.deliveries
          .slice(attempts)
          .some((d) => d.webhookGid === before.webhookGid && d.status !== 200),
      { what: 'a failed delivery to the old receiver' },
    );
  });
  expect(newUrl).not.toBe(oldUrl);

  await waitFor(async () => (await handle.query(webhookStatusQuery)).webhookGid !== before.webhookGid, {
    what: 'a new webhook',
  });
  const after = await handle.query(webhookStatusQuery);
  // The stand-in creates a webhook only once its target echoed the handshake: the new receiver answered it.
  expect(stack.asana.webhooks.get(after.webhookGid!).target.startsWith(`${newUrl}/webhooks/asana/${project}?`)).toBe(
    true,
  );
  await waitFor(() => !stack.asana.webhooks.all.has(before.webhookGid!), { what: 'the old webhook deleted' });
  await waitFor(() => nameInAttio(task.gid) === 'Changed during the move', { what: 'the missed change replayed' });
  const settled = await handle.query(webhookStatusQuery);
  expect(settled).toMatchObject({ health: 'healthy', generation: before.generation + 1 });
  expect(settled.recreations ?? 0).toBe(0);
  expect(settled.lastRepair).toMatch(/since/);
  // And the new webhook delivers: a change after the move arrives through it.
  stack.asana.store.updateTask(task.gid, { name: 'After the move' });
  await waitFor(() => nameInAttio(task.gid) === 'After the move', { what: 'a delivery to the new receiver' });
  await handle.terminate('test over');
});
