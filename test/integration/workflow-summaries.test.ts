/**
 * What the Temporal UI shows: every workflow the service starts carries a static summary and details in words, naming
 * the resource and the purpose, stored encrypted like every payload (the UI reads them through the codec server); and
 * backfills and resyncs get ids named by their scope, so starting one twice joins the first.
 */
import { type Client, type WorkflowHandle } from '@temporalio/client';
import { reconcileScheduleIds, installReconcileSchedules, removeReconcileSchedules } from '../../client/schedules';
import { startBackfill } from '../../client/operations';
import { signalAsanaChange } from '../../common/signal-asana-change';
import { testClient, uniqueTaskQueues } from '../helpers/temporal';

let client: Client;
// No worker polls these queues: starting, describing and terminating need none.
const queues = uniqueTaskQueues('workflow-summaries');
const started: WorkflowHandle[] = [];
const gid = () => `13${Date.now()}${Math.floor(Math.random() * 1000)}`.slice(0, 16);

beforeAll(async () => {
  client = await testClient();
});
afterAll(async () => {
  await Promise.all(started.map((handle) => handle.terminate('test over').catch(() => undefined)));
  await client.connection.close();
});

/** The summary and details as the UI shows them (decoded), and whether the stored ones are encrypted. */
async function metadataOf(handle: WorkflowHandle) {
  const description = await handle.describe();
  const stored = description.raw.executionConfig?.userMetadata?.summary;
  return {
    summary: await description.staticSummary(),
    details: await description.staticDetails(),
    storedEncoding: Buffer.from(stored?.metadata?.encoding ?? []).toString(),
    storedText: Buffer.from(stored?.data ?? []).toString('latin1'),
  };
}

test('a backfill is named by its scope, says what it copies, and starting it again joins it', async () => {
  const projects = [gid(), gid()];
  const handle = await startBackfill(client, { projectGids: projects }, undefined, queues.sync);
  started.push(handle);
  expect(handle.workflowId).toBe(`backfill-projects-${projects[0]}-${projects[1]}`);
  const again = await startBackfill(client, { projectGids: projects }, undefined, queues.sync);
  expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);

  const metadata = await metadataOf(handle);
  expect(metadata.summary).toBe(`Backfill Asana projects ${projects[0]}, ${projects[1]} into Attio`);
  expect(metadata.details).toMatch(/backfillProgress/);
  expect(metadata.storedEncoding).toBe('binary/encrypted');
  expect(metadata.storedText).not.toContain('Backfill');
});

test('a sync workflow started by a change names its resource', async () => {
  const task = gid();
  await signalAsanaChange(
    client,
    { gid: task, resource_type: 'task' },
    { action: 'changed', source: 'webhook' },
    { taskQueue: queues.sync },
  );
  const handle = client.workflow.getHandle(`asana-sync-task-${task}`);
  started.push(handle);
  const metadata = await metadataOf(handle);
  expect(metadata.summary).toBe(`Sync Asana task ${task} to Attio`);
  expect(metadata.details).toMatch(/syncStatus/);
  expect(metadata.storedEncoding).toBe('binary/encrypted');
});

test('the reconciliation schedules start runs that say which project and which kind', async () => {
  const project = gid();
  await installReconcileSchedules(client, [project], {
    incrementalEveryMinutes: 15,
    fullEveryHours: 24,
    taskQueue: queues.sync,
  });
  try {
    const ids = reconcileScheduleIds(project);
    const full = await client.schedule.getHandle(ids.full).describe();
    const incremental = await client.schedule.getHandle(ids.incremental).describe();
    expect(full.action.type).toBe('startWorkflow');
    if (full.action.type !== 'startWorkflow' || incremental.action.type !== 'startWorkflow') return;
    expect(full.action.staticSummary).toBe(`Full reconciliation of Asana project ${project} with Attio`);
    expect(incremental.action.staticSummary).toBe(`Incremental reconciliation of Asana project ${project} with Attio`);
    expect(full.action.staticDetails).toMatch(/missing, stale or orphaned/);
  } finally {
    await removeReconcileSchedules(client, project);
  }
});
