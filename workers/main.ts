/**
 * `npm run worker`: a worker process on its own (production, docker-compose). Stateless: run as many as needed.
 */
// First, so the HTTP, Express and undici instrumentation patch those modules before they load.
import '../common/tracing-from-env';
import { type Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createQueueActivities } from '../activities';
import { AsanaClient } from '../asana/client';
import { asanaOAuthFor } from '../asana/oauth';
import { type AsanaTokenSource, ConnectionTokenProvider, DEFAULT_CONNECTION_ID } from '../asana/token-provider';
import { AttioClient } from '../attio/client';
import { type Config, loadConfig, loadDotEnv } from '../common/config';
import { createLoggerFor, type Logger } from '../common/logger';
import type { Scope as FieldMap } from '../mapping/scope';
import { registerSearchAttributes } from '../common/register-search-attributes';
import { connectClient, temporalAddress } from '../common/temporal-connection';
import { stopTracing } from '../common/tracing';
import { createWorkers, runWorkers } from './create-workers';
import { installRuntimeLogging, runtimeTelemetryOf } from './runtime-logging';

/** Clients for the configured Asana and Attio (the demo passes the stand-ins' URLs and tokens in config). */
export function createActivitiesFor(
  config: Config,
  tokens: { asana: string | AsanaTokenSource; attio: string },
  fieldMap: FieldMap,
  client: Client,
  logger?: Logger,
) {
  return createQueueActivities({
    client,
    sync: {
      quietPeriodMs: config.env.SYNC_QUIET_PERIOD_MS,
      maxDelayMs: config.env.SYNC_MAX_DELAY_MS,
      idleTimeoutMs: config.env.SYNC_IDLE_TIMEOUT_MS,
      touchUnchanged: config.env.SYNC_TOUCH_UNCHANGED,
    },
    schedules: {
      incrementalEveryMinutes: config.env.RECONCILE_EVERY_MINUTES,
      fullEveryHours: config.env.FULL_RECONCILE_EVERY_HOURS,
    },
    asana: new AsanaClient({ baseUrl: config.env.ASANA_BASE_URL, token: tokens.asana }),
    attio: new AttioClient({ baseUrl: config.env.ATTIO_BASE_URL, token: tokens.attio }),
    fieldMap,
    receiverPublicUrl: config.receiverPublicUrl,
    alertWebhookUrl: config.env.ALERT_WEBHOOK_URL,
    onAlert: (alert, delivered) =>
      logger?.warn({ alert: alert.title, workflowId: alert.workflowId, delivered }, 'operator alert'),
    asanaOAuth: asanaOAuthFor(config),
  });
}

/** The scope (read and checked by loadConfig: SCOPE_FILE, the deprecated FIELD_MAP_FILE, else the defaults). */
export const fieldMapFor = (config: Config): FieldMap => config.scope;

export async function startWorkers(
  config: Config,
  logger: Logger,
  tokens: { asana: string | AsanaTokenSource; attio: string },
  fieldMap: FieldMap = fieldMapFor(config),
) {
  installRuntimeLogging(logger, runtimeTelemetryOf(config));
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  const client = await connectClient(config);
  const workers = await createWorkers({
    config,
    connection,
    activities: createActivitiesFor(config, tokens, fieldMap, client, logger),
  });
  const running = runWorkers(workers);
  return {
    done: running.done,
    stop: async () => {
      await running.stop();
      await connection.close();
      await client.connection.close();
    },
  };
}

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLoggerFor(config);
  if (config.mode === 'demo') {
    logger.error('the worker alone needs ASANA_TOKEN and ATTIO_TOKEN; run `npm start` for the demo');
    process.exit(1);
  }
  const connection = await Connection.connect({ address: temporalAddress(config) });
  const added = await registerSearchAttributes(connection, config.env.TEMPORAL_NAMESPACE);
  if (added.length > 0) logger.info({ added }, 'registered search attributes');
  await connection.close();
  // A personal access token when set; otherwise the OAuth connection's tokens (authorize at /oauth/asana/connect).
  const asana =
    config.env.ASANA_TOKEN ?? new ConnectionTokenProvider(await connectClient(config), DEFAULT_CONNECTION_ID);
  const worker = await startWorkers(config, logger, { asana, attio: config.env.ATTIO_TOKEN! });
  logger.info({ address: temporalAddress(config) }, 'worker running');
  const stop = () =>
    void worker
      .stop()
      .then(() => stopTracing())
      .then(() => logger.info('worker drained and stopped'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await worker.done;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
