/**
 * One workflow per Asana resource (`asana-sync-<type>-<gid>`), started or signalled by the receiver with
 * signalWithStart. It accumulates change signals, debounces them, then syncs: fetch the current resource from Asana
 * and map it (asana queue), write Attio only if the mapped content changed (attio queue).
 *
 * Debounce without a timer per signal (docs/performance.md §5: every timer is a billed action): a timer is
 * armed for the end of the quiet period and, when it fires, re-armed only if more changes arrived meanwhile; the
 * maximum delay caps the wait during a steady stream of changes. A change that arrives during a sync causes another
 * sync. After `idleTimeoutMs` without changes the workflow completes, so open workflows stay bounded; a later change
 * starts a new run through signalWithStart. Long-lived runs continue as new with their unsynced count and last hash.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { failureMessage } from '../common/failure-message';
import { SyncState } from '../common/search-attributes';
import { asanaActivities, attioActivities, temporalActivities } from './activity-queues';
import {
  asanaChangedSignal,
  resourceKey,
  SYNC_DEFAULTS,
  type SyncAsanaResourceInput,
  type SyncAsanaResourceResult,
  type SyncStatus,
  syncStatusQuery,
} from './definitions';
import { ASANA_RETRY, ATTIO_RETRY } from './retry-policies';

/** Continue as new after this many syncs in one run even if the server does not suggest it (bounded history). */
const MAX_SYNCS_PER_RUN = 200;

