import type { Command } from 'commander';
import { startProvisionAttio } from '../../client/operations';
import type { ProvisionAttioResult } from '../../workflows/definitions';
import { EXIT, type CliContext } from '../context';
import { examples, type JsonOption, print } from '../output';
import { elapsedSample, followWorkflow } from '../progress';

export function registerProvision(program: Command, ctx: CliContext): void {
  program
    .command('provision')
    .description('create the Attio objects, attributes and list the field map needs (idempotent)')
    .option('--json', 'print what was created as JSON')
    .addHelpText('after', examples('provision', 'doctor   # shows what provision would create, changing nothing'))
    .action(async (options: JsonOption) => {
      const handle = await startProvisionAttio(await ctx.client(), ctx.queues.sync);
      const followed = await followWorkflow<ProvisionAttioResult>(handle, {
        label: 'provision',
        sample: elapsedSample(handle),
      });
      if (followed.outcome === 'detached') return void (ctx.exitCode = EXIT.interrupted);
      print(options, followed.result, ({ created }) =>
        created.length ? ['created:', ...created.map((what) => `  ${what}`)] : ['Attio already had everything'],
      );
    });
}
