import type { Command } from 'commander';
import { startResync } from '../../client/operations';
import type { ResyncInput, ResyncResult } from '../../workflows/definitions';
import { EXIT, type CliContext } from '../context';
import { examples, type JsonOption, print } from '../output';
import { elapsedSample, followWorkflow } from '../progress';
import { USAGE } from './backfill';

interface ResyncOptions extends JsonOption {
  task?: string[];
  section?: string[];
  project?: string[];
  projectTasks?: string;
  sectionTasks?: string;
  stale?: string[];
}

/** The one resync input the options ask for, or undefined when they ask for none or for several. */
function resyncInputOf(options: ResyncOptions): ResyncInput | undefined {
  const resources = [
    ...(options.task ?? []).map((gid) => ({ gid, resource_type: 'task' as const })),
    ...(options.section ?? []).map((gid) => ({ gid, resource_type: 'section' as const })),
    ...(options.project ?? []).map((gid) => ({ gid, resource_type: 'project' as const })),
  ];
  const inputs: ResyncInput[] = [
    ...(resources.length ? [{ resources }] : []),
    ...(options.projectTasks ? [{ projectGid: options.projectTasks }] : []),
    ...(options.sectionTasks ? [{ sectionGid: options.sectionTasks }] : []),
    ...(options.stale ? [{ stale: true as const, projectGids: options.stale }] : []),
  ];
  return inputs.length === 1 ? { ...inputs[0]!, requestedBy: { source: 'cli' } } : undefined;
}

export function registerResync(program: Command, ctx: CliContext): void {
  program
    .command('resync')
    .description('re-sync resources now through their sync workflows, writing even unchanged content')
    .option('--task <gid...>', 'these Asana tasks')
    .option('--section <gid...>', 'these Asana sections')
    .option('--project <gid...>', 'these Asana projects (the project records; --project-tasks for their tasks)')
    .option('--project-tasks <gid>', 'every task of this Asana project')
    .option('--section-tasks <gid>', 'every task of this Asana section')
    .option('--stale <projectGid...>', 'whatever a full reconciliation of these projects finds missing or stale')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples(
        'resync --task 1201234567890 1201234567891',
        'resync --project-tasks 1201234567000',
        'resync --stale 1201234567000',
      ),
    )
    .action(async (options: ResyncOptions, command: Command) => {
      const input = resyncInputOf(options);
      if (!input) {
        command.error(
          'resync needs one kind of target: --task/--section/--project, --project-tasks, --section-tasks or --stale',
          USAGE,
        );
      }
      const handle = await startResync(await ctx.client(), input, ctx.queues.sync);
      const followed = await followWorkflow<ResyncResult>(handle, { label: 'resync', sample: elapsedSample(handle) });
      if (followed.outcome === 'detached') return void (ctx.exitCode = EXIT.interrupted);
      print(options, { workflowId: handle.workflowId, ...followed.result }, (r) => [
        `resync sent ${r.signalled} resources through their sync workflows`,
        ...(r.unmatched?.length ? [`no Asana resource for Attio records ${r.unmatched.join(', ')}`] : []),
      ]);
    });
}
