/**
 * One delivery is one trace (issue 16 item 7), on the real dev server: the receiver's POST, the signalWithStart it
 * makes, the sync workflow it starts, the Asana fetch and the Attio write are spans of one trace, each the child of
 * the one before; and no secret, signature or note text is an attribute of any span. The traced processes run in a
 * child process (test/helpers/traced-delivery.ts) with an in-memory exporter: tracing patches modules once per
 * process, and jest's module loader would bypass the patching.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { temporalTestAddress, uniqueTaskQueues } from '../helpers/temporal';

interface ExportedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

async function runTracedDelivery(): Promise<{ spans: ExportedSpan[]; taskGid: string; secrets: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', require.resolve('../helpers/traced-delivery')], {
    env: { ...process.env, TEMPORAL_ADDRESS: temporalTestAddress(), TASK_QUEUE: uniqueTaskQueues('tracing').sync },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  expect(code).toBe(0);
  const line = output.split('\n').find((l) => l.startsWith('SPANS '));
  return JSON.parse(line!.slice('SPANS '.length)) as { spans: ExportedSpan[]; taskGid: string; secrets: string[] };
}

const SERVER = 1;

test('a delivery is one trace from the POST through signalWithStart and the workflow to the Asana fetch and the Attio write', async () => {
  const { spans, secrets } = await runTracedDelivery();
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const find = (pattern: RegExp, kind?: number) => {
    const found = spans.find((span) => pattern.test(span.name) && (kind === undefined || span.kind === kind));
    if (!found) throw new Error(`no span ${pattern} among: ${spans.map((s) => s.name).join(', ')}`);
    return found;
  };
  /** Whether `descendant` is below `ancestor` through parent links. */
  const isBelow = (descendant: ExportedSpan, ancestor: ExportedSpan): boolean => {
    for (let span = descendant; span.parentSpanId;) {
      const parent = byId.get(span.parentSpanId);
      if (!parent) return false;
      if (parent.spanId === ancestor.spanId) return true;
      span = parent;
    }
    return false;
  };

  const post = find(/^POST/, SERVER);
  const signalWithStart = find(/^SignalWithStartWorkflow:syncAsanaResource/);
  const workflow = find(/^RunWorkflow:syncAsanaResource/);
  const fetch = find(/^RunActivity:fetchAsanaResourceForAttio/);
  const write = find(/^RunActivity:writeAsanaResourceToAttio/);
  const asanaCall = spans.find((span) => span.name === 'GET' && isBelow(span, fetch));

  const chain = [post, signalWithStart, workflow, fetch, write];
  expect(new Set(chain.map((span) => span.traceId)).size).toBe(1);
  expect(isBelow(signalWithStart, post)).toBe(true);
  expect(isBelow(workflow, signalWithStart)).toBe(true);
  expect(isBelow(fetch, workflow)).toBe(true);
  expect(isBelow(write, workflow)).toBe(true);
  // The Asana call itself (undici instrumentation), inside the fetch activity.
  expect(asanaCall).toBeDefined();

  // Plain values only: Temporal's workflow exporter would add the WorkflowInfo's memo (the watch's webhook secrets).
  const values = spans.flatMap((span) => Object.entries(span.attributes));
  expect(values.filter(([, value]) => typeof value === 'object' && !Array.isArray(value))).toEqual([]);
  expect(values.map(([key]) => key)).not.toContain('memo');
  const attributes = JSON.stringify(spans.map((span) => span.attributes));
  for (const secret of secrets) expect(attributes).not.toContain(secret);
  expect(attributes).not.toContain('generation=');
});
