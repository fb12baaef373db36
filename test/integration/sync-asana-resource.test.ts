/**
 * The per-resource sync workflow on the real dev server, with its activities replaced by recording fakes so each
 * test controls what "Asana" returns and counts what would reach Attio. (End-to-end with the stand-ins:
 * test/integration/live-sync.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { syncWorkflowId } from '../../common/workflow-ids';
import type { MappedResource } from '../../mapping/map-asana-to-attio';
import {
  type AsanaChange,
  type AttioWriteReceipt,
  asanaChangedSignal,
  type SyncAsanaResourceInput,
  syncStatusQuery,
} from '../../workflows/definitions';
import { syncAsanaResource } from '../../workflows';
import { testConfig, useTemporal, withFakeWorkers } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

const config = testConfig();

const temporal = useTemporal(config);

/** A fake Asana+Attio pair: `content` is what Asana holds now; writes are recorded, each costing `requests`. */
function fakes(requests = 1) {
  const calls = { fetches: 0, writes: [] as MappedResource[] };
  let content = 'v1';
  let fetchGate: Promise<void> = Promise.resolve();
  const activities = {
    async fetchAsanaResourceForAttio(ref: { gid: string }): Promise<MappedResource> {
      calls.fetches += 1;
      await fetchGate;
      return { kind: 'task', gid: ref.gid, hash: content, state: 'removed' };
    },
    async writeAsanaResourceToAttio(input: { mapped: MappedResource }): Promise<AttioWriteReceipt> {
      calls.writes.push(input.mapped);
      return { hash: input.mapped.hash, writes: requests, summary: 'written' };
    },
  };
  return {
    calls,
    activities,
    setContent: (value: string) => (content = value),
    holdFetches: () => {
      let release!: () => void;
      fetchGate = new Promise((resolve) => (release = resolve));
      return () => release();
    },
  };
}

function signalChange(queue: string, gid: string, input: Partial<SyncAsanaResourceInput> = {}) {
  const resource = { gid, resource_type: 'task' as const };
  const change: AsanaChange = { action: 'changed', source: 'webhook' };
  return temporal.client.workflow.signalWithStart(syncAsanaResource, {
    workflowId: syncWorkflowId(resource),
    taskQueue: queue,
    args: [{ resource, quietPeriodMs: 300, maxDelayMs: 5_000, idleTimeoutMs: 1_000, ...input }],
    signal: asanaChangedSignal,
    signalArgs: [change],
  });
}

const newGid = () => String(BigInt(`0x${randomUUID().replace(/-/g, '').slice(0, 12)}`));

test('a burst of 50 changes to one task is one Asana fetch and one Attio write', async () => {
  const fake = fakes();
  await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
    const gid = newGid();
    const handles = [];
    for (let i = 0; i < 50; i += 1) handles.push(await signalChange(queue, gid, { quietPeriodMs: 2_000 }));
    const result = await handles[0]!.result();
    expect(result).toEqual({ syncs: 1, attioWrites: 1, skippedWrites: 0 });
    expect(fake.calls.fetches).toBe(1);
    expect(fake.calls.writes).toHaveLength(1);
  });
});

test('a change whose content Attio already has costs a fetch and no write', async () => {
  // A new task costs two Attio requests (its parent record and its Sales Task entry): the status counts requests.
  const fake = fakes(2);
  await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
    const gid = newGid();
    const handle = await signalChange(queue, gid, { idleTimeoutMs: 30_000 });
    await waitFor(async () => (await handle.query(syncStatusQuery)).syncs === 1);
    await signalChange(queue, gid);
    await waitFor(async () => (await handle.query(syncStatusQuery)).syncs === 2);
    const status = await handle.query(syncStatusQuery);
    expect(status).toMatchObject({ attioWrites: 2, skippedWrites: 1, lastOutcome: 'unchanged: no Attio write' });
    expect(fake.calls.fetches).toBe(2);
    expect(fake.calls.writes).toHaveLength(1);
  });
});

test('a change that arrives during a sync causes another sync with the newer content', async () => {
  const fake = fakes();
  await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
    const gid = newGid();
    const release = fake.holdFetches();
    const handle = await signalChange(queue, gid);
    await waitFor(async () => fake.calls.fetches === 1);
    fake.setContent('v2');
    await signalChange(queue, gid);
    release();
    const result = await handle.result();
    expect(result.syncs).toBe(2);
    expect(fake.calls.writes.map((w) => w.hash)).toEqual(['v2']);
  });
});

test('completes after the idle period, and a later change starts a new run', async () => {
  const fake = fakes();
  await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
    const gid = newGid();
    const first = await signalChange(queue, gid);
    await first.result();
    fake.setContent('v2');
    const second = await signalChange(queue, gid);
    expect(second.signaledRunId).not.toBe(first.signaledRunId);
    await second.result();
    expect(fake.calls.writes.map((w) => w.hash)).toEqual(['v1', 'v2']);
  });
});

test('continue-as-new carries unsynced changes and the last written hash', async () => {
  const fake = fakes();
  await withFakeWorkers(temporal.connection, fake.activities, async (queue) => {
    const gid = newGid();
    const handle = await signalChange(queue, gid, {
      pendingChanges: 1,
      lastReceipt: { hash: 'v1', writes: 1, summary: 'from the previous run' },
    });
    const result = await handle.result();
    // The carried change was synced; its content equals the carried hash, so nothing was written.
    expect(result).toMatchObject({ attioWrites: 0, skippedWrites: 1 });
    expect(fake.calls.fetches).toBe(1);
    expect(fake.calls.writes).toHaveLength(0);
  });
});
