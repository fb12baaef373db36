import type { Command } from 'commander';
import { installReconcileSchedules } from '../../client/schedules';
import type { CliContext } from '../context';
import { examples, type JsonOption, print } from '../output';

export function registerSchedules(program: Command, ctx: CliContext): void {
  program
    .command('schedules')
    .description(
      'install or update the reconciliation schedules of projects (a watch installs its own; this repairs them)',
    )
    .requiredOption('--project <gid...>', 'the Asana projects')
    .option('--json', 'print the schedules as JSON')
    .addHelpText('after', examples('schedules --project 1201234567890 1201234567891'))
    .action(async (options: JsonOption & { project: string[] }) => {
      const results = await installReconcileSchedules(await ctx.client(), options.project, {
        incrementalEveryMinutes: ctx.config.env.RECONCILE_EVERY_MINUTES,
        fullEveryHours: ctx.config.env.FULL_RECONCILE_EVERY_HOURS,
        taskQueue: ctx.queues.sync,
      });
      print(options, results, (rs) => rs.map((r) => `${r.outcome}: ${r.scheduleId}`));
    });
}
