/**
 * The Attio side end to end, on the real dev server and both stand-ins: the Attio app's resync server function,
 * bundled as Attio runs it (esbuild, with `attio` and `attio/server` replaced by the app's test fakes), calls the
 * receiver; the resync workflow maps the Attio record to its Asana gid and resyncs it; the record's sync attributes
 * and a note appear in the Attio stand-in. And the sync history itself: written with the content, `failed` with a
 * readable error when Attio rejects a write, cleared after the fix, notes only for notable events.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { AttioClient } from '../../attio/client';
import { provisionAttioNow, resyncNow } from '../../client/operations';
import { listen, type RunningServer } from '../../common/listen';
import { createLogger } from '../../common/logger';
import { syncWorkflowId } from '../../common/workflow-ids';
import { createReceiverApp } from '../../receiver/app';
import { asanaChangedSignal, syncStatusQuery } from '../../workflows/definitions';
import { type LiveStack, startLiveStack, SYNC_TIMINGS } from '../helpers/live-stack';
import { waitFor } from '../helpers/wait-for';

const APP = resolve(__dirname, '../../attio-app');
const TOKEN = 'resync-secret-for-the-attio-app-0000';
/** The key under which the app's fake `attio/server` keeps its state (attio-app/test/fake-attio/state.ts). */
const FAKE_ATTIO = Symbol.for('asana-attio-sync.fake-attio');

let stack: LiveStack;
let attioApi: AttioClient;
let resyncReceiver: RunningServer;
let workdir: string;
let resyncRecords: (request: { object: string; recordIds: string[]; source: string }) => Promise<{
  workflowId: string;
  records: number;
}>;

/** Bundles a server function of the app as one file with the fakes, and loads it. */
async function bundleServerFunction(entry: string) {
  const outfile = join(workdir, `${entry.replace(/\W/g, '-')}.cjs`);
  const result = await build({
    entryPoints: [join(APP, entry)],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    alias: {
      attio: join(APP, 'test/fake-attio/root.ts'),
      'attio/server': join(APP, 'test/fake-attio/server.ts'),
    },
    logLevel: 'silent',
  });
  writeFileSync(outfile, result.outputFiles[0]!.text);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is plain CommonJS, made just now
  return (require(outfile) as { default: unknown }).default;
}

