/**
 * The Temporal SDK's own metrics (worker slots, pollers, requests to the server) are served for Prometheus by the
 * worker process when WORKER_METRICS_PORT is set, on the real dev server. The Runtime is installed once per process,
 * so the worker runs in a child process (test/helpers/metrics-worker.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { temporalTestAddress, uniqueTaskQueues } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

let worker: ChildProcess | undefined;
afterEach(async () => {
  if (worker && worker.exitCode === null) {
    const exited = once(worker, 'exit');
    worker.kill('SIGTERM');
    await exited;
  }
});

test('with WORKER_METRICS_PORT set, the worker serves the SDK metrics of its task queue at /metrics', async () => {
  const port = await freePort();
  const taskQueue = uniqueTaskQueues('worker-metrics').sync;
  worker = spawn(process.execPath, ['--import', 'tsx', require.resolve('../helpers/metrics-worker')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporalTestAddress(),
      TASK_QUEUE: taskQueue,
      WORKER_METRICS_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  await waitFor(
    async () => {
      text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((response) => response.text())
        .catch(() => '');
      return text.includes(`temporal_worker_task_slots_available{`) && text.includes(taskQueue);
    },
    { timeoutMs: 60_000, what: 'the worker metrics endpoint' },
  );
  expect(text).toMatch(new RegExp(`temporal_worker_task_slots_available\\{[^}]*task_queue="${taskQueue}"`));
  expect(text).toContain('temporal_request');
});
