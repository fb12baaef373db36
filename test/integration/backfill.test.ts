/**
 * The backfill workflow's paging, checkpointing and recovery on the real dev server, with a fake paged Asana and a
 * recording Attio, so every page and write can be counted (the 5,000-task run against the stand-ins is in
 * durable-paths tests and the benchmark).
 */
import type { MappedResource } from '../../mapping/map-asana-to-attio';
import { type AttioWriteReceipt, backfillProgressQuery } from '../../workflows/definitions';
import { backfill } from '../../workflows';
import { startFakeWorkers, startWorkflow, testConfig, useTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

const config = testConfig();
const temporal = useTemporal(config);

/**
 * `projects` projects of `tasksPerProject` tasks, served `pageSize` (10) per page; offsets are task numbers. A write
 * of the task gid `options.hold.gid` waits until the test releases it.
 */
function fakeAsana(
  projects: number,
  tasksPerProject: number,
  options: { expireOffsetOnce?: boolean; pageSize?: number; hold?: { gid: string; released: Promise<void> } } = {},
) {
  const pageSize = options.pageSize ?? 10;
  const written = new Map<string, number>();
  const pageCalls: string[] = [];
  const listings: string[] = [];
  let expired = false;
  const task = (p: number, t: number): MappedResource => ({
    kind: 'task',
    gid: `${p}${String(t).padStart(5, '0')}`,
    hash: 'h',
    state: 'removed',
  });
  const activities = {
    async listAsanaPage(input: { collection: string; parentGid: string; offset?: string }) {
      listings.push(`${input.collection}:${input.parentGid}`);
      const all = Array.from({ length: projects }, (_, p) => `${p + 1}`);
      const start = Number(input.offset ?? 0);
      return {
        gids: all.slice(start, start + 10),
        ...(start + 10 < all.length ? { nextOffset: String(start + 10) } : {}),
      };
    },
    async fetchAsanaResourceForAttio(ref: { gid: string }): Promise<MappedResource> {
      return { kind: 'project', gid: ref.gid, hash: 'p', state: 'deleted' };
    },
    async fetchAsanaPageForAttio(input: { collection: string; projectGid: string; offset?: string }) {
      pageCalls.push(`${input.projectGid}/${input.collection}/${input.offset ?? 0}`);
      if (input.collection === 'sections') return { mapped: [], salesTasksSource: false };
      if (options.expireOffsetOnce && !expired && input.offset === '20') {
        expired = true;
        return { mapped: [], offsetExpired: true, salesTasksSource: false };
      }
      const start = Number(input.offset ?? 0);
      const p = Number(input.projectGid);
      const mapped = Array.from({ length: Math.min(pageSize, tasksPerProject - start) }, (_, i) => task(p, start + i));
      return {
        mapped,
        salesTasksSource: false,
        ...(start + pageSize < tasksPerProject ? { nextOffset: String(start + pageSize) } : {}),
      };
    },
    async writeAsanaResourceToAttio(input: { mapped: MappedResource }): Promise<AttioWriteReceipt> {
      if (input.mapped.gid === options.hold?.gid) await options.hold.released;
      written.set(input.mapped.gid, (written.get(input.mapped.gid) ?? 0) + 1);
      return { hash: input.mapped.hash, writes: 1, summary: 'written' };
    },
  };
  return { activities, written, pageCalls, listings };
}

test('pages every project of a workspace to the end, continuing as new, and writes each resource once', async () => {
  const fake = fakeAsana(12, 35);
  const workers = await startFakeWorkers(temporal.connection, fake.activities);
  const { queues } = workers;
  try {
    const handle = await startWorkflow(temporal.client, backfill, {
      taskQueue: queues.sync,
      args: [{ workspaceGid: '1' }],
    });
    const progress = await handle.result();
    // 12 projects × (1 sections page + 4 task pages) = 60 pages: more than one run's worth.
    expect(progress).toMatchObject({ done: true, projects: 12, pages: 60, records: 12 + 12 * 35, errors: 0 });
    expect(fake.written.size).toBe(12 + 12 * 35);
    expect([...fake.written.values()].every((n) => n === 1)).toBe(true);
    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
  } finally {
    await workers.stop();
  }
});

test('a slow write holds only its own lane: the rest of the page is written meanwhile', async () => {
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  // One page of 40 tasks; the first task's write (Attio's 429 and its Retry-After, say) takes until released.
  const fake = fakeAsana(1, 40, { pageSize: 40, hold: { gid: '700000', released } });
  const workers = await startFakeWorkers(temporal.connection, fake.activities);
  try {
    const handle = await startWorkflow(temporal.client, backfill, {
      taskQueue: workers.queues.sync,
      args: [{ projectGids: ['7'] }],
    });
    // Lockstep batches of 10 would stop at 9 written, waiting for the held one.
    await waitFor(() => fake.written.size >= 1 + 39, { what: 'every other write of the page' });
    release();
    expect(await handle.result()).toMatchObject({ done: true, records: 1 + 40, errors: 0 });
    expect(fake.written.get('700000')).toBe(1);
  } finally {
    release();
    await workers.stop();
  }
});

test('an expired offset restarts that collection and still writes everything', async () => {
  const fake = fakeAsana(1, 40, { expireOffsetOnce: true });
  const workers = await startFakeWorkers(temporal.connection, fake.activities);
  const { queues } = workers;
  try {
    const handle = await startWorkflow(temporal.client, backfill, {
      taskQueue: queues.sync,
      args: [{ projectGids: ['7'] }],
    });
    const progress = await handle.result();
    expect(progress.done).toBe(true);
    expect(fake.written.size).toBe(1 + 40);
    expect(fake.pageCalls.filter((c) => c === '7/tasks/0')).toHaveLength(2);
  } finally {
    await workers.stop();
  }
});

test('a worker killed mid-backfill is replaced and the backfill resumes without redoing finished pages', async () => {
  const fake = fakeAsana(3, 50);
  let workers = await startFakeWorkers(temporal.connection, fake.activities);
  const { queues } = workers;
  const handle = await startWorkflow(temporal.client, backfill, {
    taskQueue: queues.sync,
    args: [{ projectGids: ['1', '2', '3'] }],
  });
  await waitFor(async () => (await handle.query(backfillProgressQuery)).pages >= 4);
  await workers.stop();
  const pagesBefore = fake.pageCalls.length;
  // The replacement polls the same queues, as a restarted worker process would.
  workers = await startFakeWorkers(temporal.connection, fake.activities, { queues });
  try {
    const progress = await handle.result();
    expect(progress.done).toBe(true);
    expect(fake.written.size).toBe(3 + 150);
    // Every page fetched once: the checkpoint held across the worker restart.
    expect(new Set(fake.pageCalls).size).toBe(fake.pageCalls.length);
    expect(fake.pageCalls.length).toBeGreaterThan(pagesBefore);
  } finally {
    await workers.stop();
  }
});

test('a team scope lists the team’s projects', async () => {
  const fake = fakeAsana(3, 5);
  const workers = await startFakeWorkers(temporal.connection, fake.activities);
  const { queues } = workers;
  try {
    const handle = await startWorkflow(temporal.client, backfill, {
      taskQueue: queues.sync,
      args: [{ teamGid: '77' }],
    });
    expect(await handle.result()).toMatchObject({ done: true, projects: 3 });
    expect(fake.listings).toEqual(['team-projects:77']);
  } finally {
    await workers.stop();
  }
});
