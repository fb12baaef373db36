import { type Command, Option } from 'commander';
import { unwatchResource, watchResource } from '../../client/operations';
import { webhookWorkflowId } from '../../common/workflow-ids';
import type { WatchAsanaResourceInput } from '../../workflows/definitions';
import type { CliContext } from '../context';
import { examples, type JsonOption, print } from '../output';

export function registerWatch(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .description(
      'create and keep a webhook on an Asana resource (and, for a project, its reconciliation schedules); ' +
        'returns once the webhook is registered',
    )
    .argument('<gid>', 'the Asana resource to watch')
    .requiredOption('--workspace <gid>', 'its Asana workspace')
    .addOption(
      new Option('--type <type>', 'its resource type')
        .choices(['project', 'workspace', 'team', 'portfolio'])
        .default('project'),
    )
    .option('--json', 'print the watch as JSON')
    .addHelpText('after', examples('watch 1201234567890 --workspace 1200000000001', 'status 1201234567890'))
    .action(
      async (
        gid: string,
        options: JsonOption & { workspace: string; type: WatchAsanaResourceInput['resourceType'] },
      ) => {
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
