/**
 * The watch workflow on the real dev server, with Asana's side played by recording fakes whose answers are set per
 * test (the stand-in end-to-end is in durable-paths tests): a failing webhook is re-created before Asana's deadline
 * and the whole outage replayed; no failure ends the watch; a forged handshake is never trusted; the secrets are in
 * the encrypted memo; the reconciliation Schedules come and go with the watch.
 */
import { ScheduleNotFoundError, type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { createTemporalActivities } from '../../activities/temporal';
import { signDelivery } from '../../asana/webhook-signature';
import { watchResource } from '../../client/operations';
import { reconcileScheduleIds } from '../../client/schedules';
import { ASANA_ERRORS } from '../../common/error-types';
import { webhookWorkflowId } from '../../common/workflow-ids';
import {
  checkHealthSignal,
  type HandshakeRequest,
  recordHandshakeUpdate,
  unwatchSignal,
  WEBHOOK_SECRETS_MEMO,
  webhookSecretsQuery,
  webhookStatusQuery,
} from '../../workflows/definitions';
import { temporalTestAddress, testConfig, useTemporal, withFakeWorkers } from '../helpers/temporal';
import { asanaError, at, fakeAsana, HOUR, startFakeWatch } from '../helpers/fake-watch-activities';
import { startLiveStack } from '../helpers/live-stack';
import { waitFor } from '../helpers/wait-for';

const config = testConfig();
const root = resolve(__dirname, '..', '..');
const temporal = useTemporal(config);

const startWatch = (queue: string, resourceGid: string, options?: Parameters<typeof startFakeWatch>[3]) =>
  startFakeWatch(temporal.client, queue, resourceGid, options);

type Handle = WorkflowHandle;
const status = (handle: Handle) => handle.query(webhookStatusQuery);

/** Signals a check and waits until the workflow has done it (its lastCheckAt moved). */
async function checkNow(handle: Handle) {
  const before = (await status(handle)).lastCheckAt;
  await handle.signal(checkHealthSignal);
  await waitFor(async () => (await status(handle)).lastCheckAt !== before, { what: 'a health check' });
  return status(handle);
}

async function expectRunning(handle: Handle) {
  expect((await handle.describe()).status.name).toBe('RUNNING');
}

const gid = () => String(Date.now()) + String(Math.floor(Math.random() * 1000)).padStart(3, '0');

describe('re-creation and gap repair', () => {
  test('a webhook failing for 20 h is re-created before Asana deletes it, the old one removed, the gap read back', async () => {
    const fake = fakeAsana();
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const handle = await startWatch(queue, gid());
      fake.change('5001');
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
      await waitFor(async () => (await status(handle)).lastRepair !== undefined);
      const current = await status(handle);
      expect(current).toMatchObject({ generation: 2, webhookGid: 'w2', health: 'recreated', repairPending: false });
      expect(current.lastRepair).toMatch(/^events API since .*: 1 resources re-synced/);
      expect(fake.calls.created).toEqual([1, 2]);
      expect(fake.calls.deleted).toEqual(['w1']);
      expect(fake.calls.signalled).toEqual([[{ gid: '5001', resource_type: 'task' }]]);
      // Both secrets verify deliveries while the old webhook may still deliver.
      expect((await handle.query(webhookSecretsQuery)).secrets).toHaveLength(2);
    });
  });

  test('a gap is read back one Events API page per activity: one Asana request each, as the rate limit counts', async () => {
    const fake = fakeAsana({ eventsPageSize: 2 });
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const handle = await startWatch(queue, gid());
      const tasks = ['5101', '5102', '5103', '5104', '5105'];
      for (const task of tasks) fake.change(task);
      fake.report({ exists: false });
      await handle.signal(checkHealthSignal);
      await waitFor(async () => (await status(handle)).lastRepair !== undefined, { what: 'the repair' });
      // Five changes on pages of two: three pages, each its own activity, and every change replayed.
      expect(fake.calls.signalled.flat().map((ref) => ref.gid)).toEqual(tasks);
      expect(new Set(fake.calls.eventPagesAsked)).toEqual(new Set([1]));
      expect(fake.calls.eventPagesAsked.length).toBeGreaterThanOrEqual(4); // the first token, then three pages
    });
  });

  test('a webhook Asana already deleted is re-created, and an expired events token falls back to reconciliation', async () => {
    const fake = fakeAsana({ eventsExpire: true });
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const resourceGid = gid();
      const handle = await startWatch(queue, resourceGid);
      const { confirmedAt } = await status(handle);
      fake.report({ exists: false });
      await handle.signal(checkHealthSignal);
      await waitFor(async () => /^reconciliation since/.test((await status(handle)).lastRepair ?? ''));
      expect(fake.calls.created).toEqual([1, 2]);
      // Reconciled from the last confirmed point (here: the registration), tasks included.
      expect(fake.calls.reconciled).toEqual([confirmedAt]);
      // The reconciliation says in the UI what it is for.
      const { events } = await handle.fetchHistory();
      const child = events!.find((event) => event.startChildWorkflowExecutionInitiatedEventAttributes)!
        .startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!;
      expect(await (await temporal.client.workflow.getHandle(child).describe()).staticSummary()).toBe(
        `Repair the webhook gap of Asana project ${resourceGid}: incremental reconciliation since ${confirmedAt}`,
      );
      expect(fake.calls.signalled.flat()).toEqual(
        expect.arrayContaining([
          { gid: resourceGid, resource_type: 'project' },
          { gid: '6001', resource_type: 'task' },
          { gid: '6002', resource_type: 'task' },
        ]),
      );
    });
  });

  test('every change of an outage spread over several checks is replayed after the re-creation', async () => {
    const fake = fakeAsana();
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const handle = await startWatch(queue, gid());
      // Deliveries confirmed once: the replay point is set.
      fake.change('4001');
      await checkNow(handle);
      // The outage: one task renamed in each of four check intervals, while deliveries fail.
      for (const [index, task] of ['5001', '5002', '5003', '5004'].entries()) {
        fake.change(task);
        fake.report({
          exists: true,
          last_success_at: at(fake.base, 0),
          last_failure_at: at(fake.base, 1 + index * 0.25),
          failure_deletion_timestamp: at(fake.base, 25),
        });
        expect(await checkNow(handle)).toMatchObject({ health: 'failing' });
      }
      fake.report({ exists: false });
      await handle.signal(checkHealthSignal);
      await waitFor(async () => (await status(handle)).lastRepair !== undefined, { what: 'the repair' });
      expect(fake.calls.signalled.flat().map((ref) => ref.gid)).toEqual(
        expect.arrayContaining(['5001', '5002', '5003', '5004']),
      );
      // Back to healthy at the next good check.
      fake.report({ exists: true, last_success_at: at(fake.base, 2), last_failure_at: at(fake.base, 1.75) });
      expect(await checkNow(handle)).toMatchObject({ health: 'healthy', webhookGid: 'w2' });
    });
  });

  test('a webhook whose deliveries recover by themselves is healthy again and the outage is replayed', async () => {
    const fake = fakeAsana();
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const handle = await startWatch(queue, gid());
      fake.report({ exists: true, last_success_at: at(fake.base, 0), last_failure_at: at(fake.base, 0.5) });
      expect(await checkNow(handle)).toMatchObject({ health: 'failing' });
      fake.change('5001');
      fake.report({ exists: true, last_success_at: at(fake.base, 1), last_failure_at: at(fake.base, 0.5) });
      await handle.signal(checkHealthSignal);
      await waitFor(async () => (await status(handle)).lastRepair !== undefined, { what: 'the replay' });
      const recovered = await status(handle);
      expect(recovered).toMatchObject({ health: 'healthy', webhookGid: 'w1' });
      expect(recovered.failingSince).toBeUndefined();
      expect(fake.calls.signalled.flat()).toEqual([{ gid: '5001', resource_type: 'task' }]);
      expect(fake.calls.created).toEqual([1]);
    });
  });
});

