/**
 * The watch workflow's health checks on the real dev server, with Asana's side played by recording fakes whose
 * webhook reports are set per test (the stand-in end-to-end is in durable-paths tests): a failing webhook is
 * re-created before Asana's deadline, the old one deleted, and the gap repaired from the Events API, or by a
 * reconciliation when the events token expired.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { WebhookInspection } from '../../activities/asana';
import { webhookWorkflowId } from '../../common/workflow-ids';
import {
  type AsanaResourceRef,
  checkHealthSignal,
  webhookSecretsQuery,
  webhookStatusQuery,
} from '../../workflows/definitions';
import { connectWorkerConnection, testClient, testConfig, withFakeWorkers } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

const config = testConfig();
let client: Client;
let connection: NativeConnection;
beforeAll(async () => {
  client = await testClient(config);
  connection = await connectWorkerConnection();
});
afterAll(async () => {
  await client.connection.close();
  await connection.close();
});

const HOUR = 3_600_000;
const at = (base: number, hours: number) => new Date(base + hours * HOUR).toISOString();

function fakeAsana(options: { eventsExpire?: boolean } = {}) {
  const base = Date.parse('2026-11-20T00:00:00Z');
  const calls = {
    created: [] as number[],
    deleted: [] as string[],
    signalled: [] as AsanaResourceRef[][],
    reconciled: [] as string[],
  };
  let inspection: WebhookInspection = { exists: true, last_success_at: at(base, 0), created_at: at(base, 0) };
  let syncToken = 0;
  const activities = {
    async createAsanaWebhook(input: { generation: number }) {
      calls.created.push(input.generation);
      return { webhookGid: `w${input.generation}`, secret: `secret-of-generation-${input.generation}-xxxxxxxx` };
    },
    async deleteAsanaWebhook(input: { webhookGid: string }) {
      calls.deleted.push(input.webhookGid);
    },
    async inspectAsanaWebhook() {
      return inspection;
    },
    async readAsanaEvents(input: { sync?: string }) {
      syncToken += 1;
      if (options.eventsExpire && input.sync && calls.created.length > 1) {
        return { expired: true, sync: `t${syncToken}`, refs: [] };
      }
      return { expired: false, sync: `t${syncToken}`, refs: [{ gid: '5001', resource_type: 'task' as const }] };
    },
    async listAsanaPage(input: { collection: string; parentGid: string; modifiedSince?: string }) {
      if (input.collection === 'tasks') calls.reconciled.push(input.modifiedSince ?? 'all');
      return { gids: input.collection === 'tasks' ? ['6001', '6002'] : [] };
    },
    async signalAsanaResources(input: { refs: AsanaResourceRef[] }) {
      calls.signalled.push(input.refs);
      return input.refs.length;
    },
  };
  return { base, calls, activities, report: (next: WebhookInspection) => (inspection = next) };
}

async function startWatch(queue: string, resourceGid: string) {
  const handle = await client.workflow.start('watchAsanaResource', {
    taskQueue: queue,
    workflowId: webhookWorkflowId(resourceGid),
    // Checks only when signalled: the test decides when a check happens.
    args: [{ resourceGid, resourceType: 'project', workspaceGid: '1', health: { intervalMs: 24 * HOUR } }],
  });
  await waitFor(async () => (await handle.query(webhookStatusQuery)).health === 'healthy');
  return handle;
}

const gid = () => String(Date.now() + Math.floor(Math.random() * 1000));

test('a webhook failing for 20 h is re-created before Asana deletes it, the old one removed, the gap read back', async () => {
  const fake = fakeAsana();
  await withFakeWorkers(connection, fake.activities, async (queue) => {
    const handle = await startWatch(queue, gid());
    // Asana's report after 20 h of failed deliveries: deletion due 4 h later.
    fake.report({
      exists: true,
      created_at: at(fake.base, 0),
      last_success_at: at(fake.base, 0),
      last_failure_at: at(fake.base, 20),
      delivery_retry_count: 14,
      failure_deletion_timestamp: at(fake.base, 24),
    });
    await handle.signal(checkHealthSignal);
    // The re-creation is counted before the gap is repaired: wait for the repair too.
    await waitFor(async () => (await handle.query(webhookStatusQuery)).lastRepair !== undefined);
    const status = await handle.query(webhookStatusQuery);
    expect(status).toMatchObject({ generation: 2, webhookGid: 'w2', health: 'recreated' });
    expect(status.lastRepair).toMatch(/^events API: 1 resources re-synced/);
    expect(fake.calls.created).toEqual([1, 2]);
    expect(fake.calls.deleted).toEqual(['w1']);
    expect(fake.calls.signalled).toEqual([[{ gid: '5001', resource_type: 'task' }]]);
    // Both secrets verify deliveries while the old webhook may still deliver.
    expect((await handle.query(webhookSecretsQuery)).secrets).toHaveLength(2);
  });
});

test('a webhook Asana already deleted is re-created, and an expired events token falls back to reconciliation', async () => {
  const fake = fakeAsana({ eventsExpire: true });
  await withFakeWorkers(connection, fake.activities, async (queue) => {
    const resourceGid = gid();
    const handle = await startWatch(queue, resourceGid);
    fake.report({ exists: false });
    await handle.signal(checkHealthSignal);
    await waitFor(async () => /^reconciliation since/.test((await handle.query(webhookStatusQuery)).lastRepair ?? ''));
    expect(fake.calls.created).toEqual([1, 2]);
    // Reconciled from the last confirmed delivery (here: the registration), tasks included.
    expect(fake.calls.reconciled).toHaveLength(1);
    expect(fake.calls.signalled.flat()).toEqual(
      expect.arrayContaining([
        { gid: resourceGid, resource_type: 'project' },
        { gid: '6001', resource_type: 'task' },
        { gid: '6002', resource_type: 'task' },
      ]),
    );
  });
});

test('a webhook failing briefly is reported as failing and left alone', async () => {
  const fake = fakeAsana();
  await withFakeWorkers(connection, fake.activities, async (queue) => {
    const handle = await startWatch(queue, gid());
    fake.report({
      exists: true,
      last_success_at: at(fake.base, 0),
      last_failure_at: at(fake.base, 0.5),
      failure_deletion_timestamp: at(fake.base, 24),
    });
    await handle.signal(checkHealthSignal);
    await waitFor(async () => (await handle.query(webhookStatusQuery)).health === 'failing');
    expect(fake.calls.created).toEqual([1]);
    expect(fake.calls.deleted).toEqual([]);
  });
});

test('a heartbeat missing for longer than 8 h plus the grace is reported as overdue, in the status and the search attribute', async () => {
  const fake = fakeAsana();
  await withFakeWorkers(connection, fake.activities, async (queue) => {
    const resourceGid = gid();
    const tenHoursAgo = new Date(Date.now() - 10 * HOUR).toISOString();
    const handle = await client.workflow.start('watchAsanaResource', {
      taskQueue: queue,
      workflowId: webhookWorkflowId(resourceGid),
      args: [
        {
          resourceGid,
          resourceType: 'project',
          workspaceGid: '1',
          health: { intervalMs: 24 * HOUR },
          // Registered ten hours ago; no heartbeat since.
          state: {
            generation: 1,
            webhookGid: 'w1',
            secrets: ['s'.repeat(32)],
            registeredAt: tenHoursAgo,
            health: 'healthy',
          },
        },
      ],
    });
    await handle.signal(checkHealthSignal);
    await waitFor(async () => (await handle.query(webhookStatusQuery)).health === 'heartbeat-overdue');
    await waitFor(async () => {
      const attributes = (await handle.describe()).searchAttributes as Record<string, unknown[]>;
      return attributes.WebhookHealth?.[0] === 'heartbeat-overdue';
    });
    expect(fake.calls.created).toEqual([]);
  });
});
