/**
 * `connect`: GET /oauth/asana/connect redirects the operator to Asana's consent screen with a fresh `state` and PKCE
 * challenge; GET /oauth/asana/callback checks the state (single use, 10 minutes), exchanges the code and hands the
 * tokens to the connection workflow. The pending state lives in that workflow, so any receiver instance can answer.
 * A reconnect after Asana refused the refresh token runs every full reconciliation, repairing what changed meanwhile.
 */
import type { Express, Request, Response } from 'express';
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { AsanaOAuth } from '../asana/oauth';
import { DEFAULT_CONNECTION_ID } from '../asana/token-provider';
import { triggerFullReconciliations } from '../client/schedules';
import { AsanaConnectionState } from '../common/search-attributes';
import type { Logger } from '../common/logger';
import { asanaConnectionWorkflowId } from '../common/workflow-ids';
import {
  asanaConnection,
  beginAsanaAuthorizationUpdate,
  claimAsanaAuthorizationUpdate,
  connectAsanaUpdate,
} from '../workflows/asana-connection';

export interface AsanaOAuthRouteOptions {
  client: Client;
  logger: Logger;
  oauth: AsanaOAuth;
  /** The workflow queue (the refresh activity runs there). */
  taskQueue: string;
  /** @default 'default' */
  connectionId?: string;
}

export function mountAsanaOAuthRoutes(app: Express, options: AsanaOAuthRouteOptions): void {
  const connectionId = options.connectionId ?? DEFAULT_CONNECTION_ID;
  const workflowId = asanaConnectionWorkflowId(connectionId);
  const withStart = () =>
    new WithStartWorkflowOperation(asanaConnection, {
      workflowId,
      taskQueue: options.taskQueue,
      args: [{ connectionId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });

  /** Whether the connection is marked as refused by Asana (its search attribute; no worker needed to read it). */
  const needsReauthorization = async () => {
    try {
      const described = await options.client.workflow.getHandle(workflowId).describe();
      return described.typedSearchAttributes.get(AsanaConnectionState) === 'needs-reauthorization';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };

  app.get('/oauth/asana/connect', async (_req: Request, res: Response) => {
    const pending = await options.oauth.authorization();
    await options.client.workflow.executeUpdateWithStart(beginAsanaAuthorizationUpdate, {
      args: [{ state: pending.state, codeVerifier: pending.codeVerifier }],
      startWorkflowOperation: withStart(),
    });
    res.redirect(302, pending.url);
  });

  app.get('/oauth/asana/callback', async (req: Request, res: Response) => {
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    if (typeof req.query.error === 'string') {
      res.status(400).type('text').send(`Asana did not authorize the service (${req.query.error}); run connect again`);
      return;
    }
    let codeVerifier: string;
    try {
      codeVerifier = await options.client.workflow
        .getHandle(workflowId)
        .executeUpdate(claimAsanaAuthorizationUpdate, { args: [{ state }] });
    } catch (error) {
      if (!(error instanceof WorkflowUpdateFailedError)) throw error;
      res.status(400).type('text').send('Unknown, used or expired state: start again at /oauth/asana/connect');
      return;
    }
    const callbackQuery = new URL(req.originalUrl, 'http://receiver.invalid').searchParams;
    let tokens;
    try {
      tokens = await options.oauth.exchange(callbackQuery, { state, codeVerifier });
    } catch (error) {
      options.logger.warn({ err: error, connectionId }, 'Asana refused the authorization code');
      res.status(502).type('text').send('Asana refused the authorization code; run connect again');
      return;
    }
    if (!tokens.refreshToken) {
      res.status(502).type('text').send('Asana answered without a refresh token; run connect again');
      return;
    }
    const reconnecting = await needsReauthorization();
    await options.client.workflow.executeUpdateWithStart(connectAsanaUpdate, {
      args: [{ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAtMs: tokens.expiresAtMs }],
      startWorkflowOperation: withStart(),
    });
    options.logger.info({ connectionId }, 'Asana connected');
    if (reconnecting) {
      // Nothing could be synced while disconnected; full reconciliation repairs that gap now.
      const triggered = await triggerFullReconciliations(options.client, options.taskQueue);
      options.logger.info({ connectionId, reconciliations: triggered.length }, 'reconnected: repairing the gap');
    }
    res.type('text').send(`Asana connected (connection "${connectionId}"). You can close this page.`);
  });
}
