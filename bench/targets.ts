/**
 * The servers the load generator (bench/load.ts) is aimed at, in one child process of their own, each on its own
 * port of 127.0.0.1, all taking the same signed 1-event deliveries at `/webhooks/asana/<gid>`:
 *
 *   receiver       the real receiver app (receiver/app.ts) over a Temporal client: what a user runs
 *   bare           node:http, JSON.parse, and the same signalWithStart per resource (common/signal-asana-change.ts):
 *                  the floor any receiver on this Temporal has
 *   receiverNoop   the real receiver app with Temporal replaced by a no-op port: the receiver's own cost
 *   hello          an Express 5 hello-world (answers without reading the body)
 *   hmac           Express 5, the raw body, HMAC verification and JSON.parse: a bare-HMAC handler
 *
 * Every server logs as the receiver does (pino, JSON, info), to a stdout that goes nowhere. The parent talks over IPC:
 * it gets `{ ready, ports }`, may ask `cpu` (this process's CPU time, to cost a request) and sends `stop`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import express from 'express';
import { isValidSignature } from '../asana/webhook-signature';
import { loadConfig } from '../common/config';
import { listen, type RunningServer } from '../common/listen';
import { createLogger } from '../common/logger';
import { signalAsanaChange, type SyncTimings } from '../common/signal-asana-change';
import { createDataConverter } from '../common/temporal-connection';
import { taskQueuesFor } from '../common/task-queues';
import { createReceiverApp } from '../receiver/app';
import type { WebhookTemporalPort } from '../receiver/asana-webhook-receiver';
import { TemporalWebhookSecrets, type WebhookSecretSource } from '../receiver/webhook-secrets';
import type { SyncedResourceType } from '../workflows/definitions';

export interface TargetsSpec {
  temporalAddress: string;
  /** The prefix the parent's workers poll (taskQueuesFor). */
  queuePrefix: string;
  sync: SyncTimings;
  /** The secret the watched resource's deliveries are signed with (the no-op and HMAC targets know it directly). */
  secret: string;
  ackTimeoutMs: number;
}

export type TargetName = 'receiver' | 'bare' | 'receiverNoop' | 'hello' | 'hmac';

export type TargetsMessage =
  { type: 'ready'; ports: Record<TargetName, number> } | { type: 'cpu'; userMicros: number; systemMicros: number };

async function main(spec: TargetsSpec): Promise<void> {
  const config = loadConfig({ TEMPORAL_ADDRESS: spec.temporalAddress, LOG_LEVEL: 'info' });
  const connection = await Connection.connect({ address: spec.temporalAddress });
  const client = new Client({ connection, dataConverter: createDataConverter(config) });
  const logger = createLogger({ level: 'info', format: 'json' });
  const taskQueues = taskQueuesFor(spec.queuePrefix);
  const webhooks = { taskQueues, ackTimeoutMs: spec.ackTimeoutMs, sync: spec.sync };

  const noop: WebhookTemporalPort = {
    recordHandshake: async () => 'refused',
    signalAsanaChange: async () => undefined,
    reportDelivery: async () => undefined,
  };
  const knownSecret: WebhookSecretSource = { get: async () => ({ status: 'active', secrets: [spec.secret] }) };

  const hello = express();
  hello.disable('x-powered-by');
  hello.post('/webhooks/asana/:resourceGid', (_req, res) => {
    res.json({ hello: 'world' });
  });

  const hmac = express();
  hmac.disable('x-powered-by');
  hmac.post('/webhooks/asana/:resourceGid', express.raw({ type: () => true }), (req, res) => {
    const body = req.body as Buffer;
    if (!isValidSignature(body, req.get('x-hook-signature'), spec.secret)) {
      res.status(401).json({ error: 'bad signature' });
      return;
    }
    const events = (JSON.parse(body.toString('utf8')) as { events: unknown[] }).events;
    logger.info({ events: events.length }, 'delivery verified');
    res.json({ recorded: events.length });
  });

  const servers: Record<TargetName, RunningServer> = {
    receiver: await listen(
      createReceiverApp({ client, logger, webhooks: { ...webhooks, secrets: new TemporalWebhookSecrets(client) } }),
      0,
      '127.0.0.1',
    ),
    receiverNoop: await listen(
      createReceiverApp({
        client: new Client({ connection: Connection.lazy({ address: spec.temporalAddress }) }),
        logger,
        webhooks: { ...webhooks, secrets: knownSecret, temporal: noop },
      }),
      0,
      '127.0.0.1',
    ),
    hello: await listen(hello, 0, '127.0.0.1'),
    hmac: await listen(hmac, 0, '127.0.0.1'),
    bare: await listenBare(client, taskQueues.sync, spec.sync, logger),
  };

  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: 'cpu', userMicros: user, systemMicros: system } satisfies TargetsMessage);
    }
    if (message.type === 'stop') {
      void Promise.all(Object.values(servers).map((s) => s.close()))
        .then(() => connection.close())
        .finally(() => process.exit(0));
    }
  });
  // The parent gone (killed), this process goes too: nothing is left listening.
  process.on('disconnect', () => process.exit(0));
  const ports = Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, s.port])) as Record<
    TargetName,
    number
  >;
  process.send?.({ type: 'ready', ports } satisfies TargetsMessage);
}

/** The bare floor: no framework, no verification, no schema; one signalWithStart per resource, then 200. */
async function listenBare(
  client: Client,
  taskQueue: string,
  sync: SyncTimings,
  logger: ReturnType<typeof createLogger>,
): Promise<RunningServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { events } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        events: { action: string; created_at: string; resource: { gid: string; resource_type: string } }[];
      };
      const receivedAt = new Date().toISOString();
      Promise.all(
        events.map((event) =>
          signalAsanaChange(
            client,
            { gid: event.resource.gid, resource_type: event.resource.resource_type as SyncedResourceType },
            { action: event.action, createdAt: event.created_at, receivedAt, source: 'webhook' },
            { taskQueue, sync },
          ),
        ),
      ).then(
        () => {
          logger.info({ events: events.length }, 'delivery recorded');
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"recorded":1}');
        },
        () => res.writeHead(503).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

main(JSON.parse(process.argv[2] ?? '') as TargetsSpec).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
