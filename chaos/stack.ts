/**
 * The system under test of one chaos scenario, each part killable on its own:
 *
 *   Temporal dev server   (child process: `temporal server start-dev`, SQLite file; shared by the scenarios)
 *   worker(s)             (child processes: `npm run worker`, i.e. workers/main.ts)
 *   receiver              (child process: `npm run receiver`, i.e. receiver/main.ts)
 *   Asana and Attio stand-ins (in this process, so the run reads their stores, delivery log and request log)
 *
 * Receiver and workers reach Temporal through their own TCP proxy (chaos/tcp-proxy.ts), which can cut them off and
 * counts their gRPC calls. Each scenario has its own task queue, gids and receiver port, so scenarios never share a
 * workflow.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../common/config';
import { freePort } from '../common/ports';
import { connectClient } from '../common/temporal-connection';
import { type DevServer, ensureTemporalCli, startDevServer } from '../common/temporal-dev-server';
import { parseFieldMap, type FieldMap } from '../mapping/field-map';
import { provisionAttioNow, startBackfill, watchResource } from '../client/operations';
import { type AsanaStandIn, startAsanaStandIn } from '../stand-ins/asana/server';
import { type Scene, sceneFieldMap, seedScene } from '../stand-ins/asana/seed';
import { type AttioStandIn, startAttioStandIn } from '../stand-ins/attio/server';
import { StandInClock } from '../stand-ins/kit/clock';
import type { WebhookHealthSettings } from '../workflows/definitions';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

const ROOT = resolve(__dirname, '..');

/** The comparer reads Asana with its own token, so its reads never use the service's rate-limit budget. */
export const CHECKER_ASANA_TOKEN = 'chaos-checker-token-0000000000000000000000000000';

export interface Temporal {
  readonly address: string;
  readonly pid: () => number;
  /** SIGKILL, as a crash: no graceful shutdown, the SQLite file left as it was. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and SQLite file. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** One dev server for the whole run, on a SQLite file in `dir`; scenarios kill and restart it. */
export async function startTemporal(dir: string): Promise<Temporal> {
  const cli = await ensureTemporalCli();
  const port = await freePort();
  const launch = () =>
    startDevServer({ cli, port, uiPort: 0, headless: true, dbFile: join(dir, 'temporal.db'), startTimeoutMs: 90_000 });
  let server: DevServer = await launch();
  return {
    address: server.address,
    pid: () => server.pid,
    kill: async () => {
      process.kill(server.pid, 'SIGKILL');
      await server.stop(0); // resolves once the process is gone
    },
    restart: async () => {
      server = await launch();
    },
    stop: () => server.stop(),
  };
}

export interface StackOptions {
  name: string;
  dir: string;
  temporal: Temporal;
  /** Tasks in the Sales Tasks project. */
  tasks: number;
  /** Distinct gids per scenario: workflow ids are built from them. */
  firstGid: bigint;
  health: WebhookHealthSettings;
  /** Asana's first delivery retry (its schedule is undocumented; the stand-in doubles from here). */
  initialRetryMs: number;
  env?: Record<string, string>;
}

export interface Service {
  child: ChildProcess;
  exited: Promise<number | null>;
}

export class ChaosStack {
  readonly taskQueue: string;
  readonly workers = new Map<string, Service>();
  receiver: Service | undefined;
  private readonly logs: WriteStream;

  private constructor(
    readonly options: StackOptions,
    readonly asana: AsanaStandIn,
    readonly attio: AttioStandIn,
    readonly scene: Scene,
    readonly fieldMap: FieldMap,
    private readonly fieldMapFile: string,
    readonly client: Client,
    readonly receiverPort: number,
    readonly receiverProxy: TcpProxy,
    readonly workerProxy: TcpProxy,
    private readonly encryptionKey: string,
  ) {
    this.taskQueue = `chaos-${options.name}-${Date.now()}`;
    this.logs = createWriteStream(join(options.dir, `${options.name}.log`), { flags: 'a' });
  }

  static async start(options: StackOptions): Promise<ChaosStack> {
    const clock = new StandInClock();
    const asana = await startAsanaStandIn({
      clock,
      firstGid: options.firstGid,
      allowLoopbackTargets: true,
      personalAccessTokens: [
        '2/1210000000000001/1210000000000002:standindemotoken0000000000000000',
        CHECKER_ASANA_TOKEN,
      ],
      webhooks: { batchWindowMs: 50, initialRetryMs: options.initialRetryMs },
    });
    // Attio keeps its own clock, with the worker's: scenarios fast-forward Asana's to make hours of webhook failures
    // pass, and a shared clock would send Retry-After dates hours ahead of the worker.
    const attio = await startAttioStandIn({ rateLimit: { writesPerSecond: 25, readsPerSecond: 100 } });
    const scene = seedScene(asana.store, { seed: 11, projects: 1, tasksPerProject: options.tasks });
    // People linking off: the checker compares records and entries, not people.
    const fieldMap = sceneFieldMap(scene, { people: false });
    const fieldMapFile = join(options.dir, `${options.name}.field-map.json`);
    writeFileSync(fieldMapFile, JSON.stringify(fieldMap, null, 2));
    const encryptionKey = randomBytes(32).toString('base64');
    const client = await connectClient(
      loadConfig({ TEMPORAL_ADDRESS: options.temporal.address, PAYLOAD_ENCRYPTION_KEY: encryptionKey }),
    );
    const [host, port] = options.temporal.address.split(':') as [string, string];
    const upstream = { host, port: Number(port) };
    const stack = new ChaosStack(
      options,
      asana,
      attio,
      scene,
      parseFieldMap(fieldMap),
      fieldMapFile,
      client,
      await freePort(),
      await startTcpProxy(upstream),
      await startTcpProxy(upstream),
      encryptionKey,
    );
    return stack;
  }

