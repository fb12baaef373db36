import type { Command } from 'commander';
import { codecServerOrigins, startCodecServer } from '../../common/codec-server';
import { createLoggerFor } from '../../common/logger';
import type { CliContext } from '../context';
import { examples } from '../output';

export function registerCodecServer(program: Command, ctx: CliContext): void {
  program
    .command('codec-server')
    .description(
      "serve the Temporal Web UI's codec endpoint on 127.0.0.1:CODEC_SERVER_PORT, so the UI shows the encrypted " +
        'payloads in clear (runs until Ctrl-C)',
    )
    .addHelpText(
      'after',
      examples('codec-server', 'codec-server   # with TEMPORAL_UI_URL=https://temporal.example.com'),
    )
    .action(async () => {
      const server = await startCodecServer(ctx.config, createLoggerFor(ctx.config));
      const url = `http://localhost:${server.port}`;
      console.log(`codec server at ${url}, answering the Web UI at ${codecServerOrigins(ctx.config.env).join(', ')}`);
      console.log(
        `In the Temporal Web UI, open the Codec Server settings and set the endpoint to ${url}. Ctrl-C stops it.`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
