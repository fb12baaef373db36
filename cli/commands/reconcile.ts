import type { Command } from 'commander';
import { startReconcile } from '../../client/operations';
import type { ReconcileReport } from '../../workflows/definitions';
import { EXIT, type CliContext } from '../context';
import { examples, field, type JsonOption, print } from '../output';
import { elapsedSample, followWorkflow } from '../progress';

export function registerReconcile(program: Command, ctx: CliContext): void {
  program
    .command('reconcile')
    .description('reconcile one project now: incremental (changed since the last run), or --full verification')
    .argument('<projectGid>', 'the Asana project')
    .option('--full', 'compare every task of the project with Attio')
    .option('--json', 'print the reconciliation report as JSON')
    .addHelpText('after', examples('reconcile 1201234567890', 'reconcile 1201234567890 --full --json'))
    .action(async (projectGid: string, options: JsonOption & { full?: boolean }) => {
      const mode = options.full ? 'full' : 'incremental';
      const handle = await startReconcile(await ctx.client(), { projectGid, mode }, ctx.queues.sync);
      const followed = await followWorkflow<ReconcileReport>(handle, {
        label: `reconcile ${projectGid}`,
        sample: elapsedSample(handle),
      });
      if (followed.outcome === 'detached') return void (ctx.exitCode = EXIT.interrupted);
      print(options, followed.result, (r) => [
        ...field('workflow', handle.workflowId),
        ...field('mode', r.mode),
        ...field('since', r.since),
        ...field('tasks seen', r.tasksSeen),
        ...field('missing', r.missing),
        ...field('stale', r.stale),
        ...field('orphaned', r.orphaned),
        ...field('resynced', r.signalled),
      ]);
    });
}
