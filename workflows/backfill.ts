/**
 * Backfill: copies a scope of Asana (a workspace's projects, or a list of projects) into Attio through the same
 * mapping and idempotent writes as live sync. Each project: its record, its sections (stages), then its tasks, 100 per
 * Asana call, with `limit`/`offset` until `next_page` is null.
 *
 * Resumable: the cursor (project, collection, offset) is workflow state, so a worker killed mid-backfill resumes at
 * the page it was on, and the run continues as new every few pages so history stays bounded for any size. An offset
 * Asana no longer accepts restarts that collection; the writes are idempotent, so nothing is doubled.
 *
 * Paced by the task-queue rate limits like everything else, at a lower priority than live sync, so live changes keep
 * flowing during a backfill.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { failureMessage } from '../common/failure-message';
import type { MappedResource } from '../mapping/map-asana-to-attio';
import { BackfillPages, BackfillRecords } from '../common/search-attributes';
import { asanaActivities, attioActivities } from './activity-queues';
import {
  type BackfillCursor,
  type BackfillInput,
  type BackfillProgress,
  backfillProgressQuery,
  resourceKey,
} from './definitions';
import { backfillInput, validateWorkflowInput } from './inputs';
import { ASANA_RETRY, ATTIO_RETRY } from './retry-policies';

/** Lower than live sync's priority, so a backfill never starves live changes on the shared, rate-limited queues. */
const BULK_PRIORITY = { priorityKey: 4 };

/** Pages per run before continuing as new (keeps history far under Temporal's limits). */
const PAGES_PER_RUN = 25;

/** Writes in flight at once, in batches, for runs from before SLIDING_WRITES_PATCH. */
const WRITE_CONCURRENCY = 10;

/**
 * Runs from before the writes went in a sliding window replay with lockstep batches of WRITE_CONCURRENCY, each
 * waiting for its slowest write. Above Attio's limit the window did not raise the rate (the 429s bound it, decision
 * 0016); it keeps one slow write from holding the rest of its batch.
 */
export const SLIDING_WRITES_PATCH = 'backfill-sliding-writes';

/** Writes in flight at once in the sliding window: each starts as soon as one ends; the rate limit paces them. */
const WRITE_LANES = 20;

export async function backfill(input: BackfillInput): Promise<BackfillProgress> {
  validateWorkflowInput('backfill', backfillInput, input);
  // Short timeouts: an attempt lost with a worker is retried after this long, so a killed worker costs seconds.
  const asana = asanaActivities({ startToCloseTimeout: '1m', retry: ASANA_RETRY, priority: BULK_PRIORITY });
  const attio = attioActivities({ startToCloseTimeout: '30s', retry: ATTIO_RETRY, priority: BULK_PRIORITY });
  const progress: BackfillProgress = input.progress ?? {
    startedAt: new Date().toISOString(),
    pages: 0,
    records: 0,
    writes: 0,
    errors: 0,
    recordsPerSecond: 0,
    done: false,
  };
  const cursor: BackfillCursor = input.cursor ?? { projectIndex: 0, step: 'project' };
  setHandler(backfillProgressQuery, () => ({ ...progress, cursor: { ...cursor } }));

  // The projects of the scope, listed once and carried across runs.
  let projects = input.projectGids;
  if (!projects) {
    projects = [];
    let offset: string | undefined;
    do {
      const page = input.teamGid
        ? await asana.listAsanaPage({ collection: 'team-projects', parentGid: input.teamGid, offset })
        : await asana.listAsanaPage({ collection: 'projects', parentGid: input.workspaceGid!, offset });
      projects.push(...page.gids);
      offset = page.nextOffset;
    } while (offset);
  }
  progress.projects = projects.length;

  let pagesThisRun = 0;
  while (cursor.projectIndex < projects.length) {
    const projectGid = projects[cursor.projectIndex]!;
    if (cursor.step === 'project') {
      await write([await asana.fetchAsanaResourceForAttio({ gid: projectGid, resource_type: 'project' })]);
      Object.assign(cursor, { step: 'sections', offset: undefined });
    }
    const collection = cursor.step === 'sections' ? 'sections' : 'tasks';
    const page = await asana.fetchAsanaPageForAttio({ collection, projectGid, offset: cursor.offset });
    if (page.offsetExpired) {
      log.warn('offset expired; restarting the collection', { projectGid, collection });
      cursor.offset = undefined;
      continue;
    }
    await write(page.mapped);
    progress.pages += 1;
    pagesThisRun += 1;
    cursor.offset = page.nextOffset;
    if (!cursor.offset) {
      if (cursor.step === 'sections') cursor.step = 'tasks';
      else Object.assign(cursor, { projectIndex: cursor.projectIndex + 1, step: 'project' });
    }
    const seconds = (Date.now() - Date.parse(progress.startedAt)) / 1000;
    progress.recordsPerSecond = seconds > 0 ? Math.round((progress.records / seconds) * 10) / 10 : 0;
    upsertSearchAttributes([
      { key: BackfillPages, value: progress.pages },
      { key: BackfillRecords, value: progress.records },
    ]);
    if (pagesThisRun >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof backfill>({ ...input, projectGids: projects, cursor, progress });
    }
  }
  progress.done = true;
  progress.finishedAt = new Date().toISOString();
  log.info('backfill finished', { ...progress });
  return progress;

  /** Writes a page's resources, several at once; a resource Attio refuses is counted and reported, not retried. */
  async function write(mapped: MappedResource[]): Promise<void> {
    if (patched(SLIDING_WRITES_PATCH)) {
      // WRITE_LANES lanes take the next resource as soon as their last write ends (the workflow is single-threaded,
      // and completions replay in history order, so which lane takes which resource is deterministic).
      let next = 0;
      const lane = async () => {
        while (next < mapped.length) await writeOne(mapped[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(WRITE_LANES, mapped.length) }, lane));
      return;
    }
    for (let i = 0; i < mapped.length; i += WRITE_CONCURRENCY) {
      await Promise.all(mapped.slice(i, i + WRITE_CONCURRENCY).map(writeOne));
    }
  }

  async function writeOne(resource: MappedResource): Promise<void> {
    try {
      const receipt = await attio.writeAsanaResourceToAttio({ mapped: resource });
      progress.writes += receipt.writes;
    } catch (error) {
      progress.errors += 1;
      progress.lastError = `${resource.kind} ${resource.gid}: ${failureMessage(error)}`;
      log.error('backfill write failed', {
        resource: resourceKey({ resource_type: resource.kind, gid: resource.gid }),
        error: progress.lastError,
      });
    }
    progress.records += 1;
  }
}
