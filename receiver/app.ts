/**
 * The receiver's Express app, without listening, so tests can mount it. Health and readiness live here; the Asana
 * webhook routes are added by `mountAsanaWebhookRoutes` (receiver/asana-webhook-route.ts).
 */
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import { asanaOAuthFor } from '../asana/oauth';
import type { Logger } from '../common/logger';
import { taskQueuesOf } from '../common/task-queues';
import { type AsanaWebhookRouteOptions, mountAsanaWebhookRoutes } from './asana-webhook-route';
import { type AsanaOAuthRouteOptions, mountAsanaOAuthRoutes } from './asana-oauth-routes';
import { createReceiverMetrics, type ReceiverMetrics } from './metrics';
import { mountResyncRoute, type ResyncRouteOptions } from './resync-route';
import { TemporalWebhookSecrets } from './webhook-secrets';

export interface ReceiverDependencies {
  client: Client;
  logger: Logger;
  /** How long /readyz waits for Temporal. @default 2000 */
  readinessTimeoutMs?: number;
  /** The Asana webhook routes; omitted, the app serves health endpoints only. */
  webhooks?: Omit<AsanaWebhookRouteOptions, 'client' | 'logger'>;
  /** POST /resync; omitted (no RESYNC_API_TOKEN), the endpoint does not exist. */
  resync?: Omit<ResyncRouteOptions, 'client' | 'logger'>;
  /** Served at GET /metrics and fed by the webhook routes. @default a fresh registry */
  metrics?: ReceiverMetrics;
  /** GET /oauth/asana/connect and its callback; omitted (no ASANA_OAUTH_CLIENT_ID), they do not exist. */
  asanaOAuth?: Omit<AsanaOAuthRouteOptions, 'client' | 'logger'>;
}

/** The app as configured: health, the Asana webhook routes, and POST /resync when RESYNC_API_TOKEN is set. */
export const createReceiverAppFor = (config: Config, client: Client, logger: Logger): Express =>
  createReceiverApp({
    client,
    logger,
    webhooks: webhookOptionsFrom(config, client),
    resync: resyncOptionsFrom(config),
    asanaOAuth: asanaOAuthOptionsFrom(config),
  });

/** The OAuth routes a config gives (none without ASANA_OAUTH_CLIENT_ID). */
export const asanaOAuthOptionsFrom = (config: Config): ReceiverDependencies['asanaOAuth'] => {
  const oauth = asanaOAuthFor(config);
  return oauth ? { oauth, taskQueue: taskQueuesOf(config).sync } : undefined;
};

/** The resync-route options a config gives (none without RESYNC_API_TOKEN). */
export const resyncOptionsFrom = (config: Config): ReceiverDependencies['resync'] =>
  config.env.RESYNC_API_TOKEN
    ? {
        token: config.env.RESYNC_API_TOKEN,
        taskQueue: taskQueuesOf(config).sync,
        offered: config.scope.backfill.resyncActions,
      }
    : undefined;

/** The webhook-route options a config gives. */
export const webhookOptionsFrom = (config: Config, client: Client): ReceiverDependencies['webhooks'] => ({
  secrets: new TemporalWebhookSecrets(client),
  taskQueues: taskQueuesOf(config),
  ackTimeoutMs: config.env.RECEIVER_ACK_TIMEOUT_MS,
  sync: {
    quietPeriodMs: config.env.SYNC_QUIET_PERIOD_MS,
    maxDelayMs: config.env.SYNC_MAX_DELAY_MS,
    idleTimeoutMs: config.env.SYNC_IDLE_TIMEOUT_MS,
    touchUnchanged: config.env.SYNC_TOUCH_UNCHANGED,
  },
});

export function createReceiverApp(deps: ReceiverDependencies): Express {
  const app = express();
  app.disable('x-powered-by');

  /** Liveness: the process serves HTTP. */
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** Readiness: Temporal answers, so a delivery could be recorded now. */
  app.get('/readyz', async (_req, res) => {
    const timeoutMs = deps.readinessTimeoutMs ?? 2000;
    try {
      await deps.client.connection.withDeadline(Date.now() + timeoutMs, () =>
        deps.client.workflowService.getSystemInfo({}),
      );
      res.json({ status: 'ready', temporal: 'reachable' });
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed: Temporal unreachable');
      res.status(503).json({ status: 'not ready', temporal: 'unreachable' });
    }
  });

  /** Prometheus text format: the receiver's counters, its ack latency, and the process's own metrics. */
  const metrics = deps.metrics ?? createReceiverMetrics();
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  if (deps.webhooks) {
    mountAsanaWebhookRoutes(app, { client: deps.client, logger: deps.logger, metrics, ...deps.webhooks });
  }
  if (deps.asanaOAuth) mountAsanaOAuthRoutes(app, { client: deps.client, logger: deps.logger, ...deps.asanaOAuth });
  if (deps.resync) mountResyncRoute(app, { client: deps.client, logger: deps.logger, ...deps.resync });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  return app;
}