  /** The environment every service process gets: the stand-ins, a scenario's queue, short sync timings. */
  private env(temporalAddress: string): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ASANA_TOKEN: this.asana.token,
      ATTIO_TOKEN: this.attio.token,
      ASANA_BASE_URL: this.asana.url,
      ATTIO_BASE_URL: this.attio.url,
      PAYLOAD_ENCRYPTION_KEY: this.encryptionKey,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      RECEIVER_PORT: String(this.receiverPort),
      RECEIVER_PUBLIC_URL: this.receiverUrl,
      FIELD_MAP_FILE: this.fieldMapFile,
      SYNC_QUIET_PERIOD_MS: '300',
      SYNC_MAX_DELAY_MS: '3000',
      SYNC_IDLE_TIMEOUT_MS: '30000',
      // Budgets above the stand-ins' own limits (Attio 25 writes/s): the suite proves nothing is lost, so the workers
      // drain at the APIs' speed and meet their 429s and Retry-After, as a misconfigured deployment would. Keeping
      // within the budgets is measured by `npm run scale` (docs/decisions/0016-scale-rate-limits-in-calls.md).
      ASANA_MAX_REQUESTS_PER_SECOND: '100',
      ATTIO_MAX_WRITES_PER_SECOND: '100',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...this.options.env,
    };
  }

  get receiverUrl(): string {
    return `http://127.0.0.1:${this.receiverPort}`;
  }

  /** Starts one service process with the stack's environment (and `env` on top); its output goes to the log. */
  spawnService(label: string, script: string, temporalAddress: string, env: Record<string, string> = {}): Service {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script)], {
      cwd: ROOT,
      env: { ...this.env(temporalAddress), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = (chunk: Buffer) => `[${label} ${child.pid}] ${chunk.toString()}`;
    child.stdout?.on('data', (chunk: Buffer) => this.logs.write(prefix(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => this.logs.write(prefix(chunk)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, exited };
  }

  /** Starts `npm run worker` and resolves once it polls (it bundles the workflows first). */
  async startWorker(name = 'worker'): Promise<void> {
    const service = this.spawnService(name, 'workers/main.ts', this.workerProxy.address);
    this.workers.set(name, service);
    let output = '';
    service.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(() => output.includes('worker running'), 120_000, `${name} to start`, service.exited);
  }

  /** SIGKILL: the worker dies mid-task, as in a crash or an OOM kill. */
  async killWorker(name = 'worker'): Promise<void> {
    const service = this.workers.get(name);
    if (!service) return;
    service.child.kill('SIGKILL');
    await service.exited;
    this.workers.delete(name);
  }

  async startReceiver(): Promise<void> {
    this.receiver = this.spawnService('receiver', 'receiver/main.ts', this.receiverProxy.address);
    await waitUntil(
      async () => (await fetch(`${this.receiverUrl}/healthz`).catch(() => undefined))?.status === 200,
      60_000,
      'the receiver to listen',
      this.receiver.exited,
    );
  }

  async killReceiver(): Promise<void> {
    if (!this.receiver) return;
    this.receiver.child.kill('SIGKILL');
    await this.receiver.exited;
    this.receiver = undefined;
  }

  /** Provisions Attio, watches the Sales Tasks project (a real handshake) and backfills it. */
  async prepare(): Promise<void> {
    await provisionAttioNow(this.client, this.taskQueue);
    await watchResource(
      this.client,
      {
        resourceGid: this.scene.salesProjectGid,
        resourceType: 'project',
        workspaceGid: this.scene.workspaceGid,
        health: this.options.health,
      },
      { taskQueue: this.taskQueue, timeoutMs: 120_000 },
    );
    const backfill = await startBackfill(
      this.client,
      { projectGids: [this.scene.salesProjectGid] },
      `backfill-${this.taskQueue}`,
      this.taskQueue,
    );
    await backfill.result();
  }

  async close(): Promise<void> {
    for (const name of [...this.workers.keys()]) await this.killWorker(name);
    await this.killReceiver();
    await this.client.connection.close();
    await this.receiverProxy.close();
    await this.workerProxy.close();
    await this.asana.close();
    await this.attio.close();
    await new Promise((r) => this.logs.end(r));
  }
}

/** Polls `condition` until it holds, `timeoutMs` passes, or `exited` resolves (a process died while starting). */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  exited?: Promise<unknown>,
): Promise<void> {
  let died = false;
  void exited?.then(() => (died = true));
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (died) throw new Error(`gave up waiting for ${what}: the process exited`);
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await sleep(200);
  }
}
