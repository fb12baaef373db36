/**
 * POST /webhooks/asana/:resourceGid in Express: reads the raw body (413 over the limit), hands the request to the
 * framework-free receiver (receiver/asana-webhook-receiver.ts, where every decision is made and documented), and
 * writes and logs its outcome.
 */
import express, { type ErrorRequestHandler, type Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from '../common/logger';
import type { SyncTimings } from '../common/signal-asana-change';
import type { TaskQueues } from '../common/task-queues';
import { ASANA_WEBHOOK_ROUTE, isAsanaGid } from '../common/webhook-targets';
import { createAsanaWebhookReceiver, type WebhookTemporalPort } from './asana-webhook-receiver';
import { temporalWebhookPort } from './temporal-webhook-port';
import { deliveryOutcome, type ReceiverMetrics } from './metrics';
import type { WebhookSecretSource } from './webhook-secrets';

export interface AsanaWebhookRouteOptions {
  client: Client;
  logger: Logger;
  secrets: WebhookSecretSource;
  taskQueues: TaskQueues;
  /** Longest wait for Temporal before answering 503. */
  ackTimeoutMs: number;
  /** Largest accepted body. @default '1mb' */
  bodyLimit?: string;
  /** Debounce settings passed to sync workflows the receiver starts. */
  sync?: SyncTimings;
  /** Tell the watch workflow about ordinary deliveries at most this often per resource. @default 60_000 */
  deliveryReportIntervalMs?: number;
  /** Counts every answer by outcome (GET /metrics). */
  metrics?: ReceiverMetrics;
  /** Replaces the port over `client` (the benchmark measures the receiver's own cost with a no-op). */
  temporal?: WebhookTemporalPort;
}

export function mountAsanaWebhookRoutes(app: express.Express, options: AsanaWebhookRouteOptions): void {
  const { logger } = options;
  const bodyLimit = options.bodyLimit ?? '1mb';
  const receive = createAsanaWebhookReceiver({
    temporal:
      options.temporal ??
      temporalWebhookPort(options.client, {
        taskQueue: options.taskQueues.sync,
        sync: options.sync,
        timeoutMs: options.ackTimeoutMs,
      }),
    secrets: options.secrets,
    ackTimeoutMs: options.ackTimeoutMs,
    deliveryReportIntervalMs: options.deliveryReportIntervalMs,
  });

  const router: Router = express.Router({ mergeParams: true });
  // Raw bytes on this route only: the signature is over them, never over re-serialized JSON.
  router.use(express.raw({ type: () => true, limit: bodyLimit }));
  router.post('/', async (req, res) => {
    const startedAt = process.hrtime.bigint();
    const resourceGid = (req.params as { resourceGid: string }).resourceGid;
    if (!isAsanaGid(resourceGid)) {
      res.status(404).json({ error: 'not a webhook target' });
      return;
    }
    const outcome = await receive({
      resourceGid,
      query: req.query,
      headers: req.headers,
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    });
    logger[outcome.log.level](outcome.log.fields, outcome.log.message);
    options.metrics?.observe(
      deliveryOutcome(outcome.status, req.headers['x-hook-secret'] !== undefined),
      Number(process.hrtime.bigint() - startedAt) / 1e9,
    );
    res.status(outcome.status).set(outcome.headers ?? {});
    if (outcome.body) res.json(outcome.body);
    else res.end();
  });
  const tooLarge: ErrorRequestHandler = (error: { type?: string; status?: number }, _req, res, next) => {
    if (error.type === 'entity.too.large') {
      res.status(413).json({ error: `body larger than ${bodyLimit}` });
      return;
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ error: 'malformed request' });
      return;
    }
    next(error);
  };
  router.use(tooLarge);
  app.use(ASANA_WEBHOOK_ROUTE, router);
}
