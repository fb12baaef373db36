/**
 * The operator CLI: `npm run cli -- <command>`. Connects to TEMPORAL_ADDRESS (or the embedded dev server's port)
 * with the same configuration as the service; every command starts or queries a Temporal workflow.
 */
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../common/config';
import { connectClient } from '../common/temporal-connection';
import { webhookWorkflowId } from '../common/workflow-ids';
import { webhookStatusQuery } from '../workflows/definitions';
import { checkConnectionsNow, provisionAttioNow, unwatchResource, watchResource } from './operations';

const USAGE = `usage: npm run cli -- <command> [options]

commands:
  check                                   check the Asana and Attio credentials through the workers
  provision                               create the Attio objects, attributes and list the field map needs
  watch <gid> --workspace <gid> [--type project|workspace|team|portfolio]
                                          create and keep a webhook on an Asana resource
  unwatch <gid>                           delete the webhook of a watched resource
  status <gid>                            show a watched resource's webhook state (never its secret)
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { workspace: { type: 'string' }, type: { type: 'string', default: 'project' }, help: { type: 'boolean' } },
  });
  const [command, gid] = positionals;
  if (!command || values.help) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  loadDotEnv();
  const client = await connectClient(loadConfig());
  try {
    switch (command) {
      case 'check': {
        const result = await checkConnectionsNow(client);
        for (const c of result.checks)
          console.log(`${c.system}: ${c.ok ? `ok (${c.identity})` : `FAILED: ${c.error}`}`);
        return result.ok ? 0 : 1;
      }
      case 'provision': {
        const { created } = await provisionAttioNow(client);
        console.log(created.length ? `created:\n  ${created.join('\n  ')}` : 'Attio already had everything');
        return 0;
      }
      case 'watch': {
        if (!gid || !values.workspace) throw new UsageError('watch needs a resource gid and --workspace');
        const type = values.type as 'project' | 'workspace' | 'team' | 'portfolio';
        await watchResource(client, { resourceGid: gid, resourceType: type, workspaceGid: values.workspace });
        console.log(`watching ${type} ${gid}: webhook registered (workflow ${webhookWorkflowId(gid)})`);
        return 0;
      }
      case 'unwatch': {
        if (!gid) throw new UsageError('unwatch needs a resource gid');
        await unwatchResource(client, gid);
        console.log(`stopped watching ${gid}; its webhook is deleted`);
        return 0;
      }
      case 'status': {
        if (!gid) throw new UsageError('status needs a resource gid');
        const status = await client.workflow.getHandle(webhookWorkflowId(gid)).query(webhookStatusQuery);
        console.log(JSON.stringify(status, null, 2));
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await client.connection.close();
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError) console.error(USAGE);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
