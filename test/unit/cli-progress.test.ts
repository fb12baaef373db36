/**
 * The progress view of long CLI commands (cli/progress.ts): a redrawn bar on a terminal, plain lines otherwise, and
 * Ctrl-C that stops following without touching the workflow. (The commands themselves run against the dev server in
 * test/integration/cli.test.ts.)
 */
import { Writable } from 'node:stream';
import type { WorkflowHandle } from '@temporalio/client';
import { followWorkflow } from '../../cli/progress';

/** A stderr stand-in that records what was written, a terminal or not. */
function recordingStream(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { isTTY: boolean; columns: number; cursorTo: () => boolean; clearLine: () => boolean };
  stream.isTTY = isTTY;
  stream.columns = 100;
  stream.cursorTo = () => true;
  stream.clearLine = () => true;
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

/** A workflow handle whose result the test settles. */
function fakeHandle() {
  let finish!: (value: string) => void;
  const result = new Promise<string>((resolve) => (finish = resolve));
  const handle = { workflowId: 'backfill-test', result: () => result } as unknown as WorkflowHandle;
  return { handle, finish };
}

const counting = () => {
  let samples = 0;
  return {
    sample: () => Promise.resolve({ value: ++samples, total: 4, text: `records ${samples * 10}` }),
    count: () => samples,
  };
};

test('off a terminal it writes one plain line per sample and returns the result when the workflow completes', async () => {
  const { stream, text } = recordingStream(false);
  const { handle, finish } = fakeHandle();
  const { sample, count } = counting();
  const followed = followWorkflow<string>(handle, { label: 'backfill', sample, intervalMs: 5, stream });
  await new Promise((resolve) => setTimeout(resolve, 40));
  finish('report');
  expect(await followed).toEqual({ outcome: 'completed', result: 'report' });
  const lines = text().trim().split('\n');
  expect(lines.length).toBe(count());
  expect(lines.length).toBeGreaterThan(2);
  for (const line of lines) expect(line).toMatch(/^backfill: records \d+0$/);
});

test('on a terminal it draws a bar with the percentage done', async () => {
  const { stream, text } = recordingStream(true);
  const { handle, finish } = fakeHandle();
  const followed = followWorkflow<string>(handle, {
    label: 'backfill',
    sample: counting().sample,
    intervalMs: 5,
    stream,
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  finish('done');
  await followed;
  expect(text()).toMatch(/backfill \[=+-+\] 25% records 10/);
  expect(text()).toMatch(/backfill \[=+\] 100%/);
  // Redrawn in place: no line break between two states of the bar.
  expect(text()).not.toMatch(/records 10\n/);
});

test('Ctrl-C stops following, says the workflow keeps running and how to look at it, and leaves it alone', async () => {
  const { stream, text } = recordingStream(false);
  const { handle } = fakeHandle();
  const followed = followWorkflow(handle, { label: 'backfill', sample: counting().sample, intervalMs: 5, stream });
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.emit('SIGINT');
  expect(await followed).toEqual({ outcome: 'detached' });
  expect(text()).toContain('Workflow backfill-test keeps running');
  expect(text()).toContain('temporal workflow describe --workflow-id backfill-test');
  expect(process.listenerCount('SIGINT')).toBe(0);
});
