/**
 * The receiver's webhook route on the real Temporal dev server: handshakes are accepted only while a registration is
 * in flight, deliveries are acknowledged only after Temporal recorded them, and every refusal starts nothing.
 *
 * Asana's side is played by the watch workflow's own activity: `createAsanaWebhook` posts the handshake to the
 * receiver while it is "in flight", exactly as Asana does (the Asana stand-in's own tests cover Asana's side).
 */
import type { AddressInfo } from 'node:net';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { signDelivery } from '../../asana/webhook-signature';
import { createLogger } from '../../common/logger';
import { createDataConverter } from '../../common/temporal-connection';
import type { TaskQueues } from '../../common/task-queues';
import { webhookTargetUrl } from '../../common/webhook-targets';
import { syncWorkflowId, webhookWorkflowId } from '../../common/workflow-ids';
import { createReceiverApp } from '../../receiver/app';
import { listen, type RunningServer } from '../../common/listen';
import { TemporalWebhookSecrets } from '../../receiver/webhook-secrets';
import {
  type WatchAsanaResourceInput,
  WEBHOOK_SECRETS_MEMO,
  webhookSecretsQuery,
  webhookStatusQuery,
} from '../../workflows/definitions';
import { connectWorkerConnection, testClient, testConfig, uniqueTaskQueues } from '../helpers/temporal';
import { unreachableTemporal } from '../helpers/unreachable-temporal';
import { waitFor } from '../helpers/wait-for';
import { taskEvent } from '../helpers/asana-events';

const logger = createLogger({ level: 'fatal', format: 'json' });
const SECRET = 'a'.repeat(64);
const config = testConfig();

let client: Client;
let nativeConnection: NativeConnection;
let receiver: RunningServer;
let baseUrl: string;
let queues: TaskQueues;
let workerRun: Promise<void>;
let workers: Worker[];
let gidCounter = Date.now();
const nextGid = () => String((gidCounter += 1));

/** What our fake Asana does during createAsanaWebhook: the handshake, then the 201's secret. */
const handshakeSecret = SECRET;
let handshakeAnswers: { status: number; echoed: string | null }[] = [];
/** When set, a forger's handshake (no registration token) reaches the target while the real one is in flight. */
let forgedDuringRegistration: { secret: string; status?: number } | undefined;
/** A well-formed token of no registration in flight. */
const REGISTRATION = 'test-registration-0123456789';

beforeAll(async () => {
  client = await testClient(config);
  queues = uniqueTaskQueues('asana-webhook-route');
  receiver = await listen(
    createReceiverApp({
      client,
      logger,
      webhooks: {
        secrets: new TemporalWebhookSecrets(client, 0),
        taskQueues: queues,
        ackTimeoutMs: 3000,
        bodyLimit: '10kb',
        sync: { quietPeriodMs: 60_000 },
      },
    }),
    0,
    '127.0.0.1',
  );
  baseUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;

  nativeConnection = await connectWorkerConnection();
  ({ workers, run: workerRun } = await startWorkers(queues));
});

afterAll(async () => {
  for (const worker of workers) worker.shutdown();
  await workerRun;
  await receiver.close();
  await client.connection.close();
  await nativeConnection.close();
});

/**
 * Workers for `taskQueues` with only the watch workflow's activities: sync workflows started by the route stay pending
 * with their signals, which is what these tests inspect.
 */
async function startWorkers(taskQueues: TaskQueues) {
  const common = { connection: nativeConnection, dataConverter: createDataConverter(config) };
  const activities = {
    async createAsanaWebhook(input: { resourceGid: string; generation: number; registration: string }) {
      const target = webhookTargetUrl(baseUrl, input.resourceGid, input.generation, input.registration);
      if (forgedDuringRegistration) {
        // Whoever guesses the target and generation, but cannot know the registration's token.
        const guessed = new URL(target);
        guessed.searchParams.delete('registration');
        const forged = await fetch(guessed, {
          method: 'POST',
          headers: { 'x-hook-secret': forgedDuringRegistration.secret },
        });
        forgedDuringRegistration.status = forged.status;
      }
      const response = await fetch(target, { method: 'POST', headers: { 'x-hook-secret': handshakeSecret } });
      handshakeAnswers.push({ status: response.status, echoed: response.headers.get('x-hook-secret') });
      if (response.status !== 200 || response.headers.get('x-hook-secret') !== handshakeSecret) {
        throw new Error('the target did not echo the secret');
      }
      return { webhookGid: `9${input.resourceGid}`, secret: handshakeSecret };
    },
    async deleteAsanaWebhook() {},
    async readAsanaEvents() {
      return { expired: false, sync: 'token', refs: [] };
    },
  };
  const started = await Promise.all([
    Worker.create({
      ...common,
      taskQueue: taskQueues.sync,
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    }),
    Worker.create({ ...common, taskQueue: taskQueues.asana, activities }),
  ]);
  return { workers: started, run: Promise.all(started.map((w) => w.run())).then(() => undefined) };
}

