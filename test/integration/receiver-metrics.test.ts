/**
 * GET /metrics on the receiver, on the real dev server: after a recorded delivery and a forged one, the counters by
 * outcome, the signature failures and the ack latency histogram have moved, in the Prometheus text format.
 */
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { signDelivery } from '../../asana/webhook-signature';
import { listen, type RunningServer } from '../../common/listen';
import { createLogger } from '../../common/logger';
import { createDataConverter } from '../../common/temporal-connection';
import { webhookWorkflowId } from '../../common/workflow-ids';
import { createReceiverApp } from '../../receiver/app';
import { TemporalWebhookSecrets } from '../../receiver/webhook-secrets';
import { WEBHOOK_SECRETS_MEMO } from '../../workflows/definitions';
import { taskEvent } from '../helpers/asana-events';
import { connectWorkerConnection, testClient, testConfig, uniqueTaskQueues } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';
import { keepWebhookSecretsInMemo } from '../helpers/workflows/keep-webhook-secrets-in-memo';

const SECRET = 'm'.repeat(64);
const config = testConfig();
const resourceGid = String(Date.now());
let client: Client;
let connection: NativeConnection;
let receiver: RunningServer;
let baseUrl: string;

beforeAll(async () => {
  client = await testClient(config);
  connection = await connectWorkerConnection();
  const queues = uniqueTaskQueues('receiver-metrics');
  // A watch stand-in that publishes the secret in its memo, as the watch workflow does; then its worker stops.
  const memoWorker = await Worker.create({
    connection,
    dataConverter: createDataConverter(config),
    taskQueue: queues.sync,
    workflowsPath: require.resolve('../helpers/workflows/keep-webhook-secrets-in-memo'),
  });
  await memoWorker.runUntil(async () => {
    const watch = await client.workflow.start(keepWebhookSecretsInMemo, {
      taskQueue: queues.sync,
      workflowId: webhookWorkflowId(resourceGid),
      args: [{ status: 'active', secrets: [SECRET] }],
    });
    await waitFor(async () => (await watch.describe()).memo?.[WEBHOOK_SECRETS_MEMO] !== undefined);
  });
  const app = createReceiverApp({
    client,
    logger: createLogger({ level: 'fatal', format: 'json' }),
    webhooks: {
      secrets: new TemporalWebhookSecrets(client, 0),
      taskQueues: queues,
      ackTimeoutMs: 3000,
      sync: { quietPeriodMs: 60_000 },
    },
  });
  receiver = await listen(app, 0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await receiver.close();
  await client.workflow.getHandle(webhookWorkflowId(resourceGid)).terminate('test over');
  await client.connection.close();
  await connection.close();
});

const post = (body: string, signature: string) =>
  fetch(`${baseUrl}/webhooks/asana/${resourceGid}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hook-signature': signature },
    body,
  });

async function scrape(): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample line, e.g. `asana_webhook_requests_total{outcome="forged"}`; 0 when absent. */
const sample = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
};

test('a recorded delivery and a forged one move their counters, the signature failures and the ack histogram', async () => {
  const before = await scrape();
  const body = JSON.stringify({ events: [taskEvent(String(Date.now() + 1))] });
  expect((await post(body, signDelivery(body, SECRET))).status).toBe(200);
  expect((await post(body, signDelivery(body, 'f'.repeat(64)))).status).toBe(401);
  const after = await scrape();

  const delta = (series: string) => sample(after, series) - sample(before, series);
  expect(delta('asana_webhook_requests_total{outcome="recorded"}')).toBe(1);
  expect(delta('asana_webhook_requests_total{outcome="forged"}')).toBe(1);
  expect(delta('asana_webhook_signature_failures_total')).toBe(1);
  expect(delta('asana_webhook_ack_duration_seconds_count{outcome="recorded"}')).toBe(1);
  expect(sample(after, 'asana_webhook_ack_duration_seconds_bucket{le="10",outcome="recorded"}')).toBe(1);
  // The process's own metrics come with them, and nothing of the delivery does.
  expect(after).toContain('process_cpu_seconds_total');
  expect(after).not.toContain(SECRET);
});
