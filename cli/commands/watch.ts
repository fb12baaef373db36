import { type Command, Option } from 'commander';
import { unwatchResource, watchResource, watchScope } from '../../client/operations';
import { webhookWorkflowId } from '../../common/workflow-ids';
import type { WatchAsanaResourceInput } from '../../workflows/definitions';
import type { CliContext } from '../context';
import { examples, type JsonOption, print } from '../output';
import { USAGE } from './backfill';

export function registerWatch(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .description(
      'create and keep a webhook on an Asana resource (and, for a project, its reconciliation schedules); ' +
        'returns once the webhook is registered',
    )
    .argument('[gid]', "the Asana resource to watch; without it, everything the scope's `watch` lists (SCOPE_FILE)")
    .option('--workspace <gid>', 'its Asana workspace (required with a gid)')
    .addOption(
      new Option('--type <type>', 'its resource type')
        .choices(['project', 'workspace', 'team', 'portfolio'])
        .default('project'),
    )
    .option('--json', 'print the watch as JSON')
    .addHelpText('after', examples('watch 1201234567890 --workspace 1200000000001', 'watch   # what the scope lists'))
    .action(
      async (
        gid: string | undefined,
        options: JsonOption & { workspace?: string; type: WatchAsanaResourceInput['resourceType'] },
        command: Command,
      ) => {
        if (!gid && !options.workspace) {
          const client = await ctx.client();
          const watched = await watchScope(client, ctx.config.scope, { taskQueue: ctx.queues.sync });
          print(options, watched, (ws) =>
            ws.length
              ? ws.map((w) => `watching ${w.resourceType} ${w.resourceGid}: webhook registered`)
              : ['the scope watches nothing (SCOPE_FILE watch:)'],
          );
          return;
        }
        if (!gid || !options.workspace) return command.error('watch needs a resource gid and --workspace', USAGE);
        await watchResource(
          await ctx.client(),
          { resourceGid: gid, resourceType: options.type, workspaceGid: options.workspace },
          { taskQueue: ctx.queues.sync },
        );
        const watch = { resourceGid: gid, resourceType: options.type, workflowId: webhookWorkflowId(gid) };
        print(options, watch, (w) => [
          `watching ${w.resourceType} ${w.resourceGid}: webhook registered (workflow ${w.workflowId})`,
        ]);
      },
    );

  program
    .command('unwatch')
    .description('stop watching a resource: its watch deletes the webhook and its schedules, and forgets the secret')
    .argument('<gid>', 'the watched Asana resource')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', examples('unwatch 1201234567890'))
    .action(async (gid: string, options: JsonOption) => {
      await unwatchResource(await ctx.client(), gid);
      print(options, { resourceGid: gid, unwatched: true }, () => [`stopped watching ${gid}; its webhook is deleted`]);
    });
}
