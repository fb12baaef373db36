/**
 * Following long work (backfill, provision, reconcile, bulk resync) until its workflow closes: a live progress bar on
 * a terminal (cli-progress), a plain line every few seconds otherwise (logs, CI, pipes). Ctrl-C stops following only:
 * the workflow is durable and keeps running, and the CLI says how to look at it again.
 */
import { SingleBar } from 'cli-progress';
import type { WorkflowHandle } from '@temporalio/client';

export interface ProgressSample {
  /** Units done and the total, when the work knows its size; otherwise the bar shows activity only. */
  value?: number;
  total?: number;
  /** What a person wants to read: counts, rate, the last error. */
  text: string;
}

export interface FollowOptions {
  label: string;
  /** Reads where the work is (a query, or describe()); must not throw for a workflow no worker has picked up yet. */
  sample: () => Promise<ProgressSample>;
  /** Between two samples. @default 1000 on a terminal, 2000 otherwise */
  intervalMs?: number;
  stream?: NodeJS.WriteStream;
}

export type Followed<T> = { outcome: 'completed'; result: T } | { outcome: 'detached' };

export async function followWorkflow<T>(handle: WorkflowHandle, options: FollowOptions): Promise<Followed<T>> {
  const stream = options.stream ?? process.stderr;
  const live = stream.isTTY === true;
  const intervalMs = options.intervalMs ?? (live ? 1000 : 2000);
  const bar = live
    ? new SingleBar(
        { format: `${options.label} [{bar}] {percentage}% {text}`, stream, hideCursor: true, clearOnComplete: false },
        undefined,
      )
    : undefined;
  const show = (sample: ProgressSample, first = false) => {
    const total = sample.total && sample.total > 0 ? sample.total : 1;
    const value = Math.min(sample.value ?? 0, total);
    if (!bar) stream.write(`${options.label}: ${sample.text}\n`);
    else if (first) bar.start(total, value, { text: sample.text });
    else {
      bar.setTotal(total);
      bar.update(value, { text: sample.text });
    }
  };

  let interrupted!: () => void;
  const detached = new Promise<'detached'>((resolve) => (interrupted = () => resolve('detached')));
  process.once('SIGINT', interrupted);
  const result = handle.result() as Promise<T>;
  // The outcome is read from `result` below; a rejection while detached must not be unhandled.
  result.catch(() => undefined);
  try {
    show(await options.sample(), true);
    for (;;) {
      const tick = new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), intervalMs).unref());
      const next = await Promise.race([result.then(() => 'done' as const), detached, tick]);
      if (next === 'detached') {
        bar?.stop();
        stream.write(
          `\nStopped following. Workflow ${handle.workflowId} keeps running; look at it again with ` +
            `\`temporal workflow describe --workflow-id ${handle.workflowId}\` or cancel it with ` +
            `\`temporal workflow cancel --workflow-id ${handle.workflowId}\`.\n`,
        );
        return { outcome: 'detached' };
      }
      const sample = await options.sample();
      if (next === 'done') {
        show({ ...sample, value: sample.total ?? 1, total: sample.total ?? 1 });
        bar?.stop();
        return { outcome: 'completed', result: await result };
      }
      show(sample);
    }
  } catch (error) {
    bar?.stop();
    throw error;
  } finally {
    process.removeListener('SIGINT', interrupted);
  }
}

/** A sample for work without a progress query: how long it has run and how far its history has grown. */
export function elapsedSample(handle: WorkflowHandle): () => Promise<ProgressSample> {
  return async () => {
    const description = await handle.describe();
    const seconds = Math.round((Date.now() - description.startTime.getTime()) / 1000);
    return { text: `${description.status.name.toLowerCase()} for ${seconds}s, ${description.historyLength} events` };
  };
}
