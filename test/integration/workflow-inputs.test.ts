/**
 * A wrong input, as an operator may type it into the Temporal UI or `temporal workflow start --input`, fails its
 * workflow at once with a non-retryable failure that names the field, before any activity runs.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { INVALID_WORKFLOW_INPUT } from '../../workflows/inputs';
import { connectWorkerConnection, startFakeWorkers, testClient } from '../helpers/temporal';

let client: Client;
let connection: NativeConnection;
let workers: Awaited<ReturnType<typeof startFakeWorkers>>;
// Workers need one activity registered; a rejected input must schedule none (checked in its history).
const activities = { unused: async () => undefined };

beforeAll(async () => {
  client = await testClient();
  connection = await connectWorkerConnection();
  workers = await startFakeWorkers(connection, activities);
});
afterAll(async () => {
  await workers?.stop();
  await connection?.close();
  await client?.connection.close();
});

async function failureOf(workflowType: string, input: unknown): Promise<ApplicationFailure> {
  const handle = await client.workflow.start(workflowType, {
    taskQueue: workers.queues.sync,
    workflowId: `invalid-input-${workflowType}-${Math.random().toString(36).slice(2)}`,
    args: [input],
  });
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const { events } = await handle.fetchHistory();
  expect(events!.filter((event) => event.activityTaskScheduledEventAttributes)).toEqual([]);
  return cause as ApplicationFailure;
}

test.each([
  ['backfill', { projectGid: '1200000000000001' }, /projectGid|scope/],
  ['backfill', { projectGids: ['12000000000x'] }, /projectGids\.0: expected an Asana gid/],
  ['backfill', { workspaceGid: '1', teamGid: '2' }, /exactly one scope/],
  ['reconcileProject', { projectGid: '1200000000000001', mode: 'everything' }, /mode: /],
  ['reconcileProject', { projectGid: '1200000000000001', mode: 'full', modifiedSince: 'yesterday' }, /modifiedSince/],
  ['resync', { resources: [{ gid: '1200000000000001', resource_type: 'tsk' }] }, /resources\.0\.resource_type/],
  ['resync', { tasks: ['1200000000000001'] }, /name what to resync: one of resources, attio/],
  ['resync', { stale: true }, /projectGids/],
  ['watchAsanaResource', { resourceGid: '1200000000000001', resourceType: 'project' }, /workspaceGid/],
  [
    'watchAsanaResource',
    { resourceGid: '1', resourceType: 'project', workspaceGid: '2', health: { interval: 5 } },
    /health/,
  ],
  ['syncAsanaResource', { resource: { gid: '1200000000000001' } }, /resource\.resource_type/],
  ['checkConnections', { systems: ['jira'] }, /systems\.0/],
  ['asanaWebhookInventory', { workspace: '1200000000000001' }, /workspaceGid/],
  ['asanaWebhookInventory', { workspaceGid: '1', deleteWebhookGids: ['w1'] }, /deleteWebhookGids\.0/],
])('%s refuses %j, naming the field', async (workflowType, input, field) => {
  const failure = await failureOf(workflowType, input);
  expect(failure.type).toBe(INVALID_WORKFLOW_INPUT);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toMatch(new RegExp(`^invalid ${workflowType} input: `));
  expect(failure.message).toMatch(field);
});
