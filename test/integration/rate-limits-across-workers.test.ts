/**
 * Asana's and Attio's budgets hold across workers (issue 13, docs/decisions/0016-scale-rate-limits-in-calls.md):
 * three worker processes share the task queues of the run's dev server, a burst of syncs lands on an idle queue, and
 * the stand-ins count the calls of the busiest second. A correctness property, not a timing one: the counts must
 * stay within the budgets however fast or slow the machine is.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { provisionAttioNow, resyncNow } from '../../client/operations';
import { loadConfig } from '../../common/config';
import { connectClient } from '../../common/temporal-connection';
import type { TaskQueues } from '../../common/task-queues';
import { busiestWindow } from '../../scale/peaks';
import { type AsanaStandIn, startAsanaStandIn } from '../../stand-ins/asana/server';
import { type Scene, seedScene } from '../../stand-ins/asana/seed';
import { requestKind } from '../../stand-ins/attio/rate-limit';
import { type AttioStandIn, startAttioStandIn } from '../../stand-ins/attio/server';
import { StandInClock } from '../../stand-ins/kit/clock';
import type { RecordedRequest } from '../../stand-ins/kit/request-log';
import { temporalTestAddress, uniqueTaskQueues } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

const ROOT = resolve(__dirname, '../..');
const WORKERS = 3;
const TASKS = 40;
const BUDGETS = { ASANA_MAX_REQUESTS_PER_SECOND: 10, ATTIO_MAX_WRITES_PER_SECOND: 20 };

let asana: AsanaStandIn;
let attio: AttioStandIn;
let scene: Scene;
let queues: TaskQueues;
let client: Client;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  const clock = new StandInClock();
  const firstGid = 1_600_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)) * 1_000_000n;
  // The stand-ins' own limits far above the budgets, so they count what the service sends and refuse nothing.
  asana = await startAsanaStandIn({ clock, firstGid, rateLimit: { requestsPerMinute: 100_000 } });
  attio = await startAttioStandIn({ clock, rateLimit: { writesPerSecond: 1000, readsPerSecond: 1000 } });
  scene = seedScene(asana.store, { seed: 21, projects: 1, tasksPerProject: TASKS });
  const dir = mkdtempSync(join(tmpdir(), 'rate-limits-across-workers-'));
  const scopeFile = join(dir, 'scope.json');
  writeFileSync(
    scopeFile,
    JSON.stringify({ salesTasks: { sourceProjectGid: scene.salesProjectGid }, people: { enabled: false } }),
  );
  queues = uniqueTaskQueues('rate-limits-across-workers');
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEST_WORKFLOW_BUNDLE: process.env.TEST_WORKFLOW_BUNDLE,
    TEMPORAL_ADDRESS: temporalTestAddress(),
    TEMPORAL_TASK_QUEUE: queues.sync,
    ASANA_TOKEN: asana.token,
    ATTIO_TOKEN: attio.token,
    ASANA_BASE_URL: asana.url,
    ATTIO_BASE_URL: attio.url,
    PAYLOAD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    RECEIVER_PUBLIC_URL: 'http://127.0.0.1:9',
    SCOPE_FILE: scopeFile,
    SYNC_QUIET_PERIOD_MS: '100',
    SYNC_IDLE_TIMEOUT_MS: '0',
    ASANA_MAX_REQUESTS_PER_SECOND: String(BUDGETS.ASANA_MAX_REQUESTS_PER_SECOND),
    ATTIO_MAX_WRITES_PER_SECOND: String(BUDGETS.ATTIO_MAX_WRITES_PER_SECOND),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
  client = await connectClient(loadConfig(env));
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/worker-process.ts')], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      workers.push(child);
      await new Promise<void>((ready, failed) => {
        child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('worker running') && ready());
        child.once('exit', (code) => failed(new Error(`a worker process exited with ${String(code)} at start`)));
      });
    }),
  );
});

afterAll(async () => {
  await Promise.all(
    workers.map(
      (child) =>
        new Promise((exited) => {
          if (child.exitCode !== null) return exited(undefined);
          child.once('exit', exited);
          child.kill('SIGKILL');
        }),
    ),
  );
  await client?.connection.close();
  await asana?.close();
  await attio?.close();
});

const pollersOf = async (taskQueue: string) =>
  new Set(
    (
      await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      })
    ).pollers?.map((poller) => poller.identity),
  ).size;

const times = (requests: RecordedRequest[]) => requests.map((r) => Date.parse(r.at));

test('three workers together stay within the Asana and Attio budgets in the busiest second of a burst', async () => {
  // Every worker polls both activity queues: the limit must hold for all of them together.
  await waitFor(async () => (await pollersOf(queues.asana)) >= WORKERS && (await pollersOf(queues.attio)) >= WORKERS);
  await provisionAttioNow(client, queues.sync);
  // Provisioning is one activity that writes dozens of times, once per set-up; the burst under test comes after.
  const asanaFrom = asana.requests.list().length;
  const attioFrom = attio.requests.list().length;

  // Every task synced at once onto idle queues: the server's burst and all three workers at work.
  await resyncNow(
    client,
    { resources: scene.taskGids.map((gid) => ({ gid, resource_type: 'task' as const })) },
    queues.sync,
  );
  await waitFor(() => attio.entries('sales_tasks').length === TASKS, { timeoutMs: 45_000 });

  const asanaCalls = asana.requests.list().slice(asanaFrom);
  const attioWrites = attio.requests
    .list()
    .slice(attioFrom)
    .filter((r) => requestKind(r.method, r.url.split('?')[0]!) === 'write');
  expect(asanaCalls.length).toBeGreaterThanOrEqual(TASKS);
  expect(attioWrites.length).toBeGreaterThanOrEqual(2 * TASKS);
  expect(busiestWindow(times(asanaCalls)).count).toBeLessThanOrEqual(BUDGETS.ASANA_MAX_REQUESTS_PER_SECOND);
  expect(busiestWindow(times(attioWrites)).count).toBeLessThanOrEqual(BUDGETS.ATTIO_MAX_WRITES_PER_SECOND);
}, 60_000);
