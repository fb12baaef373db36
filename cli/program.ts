/**
 * The operator CLI's commands (commander; docs/decisions/0013-cli-commander-and-progress.md). Each command lives
 * in cli/commands/ with its own options, `--help` and example; every command that prints data takes `--json`.
 */
import { Command, CommanderError } from 'commander';
import { registerBackfill } from './commands/backfill';
import { registerCheck } from './commands/check';
import { registerCodecServer } from './commands/codec-server';
import { registerDoctor } from './commands/doctor';
import { registerProvision } from './commands/provision';
import { registerReconcile } from './commands/reconcile';
import { registerResync } from './commands/resync';
import { registerSchedules } from './commands/schedules';
import { registerStatus } from './commands/status';
import { registerWatch } from './commands/watch';
import { registerWebhooks } from './commands/webhooks';
import { type CliContext, EXIT } from './context';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('npm run cli --')
    .description(
      'Operate asana-attio-sync: every command starts or queries a Temporal workflow, with the configuration of the ' +
        'service (.env, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE).',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failed (a check failed, a watch is troubled, the work failed), 2 usage error, ' +
        '130 stopped following with Ctrl-C (the workflow keeps running).\n',
    )
    // Errors become exceptions (main.ts maps them to exit codes) instead of commander calling process.exit.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  for (const register of [
    registerCheck,
    registerDoctor,
    registerProvision,
    registerWatch,
    registerStatus,
    registerWebhooks,
    registerBackfill,
    registerReconcile,
    registerResync,
    registerSchedules,
    registerCodecServer,
  ]) {
    register(program, ctx);
  }
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    console.error(error instanceof Error ? error.message : String(error));
    return EXIT.failed;
  } finally {
    await ctx.close();
  }
}
