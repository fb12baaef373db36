/**
 * Runs the Attio stand-in as its own process: `npx tsx stand-ins/attio/run.ts`. Also what stand-ins/main.ts calls.
 *
 * Environment: ATTIO_STAND_IN_PORT (default 4020), ATTIO_STAND_IN_HOST (default 127.0.0.1), ATTIO_STAND_IN_TOKENS
 * (comma-separated; default the demo token), ATTIO_STAND_IN_READS_PER_SECOND / ATTIO_STAND_IN_WRITES_PER_SECOND
 * (defaults 100 / 25).
 */
import { z } from 'zod';
import { ATTIO_STAND_IN_TOKEN, type AttioStandIn, startAttioStandIn } from './server';

const Env = z.object({
  ATTIO_STAND_IN_PORT: z.coerce.number().int().min(0).max(65535).default(4020),
  ATTIO_STAND_IN_HOST: z.string().min(1).default('127.0.0.1'),
  ATTIO_STAND_IN_TOKENS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ? value
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : [ATTIO_STAND_IN_TOKEN],
    ),
  ATTIO_STAND_IN_READS_PER_SECOND: z.coerce.number().int().min(1).default(100),
  ATTIO_STAND_IN_WRITES_PER_SECOND: z.coerce.number().int().min(1).default(25),
});

/** Starts the stand-in from environment variables. The caller owns shutdown (`close()`). */
export async function startAttioStandInFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<AttioStandIn> {
  const parsed = Env.parse(env);
  return startAttioStandIn({
    port: parsed.ATTIO_STAND_IN_PORT,
    host: parsed.ATTIO_STAND_IN_HOST,
    tokens: parsed.ATTIO_STAND_IN_TOKENS,
    rateLimit: {
      readsPerSecond: parsed.ATTIO_STAND_IN_READS_PER_SECOND,
      writesPerSecond: parsed.ATTIO_STAND_IN_WRITES_PER_SECOND,
    },
  });
}

if (require.main === module) {
  startAttioStandInFromEnv()
    .then((standIn) => {
      process.stdout.write(
        `Attio stand-in on ${standIn.url} (control API ${standIn.controlUrl}); token ${standIn.token}\n`,
      );
      const stop = () => void standIn.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `Attio stand-in could not start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    });
}
