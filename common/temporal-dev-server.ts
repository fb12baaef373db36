/**
 * Starts and stops the real Temporal dev server (`temporal server start-dev`): SQLite persistence in a file, Web UI,
 * the project's search attributes. Used by `npm start` and by the test harness (test/helpers/global-setup.ts).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { assertPortFree } from './ports';
import { searchAttributeCliArgs } from './search-attributes';
import { dynamicConfigCliArgs } from './temporal-dynamic-config';

const PROJECT_ROOT = resolve(__dirname, '..');

/**
 * Runs scripts/ensure-temporal and returns the path of the `temporal` binary it found or installed.
 * Rejects with the script's own explanation when no binary can be had.
 */
export async function ensureTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('bash', [resolve(PROJECT_ROOT, 'scripts/ensure-temporal')], {
      env: { ...env, TEMPORAL_ADDRESS: '' },
      maxBuffer: 1 << 20,
    });
    const path = stdout.trim().split('\n').pop();
    if (!path) throw new Error('scripts/ensure-temporal printed no path');
    return path;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(stderr || (error as Error).message, { cause: error });
  }
}

export interface DevServerOptions {
  /** Path of the `temporal` binary (ensureTemporalCli()). */
  cli: string;
  port: number;
  uiPort: number;
  /** SQLite file; created with its folder. State survives restarts. */
  dbFile: string;
  namespace?: string;
  /** Turns the Web UI off (tests). @default false */
  headless?: boolean;
  /** Codec server the Web UI decodes payloads with (common/codec-server.ts). */
  uiCodecEndpoint?: string;
  /** Names of the variables that set the ports, for the "port in use" message. */
  portVariables?: { port: string; uiPort: string };
  /** How long to wait for the frontend to answer. @default 60_000 */
  startTimeoutMs?: number;
  /** Called once if the server exits on its own (not through stop()). */
  onUnexpectedExit?: (description: string) => void;
}

export interface DevServer {
  readonly address: string;
  readonly uiUrl: string | undefined;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** How much of the server's output an error keeps: the opening (where a Go panic names its cause) and the end. */
const OUTPUT_HEAD = 2000;
const OUTPUT_TAIL = 3000;

/**
 * Start-up attempts. The dev server picks its internal ports (history, matching, worker, HTTP, metrics) by probing
 * for a free port and binding it later (`GetFreePort` in temporalio/cli's internal/devserver/freeport.go, v1.9.1), so
 * on a busy machine another socket (an outgoing connection's ephemeral port, for one) can take one in between and the
 * server panics before it serves (exit code 2). That crash is retried after a short pause; any other failure is
 * reported at once.
 */
const START_ATTEMPTS = 3;

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { port, uiPort, headless = false } = options;
  const variables = options.portVariables ?? { port: 'TEMPORAL_PORT', uiPort: 'TEMPORAL_UI_PORT' };
  for (let attempt = 1; ; attempt++) {
    await assertPortFree(port, variables.port);
    if (!headless) await assertPortFree(uiPort, variables.uiPort);
    try {
      return await launchDevServer(options);
    } catch (error) {
      if (!(error instanceof DevServerCrashedAtStart) || attempt >= START_ATTEMPTS) throw error;
    }
    // Let whatever held the port (or the database file) let go before the next attempt.
    await sleep(500 * attempt);
  }
}

export interface SupervisedDevServerOptions extends Omit<DevServerOptions, 'onUnexpectedExit'> {
  /** Attempts to start it again each time it dies on its own. @default 5 */
  restartAttempts?: number;
  /** Pause before restart attempt n: restartDelayMs × 2^(n-1). @default 500 */
  restartDelayMs?: number;
  /** It died on its own; attempt `attempt` of `of` to start it again follows. */
  onRestarting?: (event: { description: string; attempt: number; of: number }) => void;
  onRestarted?: (event: { pid: number; attempt: number }) => void;
  /** Every attempt failed: it cannot come back. */
  onGaveUp?: (error: Error) => void;
}

export interface SupervisedDevServer extends DevServer {
  /** How many times it was started again after dying. */
  restarts(): number;
}

/**
 * A dev server that is started again, on the same port and SQLite file (so every workflow is still there), when it
 * dies on its own: `npm start` keeps serving through a crash of its embedded Temporal, and callers only see Temporal
 * unavailable meanwhile (the receiver answers 503, so Asana retries). Attempts are bounded; after the last one fails,
 * `onGaveUp` reports why.
 */