beforeAll(async () => {
  stack = await startLiveStack({ seed: { projects: 2, tasksPerProject: 2 }, people: true });
  attioApi = new AttioClient({ baseUrl: stack.attio.url, token: stack.attio.token });
  await provisionAttioNow(stack.client, stack.queues.sync);
  resyncReceiver = await listen(
    createReceiverApp({
      client: stack.client,
      logger: createLogger({ level: 'fatal', format: 'json' }),
      resync: { token: TOKEN, taskQueue: stack.queues.sync },
    }),
    0,
    '127.0.0.1',
  );
  workdir = mkdtempSync(join(tmpdir(), 'attio-app-'));
  resyncRecords = (await bundleServerFunction('src/app/service/resync-records.server.ts')) as typeof resyncRecords;
});
afterAll(async () => {
  await resyncReceiver?.close();
  await stack?.close();
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

const { parentObject, list } = { parentObject: 'asana_tasks', list: 'sales_tasks' };
const recordOf = (gid: string) => stack.attio.findRecord(parentObject, 'asana_gid', gid);
const entryOf = (gid: string) => {
  const record = recordOf(gid);
  return record ? stack.attio.entriesOf(list, record.recordId)[0] : undefined;
};
const syncStateOf = (gid: string) => {
  const values = entryOf(gid)?.values ?? {};
  return {
    status: values.asana_sync_status?.[0],
    syncedAt: values.asana_last_synced_at?.[0],
    error: values.asana_last_sync_error?.[0],
  };
};
const noteTitles = (gid: string) => stack.attio.notesOn(recordOf(gid)!.recordId).map((n) => n.title);
const newSalesTask = (name: string) =>
  stack.asana.store.createTask({
    project: stack.scene.salesProjectGid,
    section: stack.scene.stageSectionGids.Lead!,
    name,
  }).gid;
const resync = (gid: string) =>
  resyncNow(stack.client, { resources: [{ gid, resource_type: 'task' }] }, stack.queues.sync);

describe('sync history in Attio', () => {
  test('a sync writes status, time and an empty error in the same request as the content, and leaves no note', async () => {
    const gid = newSalesTask('Send the proposal');
    await resync(gid);
    await waitFor(() => syncStateOf(gid).status === 'synced', { what: 'first sync' });
    const entry = entryOf(gid)!;
    expect(entry.values.name).toEqual(['Send the proposal']);
    expect(syncStateOf(gid).error).toBeUndefined();
    expect(Date.parse(String(syncStateOf(gid).syncedAt))).toBeGreaterThan(Date.now() - 120_000);
    // The content's one entry write carried the sync attributes: no second write to the entry.
    const entryWrites = stack.attio.writesTo(entry.entryId);
    expect(entryWrites).toHaveLength(1);
    expect(JSON.stringify(entryWrites[0]!.requestBody)).toContain('asana_sync_status');
    expect(noteTitles(gid)).toEqual([]);
  });

  /** A change as a webhook reports it: synced only if Asana's content changed (a resync would force a write). */
  const changed = (gid: string, options: { touchUnchanged?: boolean } = {}) => {
    const resource = { gid, resource_type: 'task' as const };
    return stack.client.workflow.signalWithStart('syncAsanaResource', {
      workflowId: syncWorkflowId(resource),
      taskQueue: stack.queues.sync,
      args: [{ resource, ...SYNC_TIMINGS, ...options }],
      signal: asanaChangedSignal,
      signalArgs: [{ action: 'changed', source: 'webhook' }],
    });
  };
  const syncsOf = async (gid: string) =>
    (await stack.client.workflow.getHandle(syncWorkflowId({ gid, resource_type: 'task' })).query(syncStatusQuery))
      .syncs;

  test('an unchanged sync writes nothing, unless SYNC_TOUCH_UNCHANGED asks to move the last sync time', async () => {
    const quiet = newSalesTask('Quiet task');
    const touched = newSalesTask('Touched task');
    await changed(quiet);
    await changed(touched, { touchUnchanged: true });
    await waitFor(() => syncStateOf(quiet).status === 'synced' && syncStateOf(touched).status === 'synced', {
      what: 'first syncs',
    });
    const touchedAt = String(syncStateOf(touched).syncedAt);
    await changed(quiet);
    await changed(touched, { touchUnchanged: true });
    await waitFor(async () => (await syncsOf(quiet)) >= 2 && (await syncsOf(touched)) >= 2, { what: 'second syncs' });

    expect(stack.attio.writesTo(entryOf(quiet)!.entryId)).toHaveLength(1);
    const touchedWrites = stack.attio.writesTo(entryOf(touched)!.entryId);
    expect(touchedWrites).toHaveLength(2);
    expect(
      Object.keys((touchedWrites[1]!.requestBody as { data: { entry_values: object } }).data.entry_values),
    ).toEqual(['asana_sync_status', 'asana_last_synced_at', 'asana_last_sync_error']);
    expect(String(syncStateOf(touched).syncedAt)).not.toBe(touchedAt);
  });

  test('a write Attio rejects shows as failed with the error in words and one note; the fix clears it', async () => {
    const gid = newSalesTask('Book the workshop');
    await resync(gid);
    await waitFor(() => syncStateOf(gid).status === 'synced', { what: 'first sync' });

    // Someone archives an attribute the field map writes: Attio refuses every write to it (400 value_not_found).
    await attioApi.call('PATCH', `/v2/lists/${list}/attributes/name`, undefined, { data: { is_archived: true } });
    try {
      stack.asana.store.updateTask(gid, { name: 'Book the workshop (moved)' });
      await resync(gid);
      await waitFor(() => syncStateOf(gid).status === 'failed', { what: 'failed status' });
      const { error } = syncStateOf(gid);
      expect(error).toMatch(/Cannot find attribute with slug\/ID "name"/);
      expect(String(error)).not.toMatch(/\n|\bat .*\.ts:\d+|attio_stand_in_demo_token/);
      // The note follows the status, in its own request.
      await waitFor(() => noteTitles(gid).length > 0, { what: 'failure note' });
      expect(noteTitles(gid)).toEqual(['Sync from Asana failed']);

      // A second failing sync does not add a second note.
      await resync(gid);
      await waitFor(async () => (await syncsOf(gid)) >= 3, { what: 'second failing sync' });
      expect(noteTitles(gid)).toEqual(['Sync from Asana failed']);
    } finally {
      // The fix: provisioning unarchives the attribute.
      await provisionAttioNow(stack.client, stack.queues.sync);
    }
    await resync(gid);
    await waitFor(() => syncStateOf(gid).status === 'synced', { what: 'status cleared after the fix' });
    expect(syncStateOf(gid).error).toBeUndefined();
    expect(entryOf(gid)!.values.name).toEqual(['Book the workshop (moved)']);
    await waitFor(() => noteTitles(gid).length === 2, { what: 'recovery note' });
    expect(noteTitles(gid)).toEqual(['Sync from Asana failed', 'Sync from Asana works again']);
  });

  test('a task deleted in Asana is tombstoned, with its status and a note saying so', async () => {
    const gid = newSalesTask('Old lead');
    await resync(gid);
    await waitFor(() => syncStateOf(gid).status === 'synced', { what: 'first sync' });
    stack.asana.store.deleteTask(gid);
    await resync(gid);
    await waitFor(() => syncStateOf(gid).status === 'tombstoned', { what: 'tombstone' });
    expect(entryOf(gid)!.values.deleted_in_asana).toEqual([true]);
    await waitFor(() => noteTitles(gid).length > 0, { what: 'tombstone note' });
    expect(noteTitles(gid)).toEqual(['Deleted in Asana']);
  });

  test('People relinked by a change of the task’s notes leave a note naming who was added and removed', async () => {
    const gid = stack.asana.store.createTask({
      project: stack.scene.salesProjectGid,
      section: stack.scene.stageSectionGids.Lead!,
      name: 'Intro call',
      notes: 'With anna@example.com',
    }).gid;
    await resync(gid);
    await waitFor(() => (entryOf(gid)?.values.people ?? []).length === 1, { what: 'Anna linked' });
    expect(noteTitles(gid)).toEqual([]);
    const anna = stack.attio.findRecord('people', 'email_addresses', 'anna@example.com')!.recordId;

    stack.asana.store.updateTask(gid, { notes: 'With ben@example.com instead' });
    await resync(gid);
    await waitFor(() => noteTitles(gid).includes('People relinked from Asana'), { what: 'relink note' });
    const ben = stack.attio.findRecord('people', 'email_addresses', 'ben@example.com')!.recordId;
    const [note] = stack.attio.notesOn(recordOf(gid)!.recordId);
    expect(note!.markdown).toContain(`Added: \`${ben}\``);
    expect(note!.markdown).toContain(`Removed: \`${anna}\``);
  });
});

describe('the Attio app’s resync action, bundled as Attio runs it', () => {
  test('queues a resync of the Attio record; the record gets Asana’s state, its sync attributes and a note', async () => {
    const gid = newSalesTask('Call the client');
    await resync(gid);
    await waitFor(() => syncStateOf(gid).status === 'synced', { what: 'first sync' });
    const before = String(syncStateOf(gid).syncedAt);
    // Someone edits the entry in Attio; the resync puts Asana's value back.
    await attioApi.updateListEntry(list, entryOf(gid)!.entryId, { name: ['edited in Attio'] });

    const memberId = crypto.randomUUID();
    (globalThis as Record<symbol, unknown>)[FAKE_ATTIO] = {
      connectionSecret: TOKEN,
      settings: { serviceUrl: `http://127.0.0.1:${(resyncReceiver.server.address() as AddressInfo).port}` },
      currentUserId: memberId,
    };
    const recordId = recordOf(gid)!.recordId;
    const queued = await resyncRecords({ object: parentObject, recordIds: [recordId], source: 'attio-record-action' });
    expect(queued.records).toBe(1);
    expect(queued.workflowId).toMatch(/^resync-/);

    const result: unknown = await stack.client.workflow.getHandle(queued.workflowId).result();
    expect(result).toEqual({ signalled: 1 });
    await waitFor(() => entryOf(gid)!.values.name?.[0] === 'Call the client', { what: 'Asana’s name back' });
    await waitFor(() => String(syncStateOf(gid).syncedAt) !== before, { what: 'new sync time' });
    expect(syncStateOf(gid).status).toBe('synced');
    const [note] = stack.attio.notesOn(recordId);
    expect(note).toMatchObject({ title: 'Resync from Asana' });
    expect(note!.markdown).toContain(memberId);
    expect(note!.markdown).toContain('the record action in Attio');
  });

  test('a resync the CLI asks for by Asana gid leaves the same note, naming the CLI', async () => {
    const gid = newSalesTask('Renew the contract');
    await resync(gid);
    await waitFor(() => syncStateOf(gid).status === 'synced', { what: 'first sync' });
    expect(noteTitles(gid)).toEqual([]);
    await resyncNow(
      stack.client,
      { resources: [{ gid, resource_type: 'task' }], requestedBy: { source: 'cli' } },
      stack.queues.sync,
    );
    const [note] = stack.attio.notesOn(recordOf(gid)!.recordId);
    expect(note).toMatchObject({ title: 'Resync from Asana' });
    expect(note!.markdown).toContain('requested by an operator from the operator CLI');
  });

  test('records without an Asana gid are reported, not guessed', async () => {
    (globalThis as Record<symbol, unknown>)[FAKE_ATTIO] = {
      connectionSecret: TOKEN,
      settings: { serviceUrl: `http://127.0.0.1:${(resyncReceiver.server.address() as AddressInfo).port}` },
    };
    const unknown = crypto.randomUUID();
    const queued = await resyncRecords({
      object: parentObject,
      recordIds: [unknown],
      source: 'attio-bulk-record-action',
    });
    expect(await stack.client.workflow.getHandle(queued.workflowId).result()).toEqual({
      signalled: 0,
      unmatched: [unknown],
    });
  });
});
