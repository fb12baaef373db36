/**
 * The receiver's Express app, without listening, so tests can mount it. Health and readiness live here; the Asana
 * webhook routes are added by `mountAsanaWebhookRoutes` (receiver/asana-webhook-route.ts).
 */
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from '../common/logger';

export interface ReceiverDependencies {
  client: Client;
  logger: Logger;
  /** How long /readyz waits for Temporal. @default 2000 */
  readinessTimeoutMs?: number;
}

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

  return app;
}