describe('"failing" means failing', () => {
  test('a webhook failing briefly is reported as failing and left alone', async () => {
    const fake = fakeAsana();
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const handle = await startWatch(queue, gid());
      fake.report({
        exists: true,
        last_success_at: at(fake.base, 0),
        last_failure_at: at(fake.base, 0.5),
        failure_deletion_timestamp: at(fake.base, 24),
      });
      expect(await checkNow(handle)).toMatchObject({ health: 'failing' });
      expect(fake.calls.created).toEqual([1]);
      expect(fake.calls.deleted).toEqual([]);
    });
  });

  test('on a quiet project, one failed delivery hours after the last heartbeat is not hours of failing', async () => {
    const fake = fakeAsana();
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const handle = await startWatch(queue, gid());
      // The last success was a heartbeat 3 h ago; the first failure just now.
      const failure = (hoursAfterFirst: number) =>
        fake.report({
          exists: true,
          last_success_at: at(fake.base, 0),
          last_failure_at: at(fake.base, 3 + hoursAfterFirst),
          delivery_retry_count: 1,
          failure_deletion_timestamp: at(fake.base, 27),
        });
      failure(0);
      expect(await checkNow(handle)).toMatchObject({ health: 'failing', failingSince: at(fake.base, 3) });
      failure(1.5);
      expect(await checkNow(handle)).toMatchObject({ health: 'failing', failingSince: at(fake.base, 3) });
      expect(fake.calls.created).toEqual([1]);
      // Two hours after the first failure (the threshold), it is re-created.
      failure(2);
      await handle.signal(checkHealthSignal);
      await waitFor(async () => (await status(handle)).recreations === 1, { what: 'the re-creation' });
      expect((await status(handle)).healthReason).toMatch(/deliveries failing for 120 min/);
    });
  });
});

