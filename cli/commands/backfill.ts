import type { Command } from 'commander';
import { startBackfill } from '../../client/operations';
import { backfillProgressQuery, type BackfillInput, type BackfillProgress } from '../../workflows/definitions';
import { EXIT, type CliContext } from '../context';
import { examples, type JsonOption, print } from '../output';
import { followWorkflow, type ProgressSample } from '../progress';

interface BackfillOptions extends JsonOption {
  workspace?: string;
  team?: string;
  project?: string[];
}

const describeProgress = (p: BackfillProgress): string =>
  `pages ${p.pages}, records ${p.records}, writes ${p.writes}, errors ${p.errors}, ${p.recordsPerSecond}/s` +
  (p.lastError ? ` (last error: ${p.lastError})` : '');

export function registerBackfill(program: Command, ctx: CliContext): void {
  program
    .command('backfill')
    .description('copy a workspace, a team or projects into Attio, following its progress')
    .option('--workspace <gid>', 'every project of this Asana workspace')
    .option('--team <gid>', 'every project of this Asana team')
    .option('--project <gid...>', 'these Asana projects')
    .option('--json', 'print the final progress as JSON')
    .addHelpText('after', examples('backfill --workspace 1200000000001', 'backfill --project 1201234567890 --json'))
    .action(async (options: BackfillOptions, command: Command) => {
      const scopes = [options.workspace, options.team, options.project].filter((s) => s !== undefined);
      if (scopes.length !== 1) command.error('backfill needs exactly one of --workspace, --team, --project', USAGE);
      const input: BackfillInput = options.project
        ? { projectGids: options.project }
        : options.team
          ? { teamGid: options.team }
          : { workspaceGid: options.workspace };
      const handle = await startBackfill(await ctx.client(), input, undefined, ctx.queues.sync);
      if (!options.json) console.log(`backfill started: workflow ${handle.workflowId}`);
      const sample = async (): Promise<ProgressSample> => {
        const progress = await handle.query(backfillProgressQuery).catch(() => undefined);
        if (!progress) return { text: 'waiting for a worker to start it' };
        return {
          value: progress.cursor?.projectIndex ?? 0,
          total: progress.projects,
          text: describeProgress(progress),
        };
      };
      const followed = await followWorkflow(handle, { label: 'backfill', sample });
      if (followed.outcome === 'detached') return void (ctx.exitCode = EXIT.interrupted);
      const progress = await handle.query(backfillProgressQuery);
      print(options, { workflowId: handle.workflowId, ...progress }, (p) => [`done: ${describeProgress(p)}`]);
      if (progress.errors > 0) ctx.fail();
    });
}

/** A usage error exits 2 (cli/context.ts EXIT). */
export const USAGE = { exitCode: EXIT.usage, code: 'cli.usage' } as const;
