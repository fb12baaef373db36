import type { Command } from 'commander';
import { formatProvisioningPlan } from '../../activities/provision-attio';
import { planProvisioningNow, startProvisionAttio } from '../../client/operations';
import type { ProvisionAttioResult } from '../../workflows/definitions';
import { EXIT, type CliContext } from '../context';
import { examples, type JsonOption, print } from '../output';
import { elapsedSample, followWorkflow } from '../progress';

export function registerProvision(program: Command, ctx: CliContext): void {
  program
    .command('provision')
    .description('create the Attio objects, attributes and list the field map needs (idempotent)')
    .option('--dry-run', 'print the plan as a diff and write nothing; exits 1 when it has conflicts')
    .option('--json', 'print what was created (or the plan) as JSON')
    .addHelpText('after', examples('provision --dry-run', 'provision'))
    .action(async (options: JsonOption & { dryRun?: boolean }) => {
      if (options.dryRun) {
        const plan = await planProvisioningNow(await ctx.client(), ctx.queues.sync);
        print(options, plan, (p) => formatProvisioningPlan(p).split('\n'));
        if (plan.conflicts.length > 0) ctx.fail();
        return;
      }
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
