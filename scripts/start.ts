/**
 * `npm start`: the whole service in one process tree.
 *
 *   Temporal dev server (child process; skipped when TEMPORAL_ADDRESS is set)
 *   + Asana and Attio stand-ins (demo mode only: no ASANA_TOKEN/ATTIO_TOKEN configured)
 *   + the workers (in this process)
 *   + the webhook receiver (in this process)
 *
 * Ctrl-C (SIGINT) or SIGTERM stops them in reverse order: the receiver stops accepting, the workers drain, the
 * stand-ins close, the dev server exits. If the dev server dies on its own, it is started again on the same SQLite file
 * (bounded attempts, each logged) while the receiver answers 503 and the workers wait; only if it cannot come back
 * does this exit non-zero.
 */
// First, so the HTTP, Express and undici instrumentation patch those modules before they load.
import '../common/tracing-from-env';
import { setMaxListeners } from 'node:events';
import { type Config, ConfigError, loadConfig, loadDotEnv } from '../common/config';
import { createLoggerFor, type Logger } from '../common/logger';
import { assertPortFree } from '../common/ports';
import { taskQueuesOf } from '../common/task-queues';
import { connectClient, temporalAddress } from '../common/temporal-connection';
import { ensureTemporalCli, startSupervisedDevServer } from '../common/temporal-dev-server';
import { createReceiverAppFor } from '../receiver/app';
import { listen } from '../common/listen';
import { stopTracing } from '../common/tracing';
import { type DemoStandIns, startDemoStandIns } from '../stand-ins/demo';
import { fieldMapFor, startWorkers } from '../workers/main';
import { checkConnectionsNow } from '../client/operations';
import { type AsanaTokenSource, ConnectionTokenProvider, DEFAULT_CONNECTION_ID } from '../asana/token-provider';
import { startCodecServer } from '../common/codec-server';
import { type Demo, runDemo } from './demo';

type Closer = { name: string; close: () => Promise<void> };

class Shutdown {
  private readonly closers: Closer[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  add(name: string, close: () => Promise<void>): void {
    this.closers.push({ name, close });
  }

  /** True once a signal or a failure began the shutdown. */
  get started(): boolean {
    return this.running !== undefined;
  }

  /** Closes everything in reverse order of start, once; then exits with `code`. */
  run(code: number): Promise<void> {
    this.running ??= (async () => {
      for (const closer of this.closers.reverse()) {
        try {
          await closer.close();
          this.logger.info(`stopped ${closer.name}`);
        } catch (error) {
          this.logger.error({ err: error }, `could not stop ${closer.name} cleanly`);
          code = code || 1;
        }
      }
      // Spans still buffered are exported before the process exits (tracing on only with an OTLP endpoint).
      await stopTracing().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not export the last spans'),
      );
      process.exit(code);
    })();
    return this.running;
  }
}

async function assertPortsFree(config: Config): Promise<void> {
  const { env } = config;
  const ports: [number, string][] = [[env.RECEIVER_PORT, 'RECEIVER_PORT']];
  if (!env.TEMPORAL_ADDRESS) {
    ports.push(
      [env.TEMPORAL_PORT, 'TEMPORAL_PORT'],
      [env.TEMPORAL_UI_PORT, 'TEMPORAL_UI_PORT'],
      [env.CODEC_SERVER_PORT, 'CODEC_SERVER_PORT'],
    );
  }
  if (config.mode === 'demo') {
    ports.push([env.ASANA_STAND_IN_PORT, 'ASANA_STAND_IN_PORT'], [env.ATTIO_STAND_IN_PORT, 'ATTIO_STAND_IN_PORT']);
  }
  for (const [port, variable] of ports) await assertPortFree(port, variable);
}