describe('the watch never dies', () => {
  test('a registration refused several times (receiver down, Asana 5xx) is retried until it succeeds', async () => {
    const fake = fakeAsana();
    fake.faults.create = asanaError(400, ASANA_ERRORS.validation);
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const handle = await startWatch(queue, gid(), { until: 'recreate-failed' });
      await waitFor(async () => (await status(handle)).failedAttempts! >= 2, { what: 'two failed attempts' });
      expect((await status(handle)).healthReason).toMatch(/^registration failed \d+× \(Asana 400 on POST \/webhooks/);
      expect((await handle.query(webhookSecretsQuery)).status).toBe('registering');
      fake.faults.create = undefined;
      await waitFor(async () => (await status(handle)).health === 'healthy', { what: 'recovery' });
      const recovered = await status(handle);
      expect(recovered).toMatchObject({ webhookGid: `w${recovered.generation}`, failedAttempts: 0 });
      await expectRunning(handle);
    });
  });

  test('a failed health check (GET /webhooks/{gid} 503) is shown as check-failed and retried', async () => {
    const fake = fakeAsana();
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const handle = await startWatch(queue, gid());
      fake.faults.inspect = ApplicationFailure.nonRetryable(
        'Asana 503 on GET /webhooks/w1: injected',
        ASANA_ERRORS.server,
      );
      await handle.signal(checkHealthSignal);
      await waitFor(async () => (await status(handle)).failedAttempts! >= 2, { what: 'retried checks' });
      expect(await status(handle)).toMatchObject({ health: 'check-failed' });
      fake.faults.inspect = undefined;
      await waitFor(async () => (await status(handle)).health === 'healthy', { what: 'recovery' });
      await expectRunning(handle);
    });
  });

  test('a re-creation that fails keeps the old webhook and secret, and succeeds once the fault clears', async () => {
    const fake = fakeAsana();
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const handle = await startWatch(queue, gid());
      const [oldSecret] = (await handle.query(webhookSecretsQuery)).secrets;
      fake.faults.create = ApplicationFailure.nonRetryable(
        'Asana 500 on POST /webhooks: injected',
        ASANA_ERRORS.server,
      );
      fake.report({ exists: false });
      await handle.signal(checkHealthSignal);
      await waitFor(async () => (await status(handle)).failedAttempts! >= 2, { what: 'failed re-creations' });
      expect(await status(handle)).toMatchObject({
        health: 'recreate-failed',
        webhookGid: 'w1',
        pendingRecreation: 'Asana deleted the webhook',
      });
      expect((await handle.query(webhookSecretsQuery)).secrets).toEqual([oldSecret]);
      fake.faults.create = undefined;
      await waitFor(async () => (await status(handle)).lastRepair !== undefined, { what: 'the repair' });
      expect(await status(handle)).toMatchObject({ health: 'recreated', recreations: 1 });
      expect(fake.calls.deleted).toEqual(['w1']);
      await expectRunning(handle);
    });
  });

  test('an unwatch that arrives during the last step of a run is carried out, not lost with the run', async () => {
    let release: () => void = () => undefined;
    let hold = false;
    const fake = fakeAsana({
      slowCreate: () => (hold ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
    });
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      // Every step ends its run with continue-as-new.
      const handle = await startWatch(queue, gid(), { runLengthMs: 1 });
      hold = true;
      fake.report({ exists: false });
      await checkNow(handle);
      await waitFor(() => fake.calls.registrations.length === 2, { what: 'a re-creation in flight' });
      // The step in flight ends the run: the unwatch arrives in that run, not in the next one.
      await handle.signal(unwatchSignal);
      hold = false;
      release();
      await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', { what: 'the unwatch' });
      expect(fake.calls.deleted.sort()).toEqual(['w1', 'w2']);
    });
  });

  test('a revoked token is reported once as needs-attention; the watch waits and recovers on checkHealth', async () => {
    const fake = fakeAsana();
    fake.faults.create = asanaError(401, ASANA_ERRORS.credentials);
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      // Looked at again only every 24 h by itself: the signal is what brings it back here.
      const handle = await startWatch(queue, gid(), { until: 'needs-attention', health: { retryMaxMs: 24 * HOUR } });
      expect((await status(handle)).healthReason).toMatch(/Asana 401/);
      const attempts = fake.calls.registrations.length;
      fake.faults.create = undefined;
      await handle.signal(checkHealthSignal);
      await waitFor(async () => (await status(handle)).health === 'healthy', { what: 'recovery after the fix' });
      expect(fake.calls.registrations.length).toBe(attempts + 1);
      await expectRunning(handle);
    });
  });
});

