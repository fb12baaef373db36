import type { Command } from 'commander';
import type { CliContext } from '../context';
import { runDoctor } from '../doctor';
import { examples, type JsonOption, print } from '../output';

const MARK = { ok: 'ok  ', failed: 'FAIL', skipped: 'skip' } as const;

export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'check the deployment end to end (configuration, Temporal, namespace and search attributes, workers on every ' +
        'queue, credentials, Attio provisioning, watches, schedules, the receiver) and say what to fix; ' +
        'exits 0 only when every check passes',
    )
    .option('--json', 'print the checks as JSON (for monitoring)')
    .addHelpText('after', examples('doctor', 'doctor --json'))
    .action(async (options: JsonOption) => {
      const report = await runDoctor(ctx.environment());
      print(options, report, (r) => [
        ...r.checks.flatMap((c) => [
          `${MARK[c.outcome]} ${c.name}: ${c.detail}`,
          ...(c.fix ? [`     fix: ${c.fix}`] : []),
        ]),
        r.ok ? 'All checks passed.' : `${r.checks.filter((c) => c.outcome === 'failed').length} check(s) failed.`,
      ]);
      if (!report.ok) ctx.fail();
    });
}
