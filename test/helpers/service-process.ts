/**
 * The service as a deployment runs it: `npm start` (scripts/start.ts) and the operator CLI (cli/main.ts) as child
 * processes with an environment given whole (nothing inherited but PATH and HOME), their output captured.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from './wait-for';

const root = resolve(__dirname, '../..');

export interface ChildRun {
  child: ChildProcess;
  /** Everything it wrote, stdout and stderr interleaved. */
  output(): string;
  exited: Promise<number | null>;
  /** Waits until its output contains `text`; fails early, with the output, if it exits first. */
  waitForOutput(text: string, options?: { timeoutMs?: number }): Promise<void>;
  /** Ctrl-C, then its exit code. */
  stop(): Promise<number | null>;
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv): ChildRun {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, script), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((done) =>
    child.once('close', (exitCode) => {
      code = exitCode;
      done(exitCode);
    }),
  );
  return {
    child,
    output: () => output,
    exited,
    waitForOutput: async (text, options = {}) => {
      await waitFor(
        () => {
          if (code !== undefined) throw new Error(`${script} exited (${code}) before saying "${text}"`);
          return output.includes(text);
        },
        { timeoutMs: options.timeoutMs ?? 120_000, what: `"${text}" from ${script}` },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; its output:\n${output.slice(-6000)}`);
      });
    },
    stop: async () => {
      if (code === undefined) child.kill('SIGINT');
      return exited;
    },
  };
}

/** `npm start`. */
export const startService = (env: NodeJS.ProcessEnv): ChildRun => run('scripts/start.ts', [], env);

/** `npm run cli -- <args>`, to its end. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const cli = run('cli/main.ts', args, env);
  const code = await cli.exited;
  return { code, output: cli.output() };
}
