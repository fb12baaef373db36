/**
 * GET /metrics on the receiver, on the real dev server: after a recorded delivery and a forged one, the counters by
 * outcome, the signature failures and the ack latency histogram have moved, in the Prometheus text format.
 */
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { signDelivery } from '../../asana/webhook-signature';
import { listen, type RunningServer } from '../../common/listen';
import { createLogger } from '../../common/logger';
import { createReceiverApp } from '../../receiver/app';
import { taskEvent } from '../helpers/asana-events';
import { testClient, testConfig, uniqueTaskQueues } from '../helpers/temporal';

const SECRET = 'm'.repeat(64);
const config = testConfig();
const resourceGid = String(Date.now());
let client: Client;
let receiver: RunningServer;
let baseUrl: string;

beforeAll(async () => {
  client = await testClient(config);
  const app = createReceiverApp({
    client,
    logger: createLogger({ level: 'fatal', format: 'json' }),
    webhooks: {
      // The watch's secrets as the memo gives them (receiver/webhook-secrets.ts reads them; tested with the route).
      secrets: { get: async () => ({ status: 'active', secrets: [SECRET] }) },
      taskQueues: uniqueTaskQueues('receiver-metrics'),
      ackTimeoutMs: 3000,
      sync: { quietPeriodMs: 60_000 },
    },
  });
  receiver = await listen(app, 0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await receiver.close();
  await client.connection.close();
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
