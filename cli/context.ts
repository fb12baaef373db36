/**
 * What every command shares: the configuration (read once, lazily, so `--help` works without one), one Temporal
 * client, the task queues, and the exit code the command decided on.
 */
import type { Client } from '@temporalio/client';
import { type Config, loadConfig, loadDotEnv } from '../common/config';
import { type TaskQueues, taskQueuesOf } from '../common/task-queues';
import { connectClient } from '../common/temporal-connection';

/** The documented exit codes (README, "Operating"). */
export const EXIT = {
  ok: 0,
  /** The command ran and what it checked or did failed. */
  failed: 1,
  /** The command line was wrong: unknown command or option, missing argument. */
  usage: 2,
  /** Ctrl-C on a progress view: the CLI stopped following, the workflow keeps running. */
  interrupted: 130,
} as const;

export class CliContext {
  exitCode: number = EXIT.ok;
  private loaded?: Config;
  private connected?: Promise<Client>;

  constructor(readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The environment with `.env` read into it (when it is the process's). */
  environment(): NodeJS.ProcessEnv {
    if (this.env === process.env) loadDotEnv();
    return this.env;
  }

  get config(): Config {
    this.loaded ??= loadConfig(this.environment());
    return this.loaded;
  }

  get queues(): TaskQueues {
    return taskQueuesOf(this.config);
  }

  client(): Promise<Client> {
    this.connected ??= connectClient(this.config);
    return this.connected;
  }

  /** Marks the run as failed without stopping it (a check that failed, a troubled watch). */
  fail(): void {
    if (this.exitCode === EXIT.ok) this.exitCode = EXIT.failed;
  }

  async close(): Promise<void> {
    if (this.connected) await (await this.connected).connection.close();
  }
}
