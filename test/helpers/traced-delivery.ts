/**
 * One signed Asana delivery through a traced receiver and worker, in a process of its own (tracing patches modules
 * and registers a global provider, once per process), for test/integration/tracing.test.ts. The spans go to an
 * in-memory exporter and are printed as one JSON line when the delivery's sync has finished.
 * Env: TEMPORAL_ADDRESS, TASK_QUEUE. The Asana fetch calls a local HTTP server that answers with a note's text.
 */
import { exporter, tracing } from './in-memory-tracing';
import { createServer } from 'node:http';
import { request } from 'undici';
import { NativeConnection } from '@temporalio/worker';
import { signDelivery } from '../../asana/webhook-signature';
import { loadConfig } from '../../common/config';
import { listen } from '../../common/listen';
import { createLogger } from '../../common/logger';
import { taskQueuesFor } from '../../common/task-queues';
import { connectClient } from '../../common/temporal-connection';
import { syncWorkflowId } from '../../common/workflow-ids';
import { createReceiverApp } from '../../receiver/app';
import { createWorkers, runWorkers } from '../../workers/create-workers';
import { installRuntimeLogging } from '../../workers/runtime-logging';

const SECRET = 's'.repeat(64);
const NOTE_TEXT = 'Private note: the client wants a discount';

async function main(): Promise<void> {
  const logger = createLogger({ level: 'fatal', format: 'json' });
  const config = loadConfig({ TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS, LOG_LEVEL: 'error' });
  const queues = taskQueuesFor(process.env.TASK_QUEUE!);
  const taskGid = String(Date.now());

  const asana = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { notes: NOTE_TEXT } }));
  });
  await new Promise<void>((resolve) => asana.listen(0, '127.0.0.1', resolve));
  const asanaUrl = `http://127.0.0.1:${(asana.address() as { port: number }).port}/tasks/${taskGid}`;

  installRuntimeLogging(logger);
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const client = await connectClient(config);
  const activities = {
    sync: {},
    asana: {
      async fetchAsanaResourceForAttio(ref: { gid: string }) {
        const response = await request(asanaUrl);
        const body = (await response.body.json()) as { data: { notes: string } };
        return { kind: 'task', gid: ref.gid, hash: body.data.notes.length.toString(), state: 'removed' };
      },
    },
    attio: {
      async writeAsanaResourceToAttio(input: { mapped: { hash: string } }) {
        return { hash: input.mapped.hash, writes: 1, summary: 'written' };
      },
    },
  };
  const workers = runWorkers(
    await createWorkers({ config, connection, activities: activities as never, taskQueues: queues }),
  );
  const receiver = await listen(
    createReceiverApp({
      client,
      logger,
      webhooks: {
        secrets: { get: async () => ({ status: 'active', secrets: [SECRET] }) },
        taskQueues: queues,
        ackTimeoutMs: 5000,
        sync: { quietPeriodMs: 50, maxDelayMs: 1000, idleTimeoutMs: 0 },
      },
    }),
    0,
    '127.0.0.1',
  );
  const port = (receiver.server.address() as { port: number }).port;
  const body = JSON.stringify({
    events: [
      { action: 'changed', resource: { gid: taskGid, resource_type: 'task' }, created_at: new Date().toISOString() },
    ],
  });
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/asana/9100?generation=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hook-signature': signDelivery(body, SECRET) },
    body,
  });
  if (response.status !== 200) throw new Error(`delivery answered ${response.status}: ${await response.text()}`);
  await client.workflow.getHandle(syncWorkflowId({ gid: taskGid, resource_type: 'task' })).result();

  await receiver.close();
  await workers.stop();
  await tracing.flush();
  const spans = exporter.getFinishedSpans().map((span) => ({
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanId,
    attributes: span.attributes,
  }));
  process.stdout.write(
    `SPANS ${JSON.stringify({ spans, taskGid, secrets: [SECRET, signDelivery(body, SECRET), NOTE_TEXT] })}\n`,
  );
  await client.connection.close();
  await connection.close();
  asana.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