async function watch(resourceGid: string, state?: WatchAsanaResourceInput['state'], taskQueue = queues.sync) {
  const handle = await client.workflow.start('watchAsanaResource', {
    taskQueue,
    workflowId: webhookWorkflowId(resourceGid),
    args: [{ resourceGid, resourceType: 'project', workspaceGid: '1', ...(state ? { state } : {}) }],
  });
  await waitFor(async () => (await handle.query(webhookStatusQuery)).status === 'active');
  return handle;
}

function post(resourceGid: string, body: string | Buffer, headers: Record<string, string>, base = baseUrl) {
  const query = `generation=1&registration=${REGISTRATION}`;
  return fetch(`${base}/webhooks/asana/${resourceGid}?${query}`, { method: 'POST', headers, body });
}

function signed(resourceGid: string, payload: unknown, secret = SECRET, base = baseUrl) {
  const body = JSON.stringify(payload);
  return post(
    resourceGid,
    body,
    { 'content-type': 'application/json', 'x-hook-signature': signDelivery(body, secret) },
    base,
  );
}

async function signalsOf(workflowId: string): Promise<number> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    await handle.describe(); // throws WorkflowNotFoundError when nothing was started
    const history = await handle.fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 0;
    throw error;
  }
}

describe('handshake', () => {
  test('echoes X-Hook-Secret only while the watch workflow registers, and keeps the secret in the workflow', async () => {
    handshakeAnswers = [];
    const gid = nextGid();
    const handle = await watch(gid);
    expect(handshakeAnswers).toEqual([{ status: 200, echoed: SECRET }]);
    expect(await handle.query(webhookSecretsQuery)).toEqual({ status: 'active', secrets: [SECRET] });
    // Where the receiver reads them without a worker (docs/decisions/0008-receiver-secrets-without-a-worker-and-cheap-forgeries.md).
    expect((await handle.describe()).memo?.[WEBHOOK_SECRETS_MEMO]).toEqual({ status: 'active', secrets: [SECRET] });
  });

  test('refuses a handshake for an active target and changes nothing', async () => {
    const gid = nextGid();
    const handle = await watch(gid);
    const response = await post(gid, '', { 'x-hook-secret': 'b'.repeat(64) });
    expect(response.status).toBe(409);
    expect(response.headers.get('x-hook-secret')).toBeNull();
    expect(await handle.query(webhookSecretsQuery)).toEqual({ status: 'active', secrets: [SECRET] });
  });

  test('refuses a handshake without the registration token with 400, even while a registration is in flight (#10, hole 4)', async () => {
    forgedDuringRegistration = { secret: 'f'.repeat(64) };
    try {
      const handle = await watch(nextGid());
      expect(forgedDuringRegistration.status).toBe(400);
      expect(await handle.query(webhookSecretsQuery)).toEqual({ status: 'active', secrets: [SECRET] });
    } finally {
      forgedDuringRegistration = undefined;
    }
  });

  test('refuses a handshake for a resource nobody watches', async () => {
    const response = await post(nextGid(), '', { 'x-hook-secret': 'b'.repeat(64) });
    expect(response.status).toBe(403);
  });
});