test('the CLI status names the failure and its reason, the schedules, and exits 1 while the watch retries', async () => {
  const fake = fakeAsana();
  fake.faults.create = asanaError(503, ASANA_ERRORS.server);
  await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
    const resourceGid = gid();
    await startWatch(queue, resourceGid, { until: 'recreate-failed', health: { retryMaxMs: 24 * HOUR } });
    const cliStatus = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', resolve(root, 'cli/main.ts'), 'status', resourceGid], {
        cwd: root,
        env: { ...process.env, TEMPORAL_ADDRESS: temporalTestAddress(), LOG_LEVEL: 'warn' },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({
          code: error.code,
          stdout: error.stdout + error.stderr,
        }),
      );
    const failing = await cliStatus();
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(
      /^health: +recreate-failed \(registration failed \d+× \(Asana 503 on POST \/webhooks/m,
    );
    expect(failing.stdout).toMatch(/^schedule: +reconcile-incremental-\d+: /m);
    expect(failing.stdout).not.toMatch(/secret/i);
  });
});

describe('handshakes', () => {
  test('a forged handshake during an in-flight registration is never trusted, whatever its timing', async () => {
    let release!: () => void;
    const inFlight = new Promise<void>((resolve) => (release = resolve));
    const fake = fakeAsana({ slowCreate: () => inFlight });
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const resourceGid = gid();
      const handle = temporal.client.workflow.getHandle(webhookWorkflowId(resourceGid));
      const forged = 'forged-secret-forged-secret-0000';
      const handshake = (request: Partial<HandshakeRequest>) =>
        handle
          .executeUpdate(recordHandshakeUpdate, { args: [{ generation: 1, secret: forged, ...request }] })
          .then(() => 'accepted' as const)
          .catch((error: unknown) => {
            if (error instanceof WorkflowUpdateFailedError) return 'refused' as const;
            throw error;
          });
      await startWatch(queue, resourceGid, { until: 'registering' });
      await waitFor(() => fake.calls.registrations.length === 1, { what: 'the registration in flight' });
      const [token] = fake.calls.registrations;
      // Blind forgeries while the POST is in flight: no token, a guessed token, another generation.
      expect(await handshake({})).toBe('refused');
      expect(await handshake({ registration: '00000000-0000-4000-8000-000000000000' })).toBe('refused');
      expect(await handshake({ generation: 2, registration: token })).toBe('refused');
      // Asana's own handshake is echoed; its token is single use, so a replay of it is refused.
      expect(await handshake({ registration: token, secret: 'asana-handshake-secret-000000000' })).toBe('accepted');
      expect(await handshake({ registration: token })).toBe('refused');
      release();
      await waitFor(async () => (await status(handle)).health === 'healthy', { what: 'the registration' });
      // After the 201: only its secret is trusted, even over what the accepted handshake carried.
      expect((await handle.query(webhookSecretsQuery)).secrets).toEqual(['secret-of-generation-1-xxxxxxxx']);
      expect(await handshake({ registration: token })).toBe('refused');
      expect((await handle.query(webhookSecretsQuery)).secrets).toEqual(['secret-of-generation-1-xxxxxxxx']);
    });
  });

  test('forged handshakes sent to the receiver while the stand-in holds POST /webhooks open are refused, and verify nothing', async () => {
    const stack = await startLiveStack();
    try {
      const project = stack.scene.projectGids[1]!;
      // Asana answers the create call slowly: the registration stays in flight while the forgeries arrive.
      stack.asana.faults.add({ method: 'POST', pathPrefix: '/api/1.0/webhooks', delayMs: 1_500, count: 1 });
      let registered = false;
      const watching = watchResource(
        stack.client,
        { resourceGid: project, resourceType: 'project', workspaceGid: stack.scene.workspaceGid },
        { taskQueue: stack.queues.sync },
      ).finally(() => (registered = true));
      const forged = 'f'.repeat(64);
      const answers: number[] = [];
      for (let attempt = 0; !registered && attempt < 300; attempt += 1) {
        const generation = 1 + (attempt % 3);
        const response = await fetch(
          `${stack.receiverUrl}/webhooks/asana/${project}?generation=${generation}&registration=${randomUUID()}`,
          { method: 'POST', headers: { 'x-hook-secret': forged } },
        );
        answers.push(response.status);
      }
      const handle = await watching;
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.filter((answer) => answer === 200)).toEqual([]);
      const { webhookGid } = await handle.query(webhookStatusQuery);
      expect((await handle.query(webhookSecretsQuery)).secrets).toEqual([
        stack.asana.webhooks.all.get(webhookGid!)!.secret,
      ]);
      const body = JSON.stringify({ events: [] });
      const delivery = await fetch(`${stack.receiverUrl}/webhooks/asana/${project}?generation=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hook-signature': signDelivery(body, forged) },
        body,
      });
      expect(delivery.status).toBe(401);
    } finally {
      await stack.close();
    }
  });
});

describe('memo and schedules', () => {
  test('the secrets are in the memo, readable with describe and encrypted by the codec', async () => {
    const fake = fakeAsana();
    await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
      const resourceGid = gid();
      const handle = await startWatch(queue, resourceGid);
      await waitFor(async () => (await handle.describe()).memo?.[WEBHOOK_SECRETS_MEMO] !== undefined);
      expect((await handle.describe()).memo?.[WEBHOOK_SECRETS_MEMO]).toEqual({
        status: 'active',
        secrets: ['secret-of-generation-1-xxxxxxxx'],
      });
      // What the server stores: no plaintext secret.
      const raw = await temporal.client.workflowService.describeWorkflowExecution({
        namespace: config.env.TEMPORAL_NAMESPACE,
        execution: { workflowId: webhookWorkflowId(resourceGid) },
      });
      const stored = raw.workflowExecutionInfo!.memo!.fields![WEBHOOK_SECRETS_MEMO]!;
      expect(Buffer.from(stored.metadata!.encoding!).toString()).toBe('binary/encrypted');
      expect(Buffer.from(stored.data!).toString('latin1')).not.toContain('secret-of-generation');
      // Unwatching clears it.
      await handle.signal(unwatchSignal);
      await handle.result();
      expect((await handle.describe()).memo?.[WEBHOOK_SECRETS_MEMO]).toEqual({ status: 'unwatched', secrets: [] });
    });
  });

  test('watching a project installs its reconciliation schedules, shown in the status; unwatching removes them', async () => {
    const fake = fakeAsana();
    const scheduleActivities = createTemporalActivities({
      client: temporal.client,
      schedules: { incrementalEveryMinutes: 30, fullEveryHours: 24 },
    });
    const activities = {
      ...fake.activities,
      installReconcileSchedules: (input: { projectGid: string; taskQueue: string }) =>
        scheduleActivities.installReconcileSchedules(input),
      removeReconcileSchedules: (input: { projectGid: string }) => scheduleActivities.removeReconcileSchedules(input),
    };
    await withFakeWorkers(temporal.connection, activities, async (queue) => {
      const resourceGid = gid();
      const ids = reconcileScheduleIds(resourceGid);
      const handle = await startWatch(queue, resourceGid);
      await waitFor(async () => (await status(handle)).schedules !== undefined, { what: 'the schedules' });
      expect((await status(handle)).schedules).toEqual([ids.incremental, ids.full]);
      const incremental = await temporal.client.schedule.getHandle(ids.incremental).describe();
      expect(incremental.action).toMatchObject({ workflowType: 'reconcileProject', taskQueue: queue });
      await handle.signal(unwatchSignal);
      await handle.result();
      for (const id of [ids.incremental, ids.full]) {
        await expect(temporal.client.schedule.getHandle(id).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      }
    });
  });
});

test('a heartbeat missing for longer than 8 h plus the grace is reported as overdue, in the status and the search attribute', async () => {
  const fake = fakeAsana();
  await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
    const tenHoursAgo = new Date(Date.now() - 10 * HOUR).toISOString();
    // Registered ten hours ago; no heartbeat since.
    const handle = await startWatch(queue, gid(), {
      until: 'healthy',
      state: {
        generation: 1,
        webhookGid: 'w1',
        secrets: ['s'.repeat(32)],
        registeredAt: tenHoursAgo,
        health: 'healthy',
      },
    });
    await handle.signal(checkHealthSignal);
    await waitFor(async () => (await status(handle)).health === 'heartbeat-overdue');
    await waitFor(async () => {
      const attributes = (await handle.describe()).searchAttributes as Record<string, unknown[]>;
      return attributes.WebhookHealth?.[0] === 'heartbeat-overdue';
    });
    expect(fake.calls.created).toEqual([]);
  });
});