export async function startSupervisedDevServer(options: SupervisedDevServerOptions): Promise<SupervisedDevServer> {
  const attempts = options.restartAttempts ?? 5;
  const delayMs = options.restartDelayMs ?? 500;
  let stopped = false;
  let restarts = 0;
  let reviving: Promise<void> | undefined;
  const stopping = new AbortController();
  const launch = (): Promise<DevServer> =>
    startDevServer({ ...options, onUnexpectedExit: (description) => void (reviving = revive(description)) });

  async function revive(description: string): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts && !stopped; attempt++) {
      options.onRestarting?.({ description, attempt, of: attempts });
      await sleep(delayMs * 2 ** (attempt - 1), undefined, { signal: stopping.signal }).catch(() => undefined);
      if (stopped) return;
      try {
        const server = await launch();
        if (stopped) return void (await server.stop());
        current = server;
        restarts += 1;
        options.onRestarted?.({ pid: server.pid, attempt });
        return;
      } catch (error) {
        lastError = error;
      }
    }
    if (stopped) return;
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    options.onGaveUp?.(
      new Error(`the Temporal dev server could not be started again (${attempts} attempts): ${reason}`),
    );
  }

  let current = await launch();
  return {
    address: current.address,
    uiUrl: current.uiUrl,
    get pid() {
      return current.pid;
    },
    restarts: () => restarts,
    stop: async (graceMs) => {
      stopped = true;
      stopping.abort();
      await reviving;
      await current.stop(graceMs);
    },
  };
}

/** The server panicked (Go exits with code 2 on a panic) before it served; see START_ATTEMPTS. */
class DevServerCrashedAtStart extends Error {}

async function launchDevServer(options: DevServerOptions): Promise<DevServer> {
  const { port, uiPort, headless = false } = options;
  const dbFile = resolve(options.dbFile);
  mkdirSync(dirname(dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--db-filename',
    dbFile,
    // WAL keeps the single SQLite connection from serialising readers behind writers (docs/performance.md 1b).
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--log-level',
    'warn',
    // The cluster's dynamic config (task-queue priorities, one partition per queue), as docker-compose.yml runs it.
    ...dynamicConfigCliArgs(),
    ...(options.namespace && options.namespace !== 'default' ? ['--namespace', options.namespace] : []),
    ...searchAttributeCliArgs(),
    ...(headless ? ['--headless'] : ['--ui-port', String(uiPort), '--ui-disable-news-fetch']),
    ...(!headless && options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
  ];
  const child = spawn(options.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new OutputKeeper();
  child.stdout?.on('data', (chunk: Buffer) => output.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.add(chunk));

  let stopping = false;
  const exited = new Promise<{ how: string; code: number | null }>((resolveExit) => {
    child.once('error', (error) => resolveExit({ how: `could not run ${options.cli}: ${error.message}`, code: null }));
    child.once('exit', (code, signal) => resolveExit({ how: `exited with ${signal ?? `code ${code}`}`, code }));
  });
  let started = false;
  void exited.then(({ how }) => {
    if (started && !stopping) options.onUnexpectedExit?.(`Temporal dev server ${how}\n${output.text()}`);
  });

  const address = `127.0.0.1:${port}`;
  const ready = waitUntilServing(address, options.namespace ?? 'default', options.startTimeoutMs ?? 60_000);
  const outcome = await Promise.race([ready.then(() => 'ready' as const), exited]);
  if (outcome !== 'ready') {
    ready.cancel();
    // A server that runs but never served within the time (not one that exited) must not be left behind.
    if (child.exitCode === null && child.signalCode === null) {
      stopping = true;
      child.kill('SIGKILL');
      await exited;
    }
    const message = `Temporal dev server did not start: ${outcome.how}\n${output.text()}`;
    throw outcome.code === 2 ? new DevServerCrashedAtStart(message) : new Error(message);
  }
  started = true;

  const stop = async (graceMs = 10_000): Promise<void> => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  // Never leave a server behind if this process exits without calling stop().
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  return {
    address,
    uiUrl: headless ? undefined : `http://localhost:${uiPort}`,
    pid: child.pid ?? -1,
    stop,
  };
}

/** Keeps the opening and the end of a process's output, within bounds. */
class OutputKeeper {
  private head = '';
  private tail = '';
  private dropped = false;

  add(chunk: Buffer): void {
    let text = chunk.toString();
    if (this.head.length < OUTPUT_HEAD) {
      const room = OUTPUT_HEAD - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
    }
    const tail = this.tail + text;
    if (tail.length > OUTPUT_TAIL) this.dropped = true;
    this.tail = tail.slice(-OUTPUT_TAIL);
  }

  text(): string {
    return (this.dropped ? `${this.head}\n[…]\n${this.tail}` : this.head + this.tail).trim();
  }
}

interface Cancellable<T> extends Promise<T> {
  cancel(): void;
}

/** Resolves once the frontend answers and the namespace exists; polls until `timeoutMs`. */
function waitUntilServing(address: string, namespace: string, timeoutMs: number): Cancellable<void> {
  let cancelled = false;
  const promise = (async () => {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (!cancelled && Date.now() < deadline) {
      try {
        const connection = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          return;
        } finally {
          await connection.close();
        }
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 200).unref());
      }
    }
    if (!cancelled)
      throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
  })() as Cancellable<void>;
  promise.cancel = () => (cancelled = true);
  promise.catch(() => undefined);
  return promise;
}
