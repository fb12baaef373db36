/**
 * POST /webhooks/asana/:resourceGid — Asana's handshake and deliveries for one watched resource.
 *
 * Handshake (header X-Hook-Secret, sent while our own POST /webhooks is still in flight): the secret is handed to the
 * resource's watch workflow with an update that is accepted only while that workflow is registering a webhook of the
 * same generation; only then is it echoed with 200. Anything else is refused and changes nothing.
 *
 * Delivery: body size (413), content type (415), signature over the raw bytes in constant time (401), JSON in Asana's
 * shape (400) — in each refusal nothing is started. Then one signalWithStart per distinct resource, and 200 only once
 * Temporal has acknowledged every one; if Temporal does not answer within RECEIVER_ACK_TIMEOUT_MS, 503 so Asana
 * retries. A heartbeat (no events) is recorded with the watch workflow and answered 200.
 */
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { isValidSignature } from '../asana/webhook-signature';
import type { Logger } from '../common/logger';
import { registerSecretValues } from '../common/logger';
import { AsanaGid, AsanaResourceType } from '../common/search-attributes';
import type { TaskQueues } from '../common/task-queues';
import { ASANA_WEBHOOK_ROUTE, isAsanaGid } from '../common/webhook-targets';
import { syncWorkflowId, webhookWorkflowId } from '../common/workflow-ids';
import {
  type AsanaChange,
  type AsanaResourceRef,
  asanaChangedSignal,
  deliveryReceivedSignal,
  recordHandshakeUpdate,
  SYNCED_RESOURCE_TYPES,
  type SyncAsanaResourceInput,
  type SyncedResourceType,
} from '../workflows/definitions';
import type { syncAsanaResource } from '../workflows/sync-asana-resource';
import { AsanaDelivery, type AsanaEvent } from './delivery-schema';
import type { WebhookSecretSource } from './webhook-secrets';
import { withinDeadline } from './within-deadline';

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
  sync?: Pick<SyncAsanaResourceInput, 'quietPeriodMs' | 'maxDelayMs' | 'idleTimeoutMs' | 'touchUnchanged'>;
  /** Tell the watch workflow about ordinary deliveries at most this often per resource. @default 60_000 */
  deliveryReportIntervalMs?: number;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (res: Response, status: number, error: string) => res.status(status).json({ error });

/** The distinct synced resources of a delivery, each with its latest event (events are hints; the sync re-reads). */
export function changedResources(
  events: AsanaEvent[],
  receivedAt: string,
): Map<string, { ref: AsanaResourceRef; change: AsanaChange }> {
  const byResource = new Map<string, { ref: AsanaResourceRef; change: AsanaChange }>();
  for (const event of events) {
    const type = event.resource.resource_type as SyncedResourceType;
    if (!SYNCED_RESOURCE_TYPES.includes(type)) continue;
    const key = `${type}:${event.resource.gid}`;
    byResource.set(key, {
      ref: { gid: event.resource.gid, resource_type: type },
      change: { action: event.action, createdAt: event.created_at, receivedAt, source: 'webhook' },
    });
  }
  return byResource;
}

