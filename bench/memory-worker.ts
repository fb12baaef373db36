/**
 * A worker process of its own for the memory phase (bench/memory.ts): the real workflows on one task queue
 * with `maxCachedWorkflows` as given, no activities. Over IPC it answers `sample` with its RSS and heap after a full
 * garbage collection (run with --expose-gc) and the number of workflows in its cache.
 *
 *   node --expose-gc --import tsx bench/memory-worker.ts '{"address":…,"taskQueue":…,"maxCachedWorkflows":…}'
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../common/config';
import { createDataConverter } from '../common/temporal-connection';
import { workflowsPath } from '../workers/workflows-path';

export interface MemorySample {
  type: 'sample';
  rssBytes: number;
  heapUsedBytes: number;
  cachedWorkflows: number;
}

interface MemoryWorkerSpec {
  address: string;
  taskQueue: string;
  maxCachedWorkflows: number;
  /** A bundle built beforehand; without it the worker bundles the workflows at start, as workers/main.ts does. */
  bundlePath?: string;
}

async function main(spec: MemoryWorkerSpec): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: spec.address });
  const worker = await Worker.create({
    connection,
    taskQueue: spec.taskQueue,
    ...(spec.bundlePath ? { workflowBundle: { codePath: spec.bundlePath } } : { workflowsPath }),
    maxCachedWorkflows: spec.maxCachedWorkflows,
    dataConverter: createDataConverter(loadConfig({ TEMPORAL_ADDRESS: spec.address, LOG_LEVEL: 'fatal' })),
  });
  const running = worker.run();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'sample') {
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      const sample: MemorySample = {
        type: 'sample',
        rssBytes: rss,
        heapUsedBytes: heapUsed,
        cachedWorkflows: worker.getStatus().numCachedWorkflows,
      };
      process.send?.(sample);
    }
    if (message.type === 'stop') worker.shutdown();
  });
  process.on('disconnect', () => worker.getState() === 'RUNNING' && worker.shutdown());
  process.send?.({ type: 'ready' });
  await running;
  await connection.close();
  process.exit(0);
}

main(JSON.parse(process.argv[2] ?? '') as MemoryWorkerSpec).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
