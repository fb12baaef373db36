/**
 * Operator entry points on the real dev server: the receiver's authenticated POST /resync, and the reconciliation
 * schedules installed idempotently. (What a resync then does is covered with the stand-ins in durable-paths tests.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { reconcileScheduleIds, installReconcileSchedules } from '../../client/schedules';
import { createLogger } from '../../common/logger';
import { createReceiverApp, resyncOptionsFrom } from '../../receiver/app';
import { resyncWorkflowId } from '../../common/workflow-ids';
import { resyncSummary } from '../../common/workflow-summaries';
import { listen, type RunningServer } from '../../common/listen';
import { testClient, testConfig, uniqueTaskQueues } from '../helpers/temporal';
import { unreachableTemporal } from '../helpers/unreachable-temporal';

const logger = createLogger({ level: 'fatal', format: 'json' });
const TOKEN = 'resync-token-0123456789abcdef';
let client: Client;
let receiver: RunningServer;
let url: string;
const queues = uniqueTaskQueues('resync-route');

beforeAll(async () => {
  client = await testClient();
  receiver = await listen(
    createReceiverApp({ client, logger, resync: { token: TOKEN, taskQueue: queues.sync } }),
    0,
    '127.0.0.1',
  );
  url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/resync`;
});
afterAll(async () => {
  await receiver.close();
  await client.connection.close();
});

const post = (body: unknown, token: string | undefined = TOKEN) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('POST /resync', () => {
  test('starts one resync workflow per distinct request, named and summarised as the CLI does, and answers 202 with its id', async () => {
    const gid = String(Date.now());
    const body = { resources: [{ gid, resource_type: 'task' as const }] };
    const first = await post(body);
    expect(first.status).toBe(202);
    const { workflowId } = (await first.json()) as { workflowId: string };
    expect(workflowId).toBe(`resync-task-${gid}`);
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.type).toBe('resync');
    expect(description.taskQueue).toBe(queues.sync);
    expect(await description.staticSummary()).toBe(resyncSummary(body).staticSummary);
    expect(await description.staticDetails()).toBe(resyncSummary(body).staticDetails);
    // A double click resolves to the same workflow.
    expect(((await (await post(body)).json()) as { workflowId: string }).workflowId).toBe(workflowId);
  });

  test('401 without the token or with a wrong one, starting nothing', async () => {
    const body = { projectGid: String(Date.now() + 3) };
    expect((await post(body, '')).status).toBe(401);
    expect((await post(body, `${TOKEN}x`)).status).toBe(401);
    await expect(client.workflow.getHandle(resyncWorkflowId(body)).describe()).rejects.toThrow(WorkflowNotFoundError);
  });

  test('400 for a body that is not a resync request, naming the problem', async () => {
    const response = await post({ resources: [{ gid: 'abc', resource_type: 'task' }] });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/Asana gid/);
    expect((await post({ everything: true })).status).toBe(400);
  });

  test('offers only the resyncs the scope lists: another kind gets 403 naming the setting and starts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resync-actions-'));
    const scopeFile = join(dir, 'scope.yaml');
    writeFileSync(scopeFile, 'backfill:\n  resyncActions: [attio-records]\n');
    const options = resyncOptionsFrom(testConfig({ RESYNC_API_TOKEN: TOKEN, SCOPE_FILE: scopeFile }))!;
    const limited = await listen(
      createReceiverApp({ client, logger, resync: { ...options, taskQueue: queues.sync } }),
      0,
      '127.0.0.1',
    );
    try {
      const target = `http://127.0.0.1:${(limited.server.address() as AddressInfo).port}/resync`;
      const send = (body: unknown) =>
        fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(body),
        });
      const refused = { projectGid: '1200000000000977' };
      const response = await send(refused);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: 'the scope does not offer the "project" resync (backfill.resyncActions: attio-records)',
      });
      await expect(client.workflow.getHandle(resyncWorkflowId(refused)).describe()).rejects.toThrow(
        WorkflowNotFoundError,
      );
      expect((await send({ attio: { object: 'asana_tasks', recordIds: [crypto.randomUUID()] } })).status).toBe(202);
    } finally {
      await limited.close();
    }
  });

  test('does not exist when no token is configured', async () => {
    const open = await listen(createReceiverApp({ client, logger }), 0, '127.0.0.1');
    try {
      const port = (open.server.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/resync`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(404);
    } finally {
      await open.close();
    }
  });
});

describe('POST /resync from the Attio app', () => {
  const recordId = () => crypto.randomUUID();
  const serveResync = async (app: ReturnType<typeof createReceiverApp>) => {
    const running = await listen(app, 0, '127.0.0.1');
    return { running, url: `http://127.0.0.1:${(running.server.address() as AddressInfo).port}/resync` };
  };
  const postTo = (target: string, body: unknown) =>
    fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });

  test('accepts Attio record ids with who asked and from where, and hands them to the resync workflow', async () => {
    const body = {
      attio: { object: 'asana_tasks', recordIds: [recordId(), recordId()] },
      requestedBy: { source: 'attio-bulk-record-action' as const, workspaceMemberId: recordId() },
    };
    const response = await post(body);
    expect(response.status).toBe(202);
    const { workflowId } = (await response.json()) as { workflowId: string };
    expect(workflowId).toBe(resyncWorkflowId(body));
    expect(await client.workflow.getHandle(workflowId).describe()).toMatchObject({ type: 'resync' });
  });

  test('400 for record ids that are not Attio ids or an object that is not a slug, starting nothing', async () => {
    for (const attio of [
      { object: 'asana_tasks', recordIds: ['123'] },
      { object: 'Asana Tasks', recordIds: [recordId()] },
      { object: 'asana_tasks', recordIds: [] },
    ]) {
      const response = await post({ attio });
      expect(response.status).toBe(400);
      await expect(client.workflow.getHandle(resyncWorkflowId({ attio })).describe()).rejects.toThrow(
        WorkflowNotFoundError,
      );
    }
    expect(JSON.stringify(await (await post({ attio: { object: 'asana_tasks', recordIds: ['1'] } })).json())).toMatch(
      /Attio record id/,
    );
  });

  test('a caller past its requests per minute gets 429 with Retry-After, wrong token or not', async () => {
    const limited = await serveResync(
      createReceiverApp({ client, logger, resync: { token: TOKEN, taskQueue: queues.sync, requestsPerMinute: 2 } }),
    );
    try {
      const body = { attio: { object: 'asana_projects', recordIds: [recordId()] } };
      expect((await postTo(limited.url, body)).status).toBe(202);
      expect((await postTo(limited.url, body)).status).toBe(202);
      const third = await postTo(limited.url, body);
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      const guess = await fetch(limited.url, { method: 'POST', headers: { authorization: 'Bearer guess' } });
      expect(guess.status).toBe(429);
    } finally {
      await limited.running.close();
    }
  });

  test('answers 503 when Temporal does not record the workflow in time, rather than keeping the app waiting', async () => {
    const temporal = await unreachableTemporal();
    const down = await serveResync(
      createReceiverApp({
        client: temporal.client,
        logger,
        resync: { token: TOKEN, taskQueue: queues.sync, startTimeoutMs: 300 },
      }),
    );
    try {
      const response = await postTo(down.url, { attio: { object: 'asana_tasks', recordIds: [recordId()] } });
      expect(response.status).toBe(503);
    } finally {
      await down.running.close();
      await temporal.close();
    }
  });
});

describe('reconciliation schedules', () => {
  test('are created once, updated in place when installed again, and start reconcileProject', async () => {
    const projectGid = String(Date.now() + 7);
    const settings = { incrementalEveryMinutes: 15, fullEveryHours: 24, taskQueue: queues.sync };
    const first = await installReconcileSchedules(client, [projectGid], settings);
    expect(first.map((r) => r.outcome)).toEqual(['created', 'created']);
    const second = await installReconcileSchedules(client, [projectGid], { ...settings, incrementalEveryMinutes: 5 });
    expect(second.map((r) => r.outcome)).toEqual(['updated', 'updated']);

    const ids = reconcileScheduleIds(projectGid);
    const incremental = await client.schedule.getHandle(ids.incremental).describe();
    expect(incremental.spec.intervals?.[0]?.every).toBe(5 * 60 * 1000);
    expect(incremental.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcileProject' });
    expect(incremental.action.type === 'startWorkflow' && incremental.action.args).toEqual([
      { projectGid, mode: 'incremental' },
    ]);
    const full = await client.schedule.getHandle(ids.full).describe();
    expect(full.spec.intervals?.[0]?.every).toBe(24 * 60 * 60 * 1000);
    await client.schedule.getHandle(ids.incremental).delete();
    await client.schedule.getHandle(ids.full).delete();
  });
});