export function mountAsanaWebhookRoutes(app: express.Express, options: AsanaWebhookRouteOptions): void {
  const { client, logger, secrets, taskQueues, ackTimeoutMs } = options;
  const lastReported = new Map<string, number>();
  const reportInterval = options.deliveryReportIntervalMs ?? 60_000;

  /** A call that still lands after the 503 is harmless: Asana resends, and a duplicate change signal only re-syncs. */
  const withinAckDeadline = <T>(fn: () => Promise<T>): Promise<T> => withinDeadline(client, ackTimeoutMs, fn);

  async function handshake(req: Request, res: Response, resourceGid: string): Promise<void> {
    const secret = req.get('x-hook-secret') ?? '';
    const generation = Number(req.query.generation);
    if (secret.length < 16 || !Number.isInteger(generation)) {
      refuse(res, 400, 'a handshake needs an X-Hook-Secret and the generation from the target URL');
      return;
    }
    registerSecretValues([secret]);
    try {
      await withinAckDeadline(() =>
        client.workflow
          .getHandle(webhookWorkflowId(resourceGid))
          .executeUpdate(recordHandshakeUpdate, { args: [{ generation, secret }] }),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        logger.warn({ resourceGid }, 'handshake refused: no webhook is being registered for this resource');
        refuse(res, 403, 'no webhook is being registered for this target');
        return;
      }
      if (error instanceof WorkflowUpdateFailedError) {
        logger.warn({ resourceGid, generation }, 'handshake refused: the target is not registering this webhook');
        refuse(res, 409, 'this target is not registering a webhook of that generation');
        return;
      }
      throw error;
    }
    logger.info({ resourceGid, generation }, 'webhook handshake recorded');
    res.status(200).set('X-Hook-Secret', secret).end();
  }

  async function verify(req: Request, resourceGid: string): Promise<void> {
    const signature = req.get('x-hook-signature');
    if (!signature) throw new Refusal(401, 'missing X-Hook-Signature');
    const body = req.body as Buffer;
    let known = await withinAckDeadline(() => secrets.get(resourceGid));
    if (known && known.status !== 'unwatched' && isValidSignature(body, signature, known.secrets)) return;
    // Perhaps the resource was just watched or its webhook re-created: look again before refusing.
    known = await withinAckDeadline(() => secrets.get(resourceGid, { fresh: true }));
    if (!known || known.status === 'unwatched') throw new Refusal(404, 'no watched resource at this target');
    if (isValidSignature(body, signature, known.secrets)) return;
    throw new Refusal(401, 'X-Hook-Signature does not match the body');
  }

  function parse(body: Buffer): AsanaDelivery {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new Refusal(400, 'the body is not JSON');
    }
    const delivery = AsanaDelivery.safeParse(json);
    if (!delivery.success) {
      throw new Refusal(
        400,
        `not an Asana delivery: ${delivery.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      );
    }
    return delivery.data;
  }

  async function record(resourceGid: string, delivery: AsanaDelivery): Promise<number> {
    const receivedAt = new Date().toISOString();
    const changes = changedResources(delivery.events, receivedAt);
    const heartbeat = delivery.events.length === 0;
    const calls: Promise<unknown>[] = [...changes.values()].map(({ ref, change }) =>
      client.workflow.signalWithStart<typeof syncAsanaResource, [AsanaChange]>('syncAsanaResource', {
        workflowId: syncWorkflowId(ref),
        taskQueue: taskQueues.sync,
        args: [{ resource: ref, ...options.sync }],
        signal: asanaChangedSignal,
        signalArgs: [change],
        typedSearchAttributes: [
          { key: AsanaGid, value: ref.gid },
          { key: AsanaResourceType, value: ref.resource_type },
        ],
      }),
    );
    const now = Date.now();
    if (heartbeat || now - (lastReported.get(resourceGid) ?? 0) >= reportInterval) {
      calls.push(
        client.workflow
          .getHandle(webhookWorkflowId(resourceGid))
          .signal(deliveryReceivedSignal, { at: receivedAt, heartbeat, events: delivery.events.length }),
      );
    }
    await withinAckDeadline(() => Promise.all(calls));
    if (calls.length > 0) lastReported.set(resourceGid, now);
    return changes.size;
  }

  const router: Router = express.Router({ mergeParams: true });
  router.use(express.raw({ type: () => true, limit: options.bodyLimit ?? '1mb' }));
  router.post('/', async (req, res) => {
    const resourceGid = (req.params as { resourceGid: string }).resourceGid;
    if (!isAsanaGid(resourceGid)) {
      refuse(res, 404, 'not a webhook target');
      return;
    }
    try {
      if (req.get('x-hook-secret') !== undefined) {
        await handshake(req, res, resourceGid);
        return;
      }
      if (!req.is('application/json')) throw new Refusal(415, 'deliveries must be application/json');
      await verify(req, resourceGid);
      const delivery = parse(req.body as Buffer);
      const resources = await record(resourceGid, delivery);
      logger.info(
        { resourceGid, events: delivery.events.length, resources, heartbeat: delivery.events.length === 0 },
        'asana delivery recorded',
      );
      res.status(200).json({ recorded: resources });
    } catch (error) {
      if (error instanceof Refusal) {
        logger.warn({ resourceGid, status: error.status, reason: error.message }, 'asana delivery refused');
        refuse(res, error.status, error.message);
        return;
      }
      // Temporal unreachable, slow, or failing: nothing was acknowledged, so Asana must retry.
      logger.error({ resourceGid, err: error }, 'could not record asana delivery in Temporal; answering 503');
      refuse(res, 503, 'could not record the delivery; retry later');
    }
  });
  const tooLarge: ErrorRequestHandler = (error: { type?: string; status?: number }, _req, res, next) => {
    if (error.type === 'entity.too.large') {
      refuse(res, 413, `body larger than ${options.bodyLimit ?? '1mb'}`);
      return;
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      refuse(res, error.status, 'malformed request');
      return;
    }
    next(error);
  };
  router.use(tooLarge);
  app.use(ASANA_WEBHOOK_ROUTE, router);
}
