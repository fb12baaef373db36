/**
 * Operator alerts (ALERT_WEBHOOK_URL) on the real dev server, delivered to a local Slack-style receiver: one message
 * per incident however often the failing work is retried, and the message names the resource and the error type but
 * never what the error says (it may quote a task's content).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { createAlertActivities } from '../../activities/alerts';
import { ASANA_ERRORS } from '../../common/error-types';
import { webhookWorkflowId } from '../../common/workflow-ids';
import { syncWorkflowId } from '../../common/workflow-ids';
import type { MappedResource } from '../../mapping/map-asana-to-attio';
import {
  asanaChangedSignal,
  type AsanaChange,
  checkHealthSignal,
  syncStatusQuery,
  webhookStatusQuery,
} from '../../workflows/definitions';
import { reconcileProject, syncAsanaResource } from '../../workflows';
import { testConfig, useTemporal, withFakeWorkers } from '../helpers/temporal';
import { fakeAsana, HOUR, startFakeWatch } from '../helpers/fake-watch-activities';
import { waitFor } from '../helpers/wait-for';

const SECRET_NOTE = 'note text: call Jane on +44 20 7946 0000';

/** A Slack-style incoming webhook on loopback that refuses its first `failFirst` posts with a 500. */
async function startChatReceiver(failFirst: number) {
  const posts: { status: number; body: { text?: string } }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const status = posts.length < failFirst ? 500 : 200;
      posts.push({ status, body: JSON.parse(raw) as { text?: string } });
      res.writeHead(status).end(status === 200 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/hook`;
  const delivered = () => posts.filter((post) => post.status === 200).map((post) => post.body.text ?? '');
  return { url, posts, delivered, close: () => new Promise((resolve) => server.close(resolve)) };
}

const config = testConfig();
let chat: Awaited<ReturnType<typeof startChatReceiver>>;

const temporal = useTemporal(config);
afterEach(async () => {
  await chat.close();
});

const newGid = () => String(BigInt(`0x${randomUUID().replace(/-/g, '').slice(0, 12)}`));

test('a sync that fails permanently three times is one alert, delivered through a failing chat hook', async () => {
  chat = await startChatReceiver(1);
  let fetches = 0;
  const activities = {
    ...createAlertActivities({ alertWebhookUrl: chat.url }),
    async fetchAsanaResourceForAttio(): Promise<MappedResource> {
      fetches += 1;
      throw ApplicationFailure.nonRetryable(`Asana refused: ${SECRET_NOTE}`, 'AsanaForbiddenError');
    },
    async recordSyncFailure() {},
    async noteSyncRecovered() {},
  };
  await withFakeWorkers(temporal.connection, activities, async (queue) => {
    const gid = newGid();
    const resource = { gid, resource_type: 'task' as const };
    const change: AsanaChange = { action: 'changed', source: 'webhook' };
    const start = () =>
      temporal.client.workflow.signalWithStart(syncAsanaResource, {
        workflowId: syncWorkflowId(resource),
        taskQueue: queue,
        args: [{ resource, quietPeriodMs: 100, maxDelayMs: 1_000, idleTimeoutMs: 1_000 }],
        signal: asanaChangedSignal,
        signalArgs: [change],
      });
    const handle = await start();
    for (const syncs of [2, 3]) {
      await waitFor(async () => (await handle.query(syncStatusQuery)).syncs === syncs - 1);
      await start();
    }
    await handle.result();
    expect(fetches).toBe(3);
    // Two posts: the first refused with a 500 and retried by the activity, the second accepted. One incident.
    expect(chat.posts.map((post) => post.status)).toEqual([500, 200]);
    expect(chat.delivered()).toHaveLength(1);
    const [text] = chat.delivered();
    expect(text).toContain(`sync of task:${gid} failed permanently`);
    expect(text).toContain('AsanaForbiddenError');
    expect(text).toContain(syncWorkflowId(resource));
    expect(text).not.toContain('Jane');
    expect(text).not.toContain(SECRET_NOTE);
  });
});

test('a full reconciliation that found differences sends one alert with the counts', async () => {
  chat = await startChatReceiver(0);
  const projectGid = newGid();
  const activities = {
    ...createAlertActivities({ alertWebhookUrl: chat.url }),
    async listAsanaPage() {
      return { gids: [] };
    },
    async fetchAsanaPageForAttio() {
      const mapped = ['11', '12'].map((gid) => ({ kind: 'task', gid, hash: `h${gid}`, state: 'present' }));
      return { salesTasksSource: true, mapped };
    },
    async readAttioSalesTasks() {
      return [
        { gid: '12', fingerprint: 'old', tombstoned: false },
        { gid: '13', fingerprint: 'h13', tombstoned: false },
      ];
    },
    async signalAsanaResources(input: { refs: unknown[] }) {
      return input.refs.length;
    },
  };
  await withFakeWorkers(temporal.connection, activities, async (queue) => {
    const report = await temporal.client.workflow.execute(reconcileProject, {
      workflowId: `reconcile-${projectGid}-${randomUUID()}`,
      taskQueue: queue,
      args: [{ projectGid, mode: 'full' }],
    });
    expect(report).toMatchObject({ missing: 1, stale: 1, orphaned: 1 });
    expect(chat.delivered()).toEqual([
      expect.stringContaining(`reconciliation of project ${projectGid} found 3 differences`),
    ]);
  });
});

test('a reconciliation without differences sends nothing', async () => {
  chat = await startChatReceiver(0);
  const activities = {
    ...createAlertActivities({ alertWebhookUrl: chat.url }),
    async listAsanaPage() {
      return { gids: [] };
    },
    async fetchAsanaPageForAttio() {
      return { salesTasksSource: true, mapped: [{ kind: 'task', gid: '21', hash: 'h21', state: 'present' }] };
    },
    async readAttioSalesTasks() {
      return [{ gid: '21', fingerprint: 'h21', tombstoned: false }];
    },
    async signalAsanaResources(input: { refs: unknown[] }) {
      return input.refs.length;
    },
  };
  await withFakeWorkers(temporal.connection, activities, async (queue) => {
    const projectGid = newGid();
    await temporal.client.workflow.execute(reconcileProject, {
      workflowId: `reconcile-${projectGid}-${randomUUID()}`,
      taskQueue: queue,
      args: [{ projectGid, mode: 'full' }],
    });
    expect(chat.posts).toEqual([]);
  });
});

test('a webhook whose re-creation fails again and again is one alert, and its re-creation one more', async () => {
  chat = await startChatReceiver(0);
  const fake = fakeAsana();
  const activities = { ...fake.activities, ...createAlertActivities({ alertWebhookUrl: chat.url }) };
  await withFakeWorkers(temporal.connection, activities, async (queue) => {
    const resourceGid = newGid();
    const handle = await startFakeWatch(temporal.client, queue, resourceGid);
    const status = () => handle.query(webhookStatusQuery);
    fake.faults.create = ApplicationFailure.nonRetryable('Asana 500 on POST /webhooks: injected', ASANA_ERRORS.server);
    fake.report({ exists: false });
    await handle.signal(checkHealthSignal);
    await waitFor(async () => (await status()).failedAttempts! >= 3, { what: 'three failed re-creations' });
    fake.faults.create = undefined;
    await waitFor(async () => (await status()).health === 'recreated', { what: 'the re-creation' });
    await waitFor(() => chat.delivered().length === 2, { what: 'two alerts' });
    expect(chat.delivered()).toEqual([
      expect.stringContaining(`webhook of project ${resourceGid}: recreate-failed`),
      expect.stringContaining(`webhook of project ${resourceGid}: recreated`),
    ]);
    expect(chat.delivered()[1]).toContain('Asana deleted the webhook');
    expect(chat.delivered().join('\n')).not.toMatch(/secret-of-generation/);
    await handle.terminate('test over');
  });
});

test('an incident still open is not alerted again by the next run of the watch after continue-as-new', async () => {
  chat = await startChatReceiver(0);
  const fake = fakeAsana();
  const activities = { ...fake.activities, ...createAlertActivities({ alertWebhookUrl: chat.url }) };
  await withFakeWorkers(temporal.connection, activities, async (queue) => {
    const resourceGid = newGid();
    const workflowId = webhookWorkflowId(resourceGid);
    const handle = await temporal.client.workflow.start('watchAsanaResource', {
      taskQueue: queue,
      workflowId,
      args: [
        {
          resourceGid,
          resourceType: 'project',
          workspaceGid: '1',
          health: { intervalMs: 24 * HOUR, retryInitialMs: 200, retryMaxMs: 400 },
          // Every step ends the run: each retry of the failing re-creation happens in a new run.
          runLengthMs: 1,
        },
      ],
    });
    const status = () => temporal.client.workflow.getHandle(workflowId).query(webhookStatusQuery);
    await waitFor(async () => (await status()).health === 'healthy', { what: 'a healthy watch' });
    fake.faults.create = ApplicationFailure.nonRetryable('Asana 500 on POST /webhooks: injected', ASANA_ERRORS.server);
    fake.report({ exists: false });
    await handle.signal(checkHealthSignal);
    const runs = async () => (await temporal.client.workflow.count(`WorkflowId = "${workflowId}"`)).count;
    await waitFor(async () => (await status()).failedAttempts! >= 4 && (await runs()) >= 5, {
      what: 'four failed re-creations, each in a run of its own',
    });
    expect(chat.delivered()).toEqual([expect.stringContaining(`webhook of project ${resourceGid}: recreate-failed`)]);
    fake.faults.create = undefined;
    await waitFor(async () => (await status()).health === 'recreated', { what: 'the re-creation' });
    await waitFor(() => chat.delivered().length === 2, { what: 'the alert of the re-creation' });
    expect(chat.delivered()[1]).toContain(`webhook of project ${resourceGid}: recreated`);
    await temporal.client.workflow.getHandle(workflowId).terminate('test over');
  });
});