export async function syncAsanaResource(input: SyncAsanaResourceInput): Promise<SyncAsanaResourceResult> {
  const quietPeriodMs = input.quietPeriodMs ?? SYNC_DEFAULTS.quietPeriodMs;
  const maxDelayMs = input.maxDelayMs ?? SYNC_DEFAULTS.maxDelayMs;
  const idleTimeoutMs = input.idleTimeoutMs ?? SYNC_DEFAULTS.idleTimeoutMs;
  const { resource } = input;
  // Live changes outrank backfill and reconciliation on the shared, rate-limited queues.
  const asana = asanaActivities({ startToCloseTimeout: '30s', retry: ASANA_RETRY, priority: { priorityKey: 2 } });
  const attio = attioActivities({ startToCloseTimeout: '60s', retry: ATTIO_RETRY, priority: { priorityKey: 2 } });
  // Telling people in Attio about a failure is worth a few tries, never a stuck workflow.
  const history = attioActivities({
    startToCloseTimeout: '30s',
    retry: { ...ATTIO_RETRY, maximumAttempts: 5 },
    priority: { priorityKey: 2 },
  });

  // Changes counted since this run started (plus those carried over), and how many of them a sync has covered.
  let changesReceived = input.pendingChanges ?? 0;
  let changesSynced = 0;
  let lastChangeAt = Date.now();
  let firstPendingAt: number | undefined = changesReceived > 0 ? Date.now() : undefined;
  let lastReceipt = input.lastReceipt;
  let failing = false;
  let failureShown: string | undefined;
  const status: SyncStatus = {
    resource,
    state: 'waiting',
    changesReceived,
    syncs: input.syncsBefore ?? 0,
    attioWrites: 0,
    skippedWrites: 0,
  };

  const temporal = temporalActivities({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });
  let watchRequested = false;

  let forceWrite = false;
  setHandler(asanaChangedSignal, (change) => {
    // An operator's resync writes even unchanged content, to put back what someone edited in Attio.
    if (change.source === 'resync') forceWrite = true;
    changesReceived += 1;
    status.changesReceived += 1;
    lastChangeAt = Date.now();
    firstPendingAt ??= lastChangeAt;
  });
  setHandler(syncStatusQuery, () => ({ ...status }));

  let syncsThisRun = 0;
  for (;;) {
    if (changesReceived === changesSynced) {
      status.state = 'waiting';
      // With no idle period the run ends at once, saving the idle timer (a billed action) per isolated change.
      if (idleTimeoutMs <= 0 || !(await condition(() => changesReceived > changesSynced, idleTimeoutMs))) break;
    }

    status.state = 'debouncing';
    for (;;) {
      const wakeAt = Math.min(lastChangeAt + quietPeriodMs, (firstPendingAt ?? lastChangeAt) + maxDelayMs);
      const now = Date.now();
      if (now >= wakeAt) break;
      await sleep(wakeAt - now);
    }

    const changesCovered = changesReceived;
    firstPendingAt = undefined;
    status.state = 'syncing';
    await syncOnce();
    changesSynced = changesCovered;
    syncsThisRun += 1;

    if (workflowInfo().continueAsNewSuggested || syncsThisRun >= MAX_SYNCS_PER_RUN) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof syncAsanaResource>({
        ...input,
        pendingChanges: changesReceived - changesSynced,
        lastReceipt,
        syncsBefore: status.syncs,
      });
    }
  }

  status.state = 'idle';
  await condition(allHandlersFinished);
  return { syncs: status.syncs, attioWrites: status.attioWrites, skippedWrites: status.skippedWrites };

  async function syncOnce(): Promise<void> {
    try {
      // While failing, Attio shows `failed`: the next sync writes even unchanged content, which clears it.
      const force = forceWrite || (failing && showsHistory());
      forceWrite = false;
      const mapped = await asana.fetchAsanaResourceForAttio(resource);
      if (!force && mapped.hash === lastReceipt?.hash) {
        status.skippedWrites += 1;
        status.lastOutcome = 'unchanged: no Attio write';
        if (input.touchUnchanged && lastReceipt) {
          await attio.touchAttioSyncedAt({ resource, receipt: lastReceipt });
          status.lastOutcome = 'unchanged: only the last sync time written';
        }
      } else {
        lastReceipt = await attio.writeAsanaResourceToAttio({
          mapped,
          previous: force ? undefined : lastReceipt,
          force,
          linkedPeople: lastReceipt?.people,
        });
        status.attioWrites += lastReceipt.writes;
        if (lastReceipt.writes === 0) status.skippedWrites += 1;
        status.lastOutcome = lastReceipt.summary;
      }
      await watchForTasksIfScoped(mapped);
      status.lastSyncedAt = new Date().toISOString();
      if (failing) {
        failing = false;
        upsertSearchAttributes([{ key: SyncState, value: 'ok' }]);
        if (showsHistory()) await tellAttio(() => history.noteSyncRecovered({ resource }));
        failureShown = undefined;
      }
    } catch (error) {
      // A non-retryable failure (bad field map, revoked token, Attio validation) is reported, and the workflow keeps
      // taking changes: the next change or a resync tries again once an operator fixed the cause.
      status.lastOutcome = `failed: ${failureMessage(error)}`;
      log.error('sync failed', { resource: resourceKey(resource), error: status.lastOutcome });
      const firstFailure = !failing;
      if (!failing) {
        failing = true;
        upsertSearchAttributes([{ key: SyncState, value: 'failed' }]);
      }
      // The record shows `failed` with the error in words; a note says so once per failing spell.
      if (showsHistory() && failureShown !== status.lastOutcome) {
        const inWords = failureMessage(error, { withType: false });
        await tellAttio(() => history.recordSyncFailure({ resource, error: inWords, firstFailure }));
        failureShown = status.lastOutcome;
      }
    } finally {
      status.syncs += 1;
    }
  }

  /**
   * A project reported by a watched team or workspace gets its own webhook, once per run (idempotent anyway): the
   * higher-level webhook carries no task events (docs/asana.md §1.3).
   */
  async function watchForTasksIfScoped(mapped: Awaited<ReturnType<typeof asana.fetchAsanaResourceForAttio>>) {
    if (watchRequested || mapped.kind !== 'project' || mapped.state !== 'present' || !mapped.watchForTasks) return;
    if (!patched('watch-projects-of-watched-teams')) return;
    await temporal.watchProjectForTasks({
      projectGid: mapped.gid,
      workspaceGid: mapped.watchForTasks.workspaceGid,
      taskQueue: workflowInfo().taskQueue,
    });
    watchRequested = true;
  }

  /** Runs written before sync history existed replay without its activities. */
  function showsHistory(): boolean {
    return patched('sync-history-in-attio');
  }

  /** Sync history is for people; if Attio will not take it now, the SyncState search attribute still tells operators. */
  async function tellAttio(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      log.warn('could not write sync history to Attio', {
        resource: resourceKey(resource),
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
