/**
 * Reconciliation of one Asana project with Attio, so what webhooks missed (they are at most once) still arrives.
 *
 * - `incremental`: the project, its sections, and every task modified since `modifiedSince` (or since the previous
 *   scheduled run started) are sent through their sync workflows. Cheap: one Asana page per 100 changed tasks.
 * - `full`: every task of the project is fetched and mapped, and compared with what Attio holds (the fingerprint of
 *   each Sales Task entry). Missing, stale and orphaned (in Attio, gone from the project in Asana) tasks are sent
 *   through their sync workflows, which write, update or tombstone them.
 *
 * Each run ends with a report (its result, visible in the Temporal UI), and the scheduled runs (client/schedules.ts)
 * read the previous run's report to know where the last one started.
 */
import { log, workflowInfo } from '@temporalio/workflow';
import { asanaActivities, attioActivities, temporalActivities } from './activity-queues';
import { operatorAlerts } from './alerts';
import {
  type AsanaResourceRef,
  RECONCILE_DEFAULTS,
  type ReconcileProjectInput,
  type ReconcileReport,
  resourceKey,
} from './definitions';
import { reconcileProjectInput, validateWorkflowInput } from './inputs';
import { ASANA_RETRY, ATTIO_RETRY } from './retry-policies';

export async function reconcileProject(input: ReconcileProjectInput): Promise<ReconcileReport> {
  validateWorkflowInput('reconcileProject', reconcileProjectInput, input);
  const asana = asanaActivities({ startToCloseTimeout: '2m', retry: ASANA_RETRY, priority: { priorityKey: 4 } });
  const attio = attioActivities({ startToCloseTimeout: '5m', retry: ATTIO_RETRY, priority: { priorityKey: 4 } });
  const internal = temporalActivities({ startToCloseTimeout: '10m', heartbeatTimeout: '1m' });
  const startedAt = new Date().toISOString();
  const report: ReconcileReport = {
    projectGid: input.projectGid,
    mode: input.mode,
    startedAt,
    finishedAt: startedAt,
    tasksSeen: 0,
    missing: 0,
    stale: 0,
    orphaned: 0,
    signalled: 0,
  };
  const refs = new Map<string, AsanaResourceRef>();
  const add = (ref: AsanaResourceRef) => refs.set(resourceKey(ref), ref);
  add({ gid: input.projectGid, resource_type: 'project' });

  let offset: string | undefined;
  do {
    const page = await asana.listAsanaPage({ collection: 'sections', parentGid: input.projectGid, offset });
    page.gids.forEach((gid) => add({ gid, resource_type: 'section' }));
    offset = page.nextOffset;
  } while (offset);

  if (input.mode === 'incremental') {
    const previous = workflowInfo().lastResult as ReconcileReport | undefined;
    const since =
      input.modifiedSince ??
      previous?.startedAt ??
      new Date(Date.now() - (input.lookbackMs ?? RECONCILE_DEFAULTS.lookbackMs)).toISOString();
    report.since = since;
    do {
      const page = await asana.listAsanaPage({
        collection: 'tasks',
        parentGid: input.projectGid,
        modifiedSince: since,
        offset,
      });
      page.gids.forEach((gid) => add({ gid, resource_type: 'task' }));
      report.tasksSeen += page.gids.length;
      offset = page.nextOffset;
    } while (offset);
  } else {
    // Only the Sales Tasks source project has entries to compare; other projects get their project and sections.
    let inAttio: Map<string, { fingerprint?: string; tombstoned: boolean }> | undefined;
    const inAsana = new Set<string>();
    do {
      const page = await asana.fetchAsanaPageForAttio({ collection: 'tasks', projectGid: input.projectGid, offset });
      if (!page.salesTasksSource) break;
      inAttio ??= new Map((await attio.readAttioSalesTasks()).map((task) => [task.gid, task]));
      if (page.offsetExpired) {
        // Offsets expire; restart the listing. Sending a task twice through its sync costs nothing.
        offset = undefined;
        continue;
      }
      for (const mapped of page.mapped) {
        inAsana.add(mapped.gid);
        report.tasksSeen += 1;
        const held = inAttio.get(mapped.gid);
        if (mapped.state !== 'present') continue;
        if (!held) report.missing += 1;
        else if (held.fingerprint !== mapped.hash) report.stale += 1;
        else continue;
        add({ gid: mapped.gid, resource_type: 'task' });
      }
      offset = page.nextOffset;
    } while (offset);
    for (const [gid, held] of inAttio ?? []) {
      if (inAsana.has(gid) || held.tombstoned) continue;
      report.orphaned += 1;
      add({ gid, resource_type: 'task' });
    }
  }

  report.signalled = await internal.signalAsanaResources({
    refs: [...refs.values()],
    source: 'reconcile',
    taskQueue: workflowInfo().taskQueue,
  });
  report.finishedAt = new Date().toISOString();
  log.info('reconciliation finished', { ...report });
  const differences = report.missing + report.stale + report.orphaned;
  if (differences > 0) {
    // Webhooks should have carried these changes: each difference is one they missed (now being repaired).
    const alerts = operatorAlerts();
    alerts.send({
      title: `reconciliation of project ${input.projectGid} found ${differences} differences`,
      detail: `${report.missing} missing, ${report.stale} stale, ${report.orphaned} orphaned in Attio; all sent through their syncs. The report is this workflow's result.`,
    });
    await alerts.delivered();
  }
  return report;
}
