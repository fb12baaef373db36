/**
 * `npm run receiver`: the webhook receiver on its own (production, docker-compose). Stateless: run as many as needed
 * behind a load balancer.
 */
// First, so the HTTP, Express and undici instrumentation patch those modules before they load.
import '../common/tracing-from-env';
import { loadConfig, loadDotEnv } from '../common/config';
import { createLoggerFor } from '../common/logger';
import { connectClient, temporalAddress } from '../common/temporal-connection';
import { createReceiverAppFor } from './app';
import { listen } from '../common/listen';
import { stopTracing } from '../common/tracing';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLoggerFor(config);
  const client = await connectClient(config);
  const receiver = await listen(
    createReceiverAppFor(config, client, logger),
    config.env.RECEIVER_PORT,
    config.env.RECEIVER_HOST,
  );
  logger.info({ port: receiver.port, temporal: temporalAddress(config) }, 'receiver listening');
  if (config.env.ASANA_OAUTH_CLIENT_ID && !config.env.ASANA_TOKEN) {
    logger.info(`connect Asana: open ${config.receiverPublicUrl}/oauth/asana/connect and approve`);
  }
  const stop = () =>
    void receiver
      .close()
      .then(() => client.connection.close())
      .then(() => stopTracing())
      .then(() => logger.info('receiver stopped'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
