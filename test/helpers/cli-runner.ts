/**
 * The project CLI as an operator runs it: `node --import tsx cli/main.ts …` as a child process, with the
 * environment of a deployment on a live stack (test/helpers/live-stack.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type LiveStack, liveEnvironmentOf } from './live-stack';

const root = resolve(__dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A scope as a file, as a live deployment has it (SCOPE_FILE). */
export function writeScope(name: string, scope: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'opscli-')), name);
  writeFileSync(file, JSON.stringify(scope));
  return file;
}

/** The deployment's environment as an operator's shell has it, with its scope file (SCOPE_FILE). */
export const deploymentEnv = (stack: LiveStack, scopeFile: string, overrides: NodeJS.ProcessEnv = {}) =>
  liveEnvironmentOf(stack, { SCOPE_FILE: scopeFile, ...overrides });

export function startCli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'cli/main.ts'), ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: CliRun = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  const exited = new Promise<CliRun>((done) => child.on('close', (code) => done({ ...run, code })));
  return { child, run, exited };
}

export const json = <T>(run: CliRun): T => JSON.parse(run.stdout) as T;
