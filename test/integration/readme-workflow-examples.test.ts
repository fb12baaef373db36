/**
 * The README's "Starting workflows by hand" examples, run as written through the real `temporal` CLI against the
 * whole service (stand-ins, receiver, workers), adapted only in the connection (address, task queue, the codec server
 * with its token) and in ids (the stand-in scene's gids; a suffix on fixed ids). Each query is answered in clear
 * through the codec server, which the CLI asks with `{}` when a query has no arguments.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createCodecServerApp } from '../../common/codec-server';
import { listen, type RunningServer } from '../../common/listen';
import { createLogger } from '../../common/logger';
import { createPayloadCodec } from '../../common/temporal-connection';
import { ensureTemporalCli } from '../../common/temporal-dev-server';
import { startLiveStack, type LiveStack } from '../helpers/live-stack';
import { temporalTestAddress, testConfig } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
const block = /<!-- workflow-examples:start -->\n```sh\n([\s\S]*?)```\n<!-- workflow-examples:end -->/.exec(readme);
const examples = (block?.[1] ?? '').trim().split('\n');
const CODEC_TOKEN = 'codec-token-for-readme-examples-0123';

let stack: LiveStack;
let codecServer: RunningServer;
let cli: string;
const suffix = randomUUID().slice(0, 8);

beforeAll(async () => {
  cli = await ensureTemporalCli();
  stack = await startLiveStack();
  codecServer = await listen(
    createCodecServerApp({
      codec: createPayloadCodec(testConfig()),
      allowedOrigins: [],
      token: CODEC_TOKEN,
      logger: createLogger({ level: 'fatal', format: 'json' }),
    }),
    0,
    '127.0.0.1',
    'CODEC_SERVER_PORT',
  );
});
afterAll(async () => {
  await codecServer?.close();
  await stack?.close();
});

/** The example as this test's cluster runs it: its gids and queue, fixed ids made unique, and its connection. */
function adapt(example: string): string {
  const projectGid = stack.scene.salesProjectGid;
  return (
    example
      .replace(/<projectGid>/g, projectGid)
      .replace(/<workspaceGid>/g, stack.scene.workspaceGid)
      .replace(/<taskGid>/g, stack.scene.taskGids[0]!)
      .replace(/--task-queue asana-attio-sync/g, `--task-queue ${stack.queues.sync}`)
      .replace(/--workflow-id ([\w-]*by-hand)/g, `--workflow-id $1-${suffix}`)
      .replace(/^temporal /, '') +
    ` --address ${temporalTestAddress()} --codec-endpoint http://127.0.0.1:${codecServer.port}` +
    ` --codec-auth 'Bearer ${CODEC_TOKEN}'`
  );
}

const run = async (example: string) => {
  const { stdout } = await promisify(execFile)('sh', ['-c', `"$TEMPORAL_BIN" ${adapt(example)}`], {
    env: { ...process.env, TEMPORAL_BIN: cli },
  });
  return stdout;
};

/** What each query's answer holds in clear when the codec server decoded it. */
const QUERY_FIELDS: Record<string, RegExp> = {
  webhookStatus: /"status":\s*"active"/,
  backfillProgress: /"recordsPerSecond"/,
  syncStatus: /"changesReceived"/,
};

test('the README has the examples, each with a workflow id, and a query for each of the queries', () => {
  expect(examples.length).toBeGreaterThanOrEqual(8);
  for (const example of examples.filter((e) => / workflow (start|execute) /.test(e))) {
    expect([example, /--workflow-id \S+/.test(example)]).toEqual([example, true]);
  }
  const queried = examples.map((e) => / --name (\w+)/.exec(e)?.[1]).filter((n) => n && n in QUERY_FIELDS);
  expect(queried.sort()).toEqual(Object.keys(QUERY_FIELDS).sort());
});

test('every example runs through the temporal CLI, and every query answers in clear', async () => {
  for (const example of examples) {
    const query = / workflow query .*--name (\w+)/.exec(example)?.[1];
    if (query) {
      // The workflow a query asks may still be on its first task (or, for syncStatus, about to be started).
      let answer = '';
      const ask = async () => {
        answer = await run(example).catch((error: Error & { stderr?: string }) => error.stderr || error.message);
        return QUERY_FIELDS[query]!.test(answer);
      };
      await waitFor(ask, { timeoutMs: 60_000, intervalMs: 500, what: `${query} answered in clear` }).catch(
        (error: Error) => {
          throw new Error(`${error.message}; its last answer: ${answer}`);
        },
      );
      continue;
    }
    const output = await run(example);
    if (/ workflow execute /.test(example))
      expect([example, output]).toEqual([example, expect.stringMatching(/COMPLETED/i)]);
  }

  // What the examples did, seen from the service.
  const project = stack.scene.salesProjectGid;
  const watch = stack.client.workflow.getHandle(`asana-webhook-${project}`);
  await waitFor(async () => (await watch.describe()).status.name === 'COMPLETED', { what: 'unwatch ended the watch' });
  const backfill: unknown = await stack.client.workflow.getHandle(`backfill-projects-${project}`).result();
  expect(backfill).toMatchObject({ done: true, errors: 0 });
});
