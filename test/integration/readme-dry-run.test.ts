/**
 * The README's `provision --dry-run` example is the command's real output: run against the scene it describes (an
 * Attio workspace where someone made the tasks object by hand, with `name` a number), every line the README shows is
 * a line of that output, in order, and each `…` stands for lines left out. The summary line must match exactly.
 * `UPDATE_README_EXAMPLES=1` rewrites the block from the run, abridged by the same rule (only run on purpose).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AttioClient } from '../../attio/client';
import { runCli } from '../helpers/service-process';
import { type LiveStack, liveEnvironmentOf, startLiveStack } from '../helpers/live-stack';

const README = resolve(__dirname, '../../README.md');
const BLOCK = /(\$ npm run cli -- provision --dry-run\n)([\s\S]*?)(\n```)/;

let stack: LiveStack;
beforeAll(async () => {
  // The stand-in's own gids (as the demo has them), so the example's section gids are the ones a reader would see.
  stack = await startLiveStack({ firstGid: 1_210_000_000_000_000n, seed: { projects: 2, tasksPerProject: 2 } });
  const attio = new AttioClient({ baseUrl: stack.attio.url, token: stack.attio.token });
  await attio.ensureObject({ api_slug: 'asana_tasks', singular_noun: 'Asana task', plural_noun: 'Asana tasks' });
  await attio.ensureAttribute('objects', 'asana_tasks', { api_slug: 'name', title: 'Name', type: 'number' });
});
afterAll(() => stack.close());

/** The README's lines, checked against the real ones: shown in order, `…` for a run of omitted lines. */
function mismatches(shown: string[], real: string[]): string[] {
  const problems: string[] = [];
  let at = 0;
  let skipping = false;
  for (const line of shown) {
    if (line === '…') {
      skipping = true;
      continue;
    }
    const found = real.indexOf(line, at);
    if (found === -1) problems.push(`not in the output (after line ${at}): ${line}`);
    else if (found > at && !skipping) problems.push(`lines before this one are left out without a "…": ${line}`);
    else at = found + 1;
    skipping = false;
  }
  if (at < real.length && !skipping) problems.push(`the output goes on after the README's last line`);
  return problems;
}

/** Abridges like the README: the first lines of each kind of thing, then `…` until the next kind. */
function abridged(real: string[]): string[] {
  const kind = (line: string) => /^[+~=!] (\S+ \S+?)(\.|\s)/.exec(line)?.[1] ?? line;
  const out: string[] = [];
  let previous = '';
  let shownOfKind = 0;
  for (const line of real) {
    const current = kind(line);
    shownOfKind = current === previous ? shownOfKind + 1 : 0;
    previous = current;
    const keep = shownOfKind < 3 || line.startsWith('!') || line.includes('stage ') || !/^[+~=!] /.test(line);
    if (keep) out.push(line);
    else if (out.at(-1) !== '…') out.push('…');
  }
  return out;
}

test('the README’s provision --dry-run example is what the command prints for the scene it describes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'readme-dry-run-'));
  const scopeFile = join(dir, 'scope.json');
  writeFileSync(scopeFile, JSON.stringify(stack.fieldMap));
  const run = await runCli(['provision', '--dry-run'], liveEnvironmentOf(stack, { SCOPE_FILE: scopeFile }));
  expect(run.code).toBe(1); // a conflict
  const real = run.output.trimEnd().split('\n');
  expect(real.at(-1)).toMatch(/^\d+ to create, \d+ to change, \d+ in place, 1 conflict\(s\)$/);

  const readme = readFileSync(README, 'utf8');
  const block = BLOCK.exec(readme);
  expect(block).not.toBeNull();
  if (process.env.UPDATE_README_EXAMPLES === '1') {
    writeFileSync(
      README,
      readme.replace(BLOCK, (_all, head: string, _body, tail: string) => head + abridged(real).join('\n') + tail),
    );
    return;
  }
  const shown = block![2]!.split('\n');
  expect(mismatches(shown, real)).toEqual([]);
  expect(shown.at(-1)).toBe(real.at(-1));
});
