/**
 * `npm run receiver`: the webhook receiver on its own (production, docker-compose). Stateless: run as many as needed
 * behind a load balancer.
 */
import { loadConfig, loadDotEnv, secretValues } from '../common/config';
import { createLogger } from '../common/logger';
import { connectClient, temporalAddress } from '../common/temporal-connection';
import { createReceiverApp, resyncOptionsFrom, webhookOptionsFrom } from './app';
import { listen } from './server';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({
    level: config.env.LOG_LEVEL,
    format: config.env.LOG_FORMAT,
    secrets: secretValues(config),
  });
  const client = await connectClient(config);
  const receiver = await listen(
    createReceiverApp({
      client,
      logger,
      webhooks: webhookOptionsFrom(config, client),
      resync: resyncOptionsFrom(config),
    }),
    config.env.RECEIVER_PORT,
    config.env.RECEIVER_HOST,
  );
  logger.info({ port: receiver.port, temporal: temporalAddress(config) }, 'receiver listening');
  const stop = () =>
    void receiver
      .close()
      .then(() => client.connection.close())
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
