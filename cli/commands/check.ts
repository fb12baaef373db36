import type { Command } from 'commander';
import { checkConnectionsNow } from '../../client/operations';
import type { CliContext } from '../context';
import { examples, type JsonOption, print } from '../output';

export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description('check the Asana and Attio credentials through the workers (the checkConnections workflow)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples('check', 'check --json'))
    .action(async (options: JsonOption) => {
      const result = await checkConnectionsNow(await ctx.client(), ctx.queues.sync);
      print(options, result, ({ checks }) =>
        checks.map((c) => `${c.system}: ${c.ok ? `ok (${c.identity})` : `FAILED: ${c.error}`}`),
      );
      if (!result.ok) ctx.fail();
    });
}
