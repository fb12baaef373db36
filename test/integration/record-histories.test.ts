/**
 * Runs the long-lived workflows (watch, sync, backfill) through their main paths on the real dev server, and checks
 * that each history replays against the current workflow bundle. With RECORD_HISTORIES=1 (`npm run
 * record-histories`) it also writes them to test/fixtures/histories/, which test/replay/ replays without a server, so
 * a later change that breaks determinism for a running workflow fails CI. Re-record only on purpose: after a change
 * that running workflows may not see (docs/decisions/0009-watch-never-dies.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { startBackfill } from '../../client/operations';
import { ASANA_ERRORS } from '../../common/error-types';
import { createDataConverter } from '../../common/temporal-connection';
import { syncWorkflowId } from '../../common/workflow-ids';
import {
  asanaChangedSignal,
  checkHealthSignal,
  recordHandshakeUpdate,
  unwatchSignal,
  webhookStatusQuery,
} from '../../workflows/definitions';
import { asanaError, at, fakeAsana, startFakeWatch } from '../helpers/fake-watch-activities';
import { historyFromFile, historyToFile } from '../helpers/history-files';
import { startLiveStack } from '../helpers/live-stack';
import { testConfig, useTemporal, withFakeWorkers } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

export const HISTORIES_DIR = join(__dirname, '..', 'fixtures', 'histories');

const config = testConfig();
const temporal = useTemporal(config);

/** Replays the workflow's history against the current bundle, and keeps it as a fixture when recording. */
async function replaysAndIsKept(name: string, handle: WorkflowHandle) {
  // Through the file format, so what is kept is what replays.
  const history = historyFromFile(historyToFile(await handle.fetchHistory()));
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, dataConverter: createDataConverter(config) },
    history,
  );
  if (process.env.RECORD_HISTORIES === '1') {
    mkdirSync(HISTORIES_DIR, { recursive: true });
    writeFileSync(join(HISTORIES_DIR, `${name}.json`), historyToFile(history));
  }
  return history.events?.length ?? 0;
}

test('a watch through a failed registration, a handshake, checks, a re-creation, a repair, a receiver move and an unwatch replays', async () => {
  let release!: () => void;
  const inFlight = new Promise<void>((resolve) => (release = resolve));
  const fake = fakeAsana({ slowCreate: () => (fake.faults.create ? Promise.resolve() : inFlight) });
  fake.faults.create = asanaError(503, ASANA_ERRORS.server);
  await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
    const resourceGid = `7${Date.now()}`;
    const handle = await startFakeWatch(temporal.client, queue, resourceGid, { until: 'recreate-failed' });
    const status = () => handle.query(webhookStatusQuery);
    fake.faults.create = undefined;
    await waitFor(() => fake.calls.registrations.length >= 2, { what: 'the registration in flight' });
    await handle.executeUpdate(recordHandshakeUpdate, {
      args: [{ generation: 2, registration: fake.calls.registrations.at(-1), secret: 'asana-handshake-secret-0000' }],
    });
    release();
    await waitFor(async () => (await status()).health === 'healthy', { what: 'the registration' });
    const check = async () => {
      const before = (await status()).lastCheckAt;
      await handle.signal(checkHealthSignal);
      await waitFor(async () => (await status()).lastCheckAt !== before, { what: 'a check' });
    };
    fake.change('5001');
    await check();
    fake.report({ exists: true, last_success_at: at(fake.base, 0), last_failure_at: at(fake.base, 1) });
    await check();
    fake.change('5002');
    fake.report({ exists: false });
    await handle.signal(checkHealthSignal);
    await waitFor(async () => (await status()).lastRepair !== undefined, { what: 'the repair' });
    // A domain move: re-registered at the new receiver, the old webhook deleted, the overlap replayed.
    fake.report({
      exists: true,
      last_success_at: at(fake.base, 2),
      targetMoved: { from: 'https://old.example/webhooks/asana/1', to: 'https://new.example/webhooks/asana/1' },
    });
    await handle.signal(checkHealthSignal);
    await waitFor(async () => (await status()).healthReason === 'moved to https://new.example/webhooks/asana/1', {
      what: 'the move',
    });
    await handle.signal(unwatchSignal);
    await handle.result();
    expect(await replaysAndIsKept('watch-asana-resource', handle)).toBeGreaterThan(40);
  });
});

test('a sync through a burst of changes and its idle end replays; so does a backfill of a project', async () => {
  const stack = await startLiveStack();
  try {
    const [task] = stack.scene.taskGids;
    const ref = { gid: task!, resource_type: 'task' as const };
    const sync = await temporal.client.workflow.signalWithStart('syncAsanaResource', {
      workflowId: syncWorkflowId(ref),
      taskQueue: stack.queues.sync,
      args: [{ resource: ref, quietPeriodMs: 200, maxDelayMs: 2_000, idleTimeoutMs: 1_000 }],
      signal: asanaChangedSignal,
      signalArgs: [{ action: 'changed', source: 'webhook' }],
    });
    await sync.signal(asanaChangedSignal, { action: 'changed', source: 'webhook' });
    await sync.result();
    expect(await replaysAndIsKept('sync-asana-resource', sync)).toBeGreaterThan(10);

    const backfill = await startBackfill(
      temporal.client,
      { projectGids: [stack.scene.salesProjectGid] },
      `backfill-record-${Date.now()}`,
      stack.queues.sync,
    );
    await backfill.result();
    expect(await replaysAndIsKept('backfill', backfill)).toBeGreaterThan(10);
  } finally {
    await stack.close();
  }
});
