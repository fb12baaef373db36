/**
 * Resync on demand: one resource, a list of them, every task of a project or a section, or "everything stale" (a full
 * reconciliation of the given projects). Each resource goes through its sync workflow with `source: 'resync'`, which
 * writes Attio even if the content looks unchanged, so a record someone edited in Attio is put back.
 *
 * Reachable from the CLI (`npm run cli -- resync …`), from `temporal workflow start --type resync --input '…'`, and
 * from the receiver's authenticated POST /resync (an Attio record action calls it).
 */
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { asanaActivities, attioActivities, temporalActivities } from './activity-queues';
import type { AsanaResourceRef, ResyncInput, ResyncResult } from './definitions';
import { reconcileProject } from './reconcile-project';
import { ASANA_RETRY, ATTIO_RETRY } from './retry-policies';

export async function resync(input: ResyncInput): Promise<ResyncResult> {
  const asana = asanaActivities({ startToCloseTimeout: '2m', retry: ASANA_RETRY });
  const internal = temporalActivities({ startToCloseTimeout: '10m', heartbeatTimeout: '1m' });

  if ('stale' in input) {
    let signalled = 0;
    for (const projectGid of input.projectGids) {
      const report = await executeChild(reconcileProject, {
        workflowId: `${workflowInfo().workflowId}-reconcile-${projectGid}`,
        args: [{ projectGid, mode: 'full' }],
      });
      signalled += report.signalled;
    }
    return { signalled };
  }

  if ('attio' in input) return resyncAttioRecords(input);

  let refs: AsanaResourceRef[];
  if ('resources' in input) {
    refs = input.resources;
  } else {
    const [parent, collection, type] =
      'projectGid' in input
        ? ([input.projectGid, 'tasks', 'project'] as const)
        : ([input.sectionGid, 'section-tasks', 'section'] as const);
    refs = [{ gid: parent, resource_type: type }];
    let offset: string | undefined;
    do {
      const page = await asana.listAsanaPage({ collection, parentGid: parent, offset });
      refs.push(...page.gids.map((gid) => ({ gid, resource_type: 'task' as const })));
      offset = page.nextOffset;
    } while (offset);
  }
  const signalled = await internal.signalAsanaResources({
    refs,
    source: 'resync',
    taskQueue: workflowInfo().taskQueue,
  });
  // Resources named one by one get a note saying who asked; a whole project's or section's tasks do not.
  if ('resources' in input && input.requestedBy) {
    await attioActivities({ startToCloseTimeout: '10m', retry: ATTIO_RETRY }).noteManualResyncOfResources({
      resources: input.resources,
      requestedBy: input.requestedBy,
      workflowId: workflowInfo().workflowId,
    });
  }
  return { signalled };
}

/**
 * Records chosen in Attio (the Attio app's record and bulk record actions): each is mapped to its Asana resource
 * through its `asana_gid`, resynced like any other, and gets a note saying who asked and from where.
 */
async function resyncAttioRecords(input: Extract<ResyncInput, { attio: unknown }>): Promise<ResyncResult> {
  const attio = attioActivities({ startToCloseTimeout: '1m', retry: ATTIO_RETRY });
  const internal = temporalActivities({ startToCloseTimeout: '10m', heartbeatTimeout: '1m' });
  const { refs, unmatched } = await attio.asanaRefsOfAttioRecords(input.attio);
  const signalled = await internal.signalAsanaResources({
    refs: refs.map(({ gid, resource_type }) => ({ gid, resource_type })),
    source: 'resync',
    taskQueue: workflowInfo().taskQueue,
  });
  await attio.noteManualResync({
    object: input.attio.object,
    recordIds: refs.map((ref) => ref.recordId),
    requestedBy: input.requestedBy,
    workflowId: workflowInfo().workflowId,
  });
  return { signalled, ...(unmatched.length ? { unmatched } : {}) };
}