describe('deliveries', () => {
  test('signals one sync workflow per distinct resource and answers 200 once Temporal recorded them', async () => {
    const gid = nextGid();
    await watch(gid);
    const [taskA, taskB] = [nextGid(), nextGid()];
    const response = await signed(gid, {
      events: [
        taskEvent(taskA),
        taskEvent(taskA, 'added'),
        taskEvent(taskB),
        { ...taskEvent(nextGid()), resource: { gid: nextGid(), resource_type: 'story' } },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: 2 });
    expect(await signalsOf(syncWorkflowId({ resource_type: 'task', gid: taskA }))).toBe(1);
    expect(await signalsOf(syncWorkflowId({ resource_type: 'task', gid: taskB }))).toBe(1);
  });

  test('a heartbeat is recorded with the watch workflow and answered 200', async () => {
    const gid = nextGid();
    const handle = await watch(gid);
    const response = await signed(gid, { events: [] });
    expect(response.status).toBe(200);
    await waitFor(async () => (await handle.query(webhookStatusQuery)).lastHeartbeatAt !== undefined);
  });

  test('accepts the previous secret during a rotation', async () => {
    const gid = nextGid();
    await watch(gid, { generation: 1, webhookGid: '77', secrets: ['c'.repeat(64), SECRET] });
    const task = nextGid();
    expect((await signed(gid, { events: [taskEvent(task)] })).status).toBe(200);
    expect((await signed(gid, { events: [taskEvent(task)] }, 'c'.repeat(64))).status).toBe(200);
  });

  test('is accepted while its watch workflow is closed: only the sync signal decides the answer (#10, hole 1)', async () => {
    const gid = nextGid();
    const handle = await watch(gid);
    await handle.terminate('a watch workflow that died');
    // The bookkeeping signal to the closed workflow fails; the delivery must not be refused for it.
    const task = nextGid();
    const response = await signed(gid, { events: [taskEvent(task)] });
    expect(response.status).toBe(200);
    expect(await signalsOf(syncWorkflowId({ resource_type: 'task', gid: task }))).toBe(1);
  });

  test('is accepted with no worker running: the secrets come from the watch workflow memo, which Temporal stores encrypted (#10, hole 6)', async () => {
    const gid = nextGid();
    const ownQueues = uniqueTaskQueues('no-workers');
    const own = await startWorkers(ownQueues);
    const handle = await watch(gid, undefined, ownQueues.sync);
    await waitFor(async () => (await handle.describe()).memo?.[WEBHOOK_SECRETS_MEMO] !== undefined);
    for (const worker of own.workers) worker.shutdown();
    await own.run;
    // Every worker of these queues has stopped: the watch workflow cannot answer a query, and the sync workflow the
    // delivery starts waits for a worker.
    const noWorkers = await listen(
      createReceiverApp({
        client,
        logger,
        webhooks: { secrets: new TemporalWebhookSecrets(client, 0), taskQueues: ownQueues, ackTimeoutMs: 3000 },
      }),
      0,
      '127.0.0.1',
    );
    try {
      const task = nextGid();
      const base = `http://127.0.0.1:${(noWorkers.server.address() as AddressInfo).port}`;
      const response = await signed(gid, { events: [taskEvent(task)] }, SECRET, base);
      expect(response.status).toBe(200);
      expect(await signalsOf(syncWorkflowId({ resource_type: 'task', gid: task }))).toBe(1);

      // What the server itself keeps, without the codec: the memo's bytes are ciphertext, not the secret.
      const raw = await client.workflowService.describeWorkflowExecution({
        namespace: config.env.TEMPORAL_NAMESPACE,
        execution: { workflowId: webhookWorkflowId(gid) },
      });
      const stored = raw.workflowExecutionInfo?.memo?.fields?.[WEBHOOK_SECRETS_MEMO];
      expect(Buffer.from(stored?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
      expect(Buffer.from(stored?.data ?? []).includes(SECRET)).toBe(false);
      expect(Buffer.from(stored?.data ?? []).length).toBeGreaterThan(0);
    } finally {
      await noWorkers.close();
      await handle.terminate();
    }
  });

  describe('refusals start nothing', () => {
    let gid: string;
    let task: string;
    beforeAll(async () => {
      gid = nextGid();
      await watch(gid);
    });
    beforeEach(() => {
      task = nextGid();
    });
    afterEach(async () => {
      expect(await signalsOf(syncWorkflowId({ resource_type: 'task', gid: task }))).toBe(0);
    });

    test('401 without a signature', async () => {
      const response = await post(gid, JSON.stringify({ events: [taskEvent(task)] }), {
        'content-type': 'application/json',
      });
      expect(response.status).toBe(401);
    });

    test('401 with a signature made with another secret or over other bytes', async () => {
      expect((await signed(gid, { events: [taskEvent(task)] }, 'd'.repeat(64))).status).toBe(401);
      const body = JSON.stringify({ events: [taskEvent(task)] });
      const reserialized = JSON.stringify(JSON.parse(body), null, 1);
      const response = await post(gid, reserialized, {
        'content-type': 'application/json',
        'x-hook-signature': signDelivery(body, SECRET),
      });
      expect(response.status).toBe(401);
    });

    test('415 for a body that is not application/json', async () => {
      const body = JSON.stringify({ events: [taskEvent(task)] });
      const response = await post(gid, body, {
        'content-type': 'text/plain',
        'x-hook-signature': signDelivery(body, SECRET),
      });
      expect(response.status).toBe(415);
    });

    test('413 over the size limit', async () => {
      const body = JSON.stringify({ events: [taskEvent(task)], padding: 'x'.repeat(20_000) });
      const response = await post(gid, body, {
        'content-type': 'application/json',
        'x-hook-signature': signDelivery(body, SECRET),
      });
      expect(response.status).toBe(413);
    });

    test('400 for signed bytes that are not JSON, or not an Asana delivery', async () => {
      const notJson = '{"events": [';
      expect(
        (
          await post(gid, notJson, {
            'content-type': 'application/json',
            'x-hook-signature': signDelivery(notJson, SECRET),
          })
        ).status,
      ).toBe(400);
      const response = await signed(gid, { events: [{ action: 'changed', resource: { gid: task } }] });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/resource_type/);
    });

    test('404 for a target nobody watches', async () => {
      expect((await signed(nextGid(), { events: [taskEvent(task)] })).status).toBe(404);
    });
  });
});

test('answers 503 within the ack timeout when Temporal is unreachable, acknowledging nothing', async () => {
  const { client: unreachable, close } = await unreachableTemporal();
  const app = createReceiverApp({
    client: unreachable,
    logger,
    webhooks: {
      secrets: { get: async () => ({ status: 'active', secrets: [SECRET] }) },
      taskQueues: queues,
      ackTimeoutMs: 500,
    },
  });
  const down = await listen(app, 0, '127.0.0.1');
  try {
    const body = JSON.stringify({ events: [taskEvent('123')] });
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${(down.server.address() as AddressInfo).port}/webhooks/asana/42`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hook-signature': signDelivery(body, SECRET) },
      body,
    });
    expect(response.status).toBe(503);
    // Well inside Asana's 10 s, so Asana retries instead of timing out.
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    await down.close();
    await close();
  }
});