async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLoggerFor(config);
  const shutdown = new Shutdown(logger);
  process.once('SIGINT', () => void shutdown.run(0));
  process.once('SIGTERM', () => void shutdown.run(0));
  // Whatever fails unexpectedly, the shutdown still runs, so the dev server (a child process) is not left behind.
  const crashed = (error: unknown) => {
    logger.fatal({ err: error }, 'unexpected error; shutting down');
    void shutdown.run(1);
  };
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);

  try {
    await startEverything(config, logger, shutdown);
  } catch (error) {
    // Ctrl-C during start-up closes what the start was using; that is a stop, not a failure.
    if (shutdown.started) return;
    logger.fatal(`asana-attio-sync could not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown.run(1);
  }
}

async function startEverything(config: Config, logger: Logger, shutdown: Shutdown): Promise<void> {
  if (config.mode === 'demo') {
    logger.warn(
      'DEMO MODE: no ASANA_TOKEN/ATTIO_TOKEN configured, so Asana and Attio are local stand-ins with invented data',
    );
  }

  // Check every port before starting anything, so a clash leaves nothing half-started.
  await assertPortsFree(config);

  let uiUrl = config.env.TEMPORAL_UI_URL;
  if (config.env.TEMPORAL_ADDRESS) {
    logger.info({ address: config.env.TEMPORAL_ADDRESS }, 'using the existing Temporal cluster at TEMPORAL_ADDRESS');
  } else {
    const cli = await ensureTemporalCli();
    // The embedded UI shows payloads in clear through a codec server on 127.0.0.1 (common/codec-server.ts).
    const codecServer = await startCodecServer(config, logger);
    shutdown.add('codec server', () => codecServer.close());
    const codecServerUrl = `http://localhost:${codecServer.port}`;
    const server = await startSupervisedDevServer({
      cli,
      port: config.env.TEMPORAL_PORT,
      uiPort: config.env.TEMPORAL_UI_PORT,
      uiCodecEndpoint: codecServerUrl,
      dbFile: config.env.TEMPORAL_DB_FILE,
      namespace: config.env.TEMPORAL_NAMESPACE,
      onRestarting: ({ description, attempt, of }) =>
        logger.error(
          { description, attempt, of, dbFile: config.env.TEMPORAL_DB_FILE },
          'the Temporal dev server stopped unexpectedly; starting it again on the same SQLite file (the receiver answers 503 meanwhile, so Asana retries)',
        ),
      onRestarted: ({ pid, attempt }) => logger.warn({ pid, attempt }, 'Temporal dev server restarted; serving again'),
      onGaveUp: (error) => {
        logger.fatal({ err: error }, 'the Temporal dev server cannot come back; shutting down');
        void shutdown.run(1);
      },
    });
    shutdown.add('Temporal dev server', () => server.stop());
    uiUrl = server.uiUrl;
    logger.info(
      {
        address: server.address,
        pid: server.pid,
        dbFile: config.env.TEMPORAL_DB_FILE,
        codecServer: codecServerUrl,
      },
      'Temporal dev server running',
    );
  }

  const client = await connectClient(config);
  shutdown.add('Temporal client', () => client.connection.close());
  // A personal access token when set; otherwise the OAuth connection's tokens (authorize at /oauth/asana/connect).
  let tokens: { asana: string | AsanaTokenSource; attio: string } = {
    asana: config.env.ASANA_TOKEN ?? new ConnectionTokenProvider(client, DEFAULT_CONNECTION_ID),
    attio: config.env.ATTIO_TOKEN ?? '',
  };
  let fieldMap = fieldMapFor(config);
  let standIns: DemoStandIns | undefined;
  if (config.mode === 'demo') {
    const started = await startDemoStandIns({
      asanaPort: config.env.ASANA_STAND_IN_PORT,
      attioPort: config.env.ATTIO_STAND_IN_PORT,
    });
    standIns = started;
    shutdown.add('Asana and Attio stand-ins', () => started.close());
    config = {
      ...config,
      env: { ...config.env, ASANA_BASE_URL: started.asana.url, ATTIO_BASE_URL: started.attio.url },
    };
    tokens = started.tokens;
    fieldMap = started.fieldMap;
    logger.info(
      {
        asana: started.asana.url,
        asanaControl: started.asana.controlUrl,
        attio: started.attio.url,
        attioControl: started.attio.controlUrl,
      },
      'stand-ins running (demo)',
    );
  }

  const workers = await startWorkers(config, logger, tokens, fieldMap);
  shutdown.add('workers (drained)', () => workers.stop());
  void workers.done.catch((error: unknown) => {
    logger.fatal({ err: error }, 'a worker failed; shutting down');
    void shutdown.run(1);
  });

  const receiver = await listen(
    createReceiverAppFor(config, client, logger),
    config.env.RECEIVER_PORT,
    config.env.RECEIVER_HOST,
  );
  shutdown.add('receiver (no longer accepting)', () => receiver.close());

  logger.info(
    {
      mode: config.mode,
      receiver: config.receiverPublicUrl,
      temporalUi: uiUrl ?? '(set TEMPORAL_UI_URL to print it)',
      temporal: temporalAddress(config),
    },
    'asana-attio-sync is running; Ctrl-C stops it',
  );

  // The connection check and the demo run under one abort signal. A stop aborts their Temporal calls before the
  // client's connection closes: a call still being retried on a closed connection would crash the process.
  const startUp = new AbortController();
  // The SDK adds an abort listener per call made under this signal and never removes it; the start-up work makes a
  // few dozen calls at most (checks, demo set-up, backfill progress), so Node's warning at 11 would only be noise.
  setMaxListeners(0, startUp.signal);
  let demo: Demo | undefined;
  const startUpWork = client.connection.withAbortSignal(startUp.signal, async () => {
    const check = await checkConnectionsNow(client, taskQueuesOf(config).sync);
    for (const result of check.checks) {
      if (result.ok) logger.info({ system: result.system, identity: result.identity }, 'connection works');
      else logger.error({ system: result.system, error: result.error }, 'connection failed');
    }
    if (standIns) demo = await runDemo({ client, config, logger, standIns });
  });
  shutdown.add('start-up checks and demo', async () => {
    startUp.abort();
    await startUpWork.catch(() => undefined);
    demo?.stop();
  });
  await startUpWork;
}

main().catch((error: unknown) => {
  console.error(`asana-attio-sync could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
