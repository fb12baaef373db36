/**
 * Worker memory: RSS of a worker process (bench/memory-worker.ts) as the sync workflows in its cache grow, with its
 * cache cap set to the largest step, and once more at the largest step with the configured default cap
 * (WORKER_MAX_CACHED_WORKFLOWS), which bounds the cache whatever runs. Each workflow waits for changes (its idle
 * timer armed), as an open sync workflow does between changes.
 */
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { syncWorkflowId } from '../common/workflow-ids';
import { ask, forkReady, log, round, sleep, stopChild } from './harness';
import type { MemorySample } from './memory-worker';

export interface MemoryPoint {
  openWorkflows: number;
  cachedWorkflows: number;
  rssMB: number;
  heapUsedMB: number;
}

export interface MemoryResult {
  cacheCap: number;
  points: MemoryPoint[];
  /** Least-squares slope of RSS over cached workflows (goal ≤ 0.1 MB). */
  rssSlopeMBPerWorkflow: number;
  heapSlopeMBPerWorkflow: number;
  /** The step at which the worker process died taking up workflows (its workflow thread out of heap), if it did. */
  died?: { openWorkflows: number; reason: string };
  /**
   * With the configured default cap, at the largest step, in a worker that bundles the workflows at start as
   * workers/main.ts does (the steps above use a bundle built beforehand): its RSS right after start, then with every
   * workflow given a task.
   */
  defaultCap: { cacheCap: number; atStart: MemoryPoint; point: MemoryPoint };
}

class MemoryWorker {
  private constructor(private readonly child: ChildProcess) {}

  static async start(
    address: string,
    taskQueue: string,
    maxCachedWorkflows: number,
    bundlePath?: string,
  ): Promise<MemoryWorker> {
    const { child } = await forkReady(
      'memory-worker.ts',
      { address, taskQueue, maxCachedWorkflows, bundlePath },
      { execArgv: ['--expose-gc'], timeoutMs: 120_000 },
    );
    return new MemoryWorker(child);
  }

  sample(): Promise<MemorySample> {
    return ask<MemorySample>(this.child, 'sample');
  }

  stop(): Promise<void> {
    return stopChild(this.child, 15_000);
  }
}

const MB = 1024 * 1024;
const point = (open: number, s: MemorySample): MemoryPoint => ({
  openWorkflows: open,
  cachedWorkflows: s.cachedWorkflows,
  rssMB: round(s.rssBytes / MB),
  heapUsedMB: round(s.heapUsedBytes / MB),
});

/** Starts waiting sync workflows numbered [from, to) on `taskQueue`, 25 at a time. */
async function startWaiting(client: Client, taskQueue: string, prefix: string, from: number, to: number) {
  for (let i = from; i < to; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, to - i) }, (_, k) => {
        const resource = { gid: `${prefix}${String(i + k).padStart(6, '0')}`, resource_type: 'task' as const };
        return client.workflow.start('syncAsanaResource', {
          taskQueue,
          workflowId: syncWorkflowId(resource),
          args: [{ resource, idleTimeoutMs: 3_600_000 }],
        });
      }),
    );
  }
}

async function sampleWhenCached(worker: MemoryWorker, atLeast: number, timeoutMs = 180_000): Promise<MemorySample> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await worker.sample();
    if (s.cachedWorkflows >= atLeast || Date.now() > deadline) return s;
    await sleep(500);
  }
}

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const cov = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0);
  const varx = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return varx ? cov / varx : NaN;
}

export async function measureMemory(
  client: Client,
  address: string,
  options: { steps: number[]; defaultCap: number; gidPrefix: string; bundlePath: string },
): Promise<MemoryResult> {
  const { steps, defaultCap, gidPrefix } = options;
  const largest = steps[steps.length - 1]!;
  const queue = `bench-memory-${Date.now()}`;
  const worker = await MemoryWorker.start(address, queue, largest, options.bundlePath);
  const points: MemoryPoint[] = [];
  let died: MemoryResult['died'];
  try {
    await sleep(2_000);
    points.push(point(0, await worker.sample()));
    let open = 0;
    for (const step of steps) {
      await startWaiting(client, queue, gidPrefix, open, step);
      open = step;
      let sample: MemorySample;
      try {
        sample = await sampleWhenCached(worker, step);
      } catch (error) {
        died = { openWorkflows: step, reason: error instanceof Error ? error.message : String(error) };
        log(`memory: the worker died taking up ${step} workflows: ${died.reason}`);
        break;
      }
      const p = point(open, sample);
      points.push(p);
      log(`memory: ${p.cachedWorkflows} cached workflows, RSS ${p.rssMB} MB, heap ${p.heapUsedMB} MB`);
    }
  } finally {
    await worker.stop();
  }
  // The same workflows, now under the default cap: a new worker takes each one up again (replaying it from history)
  // once it gets a task, so every workflow is given one (a query, which needs the worker and changes nothing).
  const capped = await MemoryWorker.start(address, queue, defaultCap);
  let cappedPoint: MemoryPoint;
  let atStart: MemoryPoint;
  try {
    atStart = point(largest, await capped.sample());
    for (let i = 0; i < largest; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, largest - i) }, (_, k) => {
          const gid = `${gidPrefix}${String(i + k).padStart(6, '0')}`;
          return client.workflow.getHandle(syncWorkflowId({ gid, resource_type: 'task' })).query('syncStatus');
        }),
      );
    }
    cappedPoint = point(largest, await capped.sample());
    log(`memory: default cap ${defaultCap}: ${cappedPoint.cachedWorkflows} cached, RSS ${cappedPoint.rssMB} MB`);
  } finally {
    await capped.stop();
  }
  const xs = points.map((p) => p.cachedWorkflows);
  return {
    cacheCap: largest,
    points,
    rssSlopeMBPerWorkflow: round(
      slope(
        xs,
        points.map((p) => p.rssMB),
      ),
      4,
    ),
    heapSlopeMBPerWorkflow: round(
      slope(
        xs,
        points.map((p) => p.heapUsedMB),
      ),
      4,
    ),
    defaultCap: { cacheCap: defaultCap, atStart, point: cappedPoint },
    ...(died ? { died } : {}),
  };
}
