/**
 * Sync history people can see in Attio, without the service's logs: the sync attributes on every record (on a task's
 * Sales Task entry, which each task sync writes), and notes for the events worth a person's attention.
 *
 * - `asana_sync_status` (select: synced, failed, tombstoned), `asana_last_synced_at` (timestamp) and
 *   `asana_last_sync_error` (text, in words) travel in the same request as the content (activities/attio.ts spreads
 *   `syncStateValues` into it), so an ordinary sync costs no extra write, and a sync that finds nothing changed
 *   writes nothing at all.
 * - A failure is a separate write, since the content write failed: the status becomes `failed` with the error, and
 *   a note says so once; the next successful write clears both (status `synced`, error empty) and a note says the
 *   sync works again. A manual resync, a tombstone and a relink of People leave a note too. No note per sync.
 */
import type { AttioClient, AttioValues } from '../attio/client';
import type { FieldMap } from '../mapping/field-map';
import type { AsanaResourceRef, ResyncRequester } from '../workflows/definitions';

export const SYNC_ATTRIBUTES = {
  status: 'asana_sync_status',
  syncedAt: 'asana_last_synced_at',
  error: 'asana_last_sync_error',
} as const;

export const SYNC_STATUSES = ['synced', 'failed', 'tombstoned'] as const;
export type SyncOutcome = (typeof SYNC_STATUSES)[number];

/** The sync attributes of one write: the outcome, now, and the error in words (emptied when there is none). */
export const syncStateValues = (outcome: SyncOutcome, at: string, error?: string): AttioValues => ({
  [SYNC_ATTRIBUTES.status]: [outcome],
  [SYNC_ATTRIBUTES.syncedAt]: [at],
  [SYNC_ATTRIBUTES.error]: error ? [error] : [],
});

/** The longest error kept on a record: a sentence or two, not a dump. */
const MAX_ERROR_LENGTH = 400;

/**
 * An error as a person reads it on a record: its first line (no stack trace), with anything shaped like a token or
 * a bearer credential replaced, and cut to a sentence's length.
 */
export function errorInWords(message: string): string {
  const firstLine = message.split('\n')[0]!.trim();
  const redacted = firstLine
    .replace(/\b(bearer)\s+\S+/gi, '$1 [redacted]')
    .replace(/\b(token|secret|key|password)(\s*[:=]\s*)\S+/gi, '$1$2[redacted]')
    // A long run of letters and digits is a key, not a word (uuids, split by hyphens, stay readable).
    .replace(/\b(?=\w*\d)(?=\w*[A-Za-z])\w{32,}\b/g, '[redacted]');
  return redacted.length > MAX_ERROR_LENGTH
    ? `${redacted.slice(0, MAX_ERROR_LENGTH - 1)}…`
    : redacted || 'unknown error';
}

const SOURCE_IN_WORDS: Record<ResyncRequester['source'], string> = {
  'attio-record-action': 'the record action in Attio',
  'attio-bulk-record-action': 'the bulk record action in Attio',
  cli: 'the operator CLI',
  api: 'the resync API',
};

/** The note of a manual resync: who asked (an Attio member id, never a name), from where, and its workflow. */
function resyncNote(requestedBy: ResyncRequester | undefined, workflowId: string): string {
  const who = requestedBy?.workspaceMemberId ? `workspace member \`${requestedBy.workspaceMemberId}\`` : 'an operator';
  const where = requestedBy ? SOURCE_IN_WORDS[requestedBy.source] : 'the resync API';
  return (
    `**Resync from Asana** requested by ${who} from ${where} at ${new Date().toISOString()}.\n\n` +
    `Asana's current state is written to this record even if it looks unchanged (Temporal workflow ` +
    `\`${workflowId}\`).`
  );
}

export interface SyncHistoryDependencies {
  attio: AttioClient;
  fieldMap: FieldMap;
}

export function createSyncHistoryActivities(deps: SyncHistoryDependencies) {
  const { attio, fieldMap } = deps;

  /** The object whose records stand for a resource type, and the note parent of each resource. */
  const objectOf: Record<AsanaResourceRef['resource_type'], string> = {
    project: fieldMap.projects.object,
    section: fieldMap.sections.object,
    task: fieldMap.salesTasks.parentObject,
  };
  const typeOfObject = new Map(Object.entries(objectOf).map(([type, object]) => [object, type]));

  const recordOf = async (ref: AsanaResourceRef) =>
    (await attio.queryRecords(objectOf[ref.resource_type], { filter: { asana_gid: ref.gid }, limit: 1 }))[0];

  const note = (object: string, recordId: string, title: string, markdown: string) =>
    attio.createNote({ parentObject: object, parentRecordId: recordId, title, markdown });

  return {
    /**
     * The Asana resources behind Attio records, through each record's `asana_gid`. Records without one, or gone, are
     * returned as unmatched rather than failing the rest.
     */
    async asanaRefsOfAttioRecords(input: {
      object: string;
      recordIds: string[];
    }): Promise<{ refs: (AsanaResourceRef & { recordId: string })[]; unmatched: string[] }> {
      const resourceType = typeOfObject.get(input.object) as AsanaResourceRef['resource_type'] | undefined;
      if (!resourceType) return { refs: [], unmatched: input.recordIds };
      const records = await attio.queryAllRecords(input.object, {
        filter: { record_id: { $in: input.recordIds } },
      });
      const gidOf = new Map(
        records.map((r) => [r.id.record_id, r.values.asana_gid?.[0] as { value?: unknown } | undefined]),
      );
      const refs: (AsanaResourceRef & { recordId: string })[] = [];
      const unmatched: string[] = [];
      for (const recordId of input.recordIds) {
        const gid = gidOf.get(recordId)?.value;
        if (typeof gid === 'string' && gid) refs.push({ gid, resource_type: resourceType, recordId });
        else unmatched.push(recordId);
      }
      return { refs, unmatched };
    },

    /** A note on each record that someone asked for a resync: who (their Attio member id) and from where. */
    async noteManualResync(input: {
      object: string;
      recordIds: string[];
      requestedBy?: ResyncRequester;
      workflowId: string;
    }): Promise<number> {
      const markdown = resyncNote(input.requestedBy, input.workflowId);
      for (const recordId of input.recordIds) await note(input.object, recordId, 'Resync from Asana', markdown);
      return input.recordIds.length;
    },

    /** The same note on the records of resources named by Asana gid (the CLI, the API); gids not in Attio are skipped. */
    async noteManualResyncOfResources(input: {
      resources: AsanaResourceRef[];
      requestedBy?: ResyncRequester;
      workflowId: string;
    }): Promise<number> {
      const markdown = resyncNote(input.requestedBy, input.workflowId);
      let noted = 0;
      for (const resource of input.resources) {
        const record = await recordOf(resource);
        if (!record) continue;
        await note(objectOf[resource.resource_type], record.id.record_id, 'Resync from Asana', markdown);
        noted += 1;
      }
      return noted;
    },

    /**
     * Marks a resource's record as failed with the error in words (a separate write: the content write failed), and
     * notes it once per failing spell (`firstFailure`). A task's state lives on its Sales Task entry; a task that has
     * none yet gets the note on its record only. Returns what it wrote, for the workflow's status.
     */
    async recordSyncFailure(input: {
      resource: AsanaResourceRef;
      error: string;
      firstFailure: boolean;
    }): Promise<{ marked: boolean; noted: boolean }> {
      const error = errorInWords(input.error);
      const values = syncStateValues('failed', new Date().toISOString(), error);
      const object = objectOf[input.resource.resource_type];
      let recordId: string | undefined;
      let marked = false;
      if (input.resource.resource_type === 'task') {
        const record = await recordOf(input.resource);
        recordId = record?.id.record_id;
        const list = fieldMap.salesTasks.list;
        const entryId =
          recordId && (await attio.listRecordEntries(object, recordId)).find((m) => m.list_api_slug === list)?.entry_id;
        if (entryId) {
          await attio.updateListEntry(list, entryId, values);
          marked = true;
        }
      } else {
        recordId = (await attio.assertRecord(object, 'asana_gid', { asana_gid: [input.resource.gid], ...values })).id
          .record_id;
        marked = true;
      }
      if (!input.firstFailure || !recordId) return { marked, noted: false };
      await note(
        object,
        recordId,
        'Sync from Asana failed',
        `**Sync from Asana failed** at ${new Date().toISOString()}: ${error}\n\n` +
          'Nothing in Asana is lost: the sync is tried again at the next change in Asana or a resync, once the ' +
          'cause is fixed. Operators find the details in the Temporal workflow ' +
          `\`asana-sync-${input.resource.resource_type}-${input.resource.gid}\`.`,
      );
      return { marked, noted: true };
    },

    /**
     * Moves the last sync time of an unchanged resource (SYNC_TOUCH_UNCHANGED): one write to what the last write
     * wrote, the task's entry or the project or section record.
     */
    async touchAttioSyncedAt(input: {
      resource: AsanaResourceRef;
      receipt: { recordId?: string; entryId?: string };
    }): Promise<boolean> {
      const values = syncStateValues('synced', new Date().toISOString());
      const { resource, receipt } = input;
      if (resource.resource_type === 'task') {
        if (!receipt.entryId) return false;
        await attio.updateListEntry(fieldMap.salesTasks.list, receipt.entryId, values);
      } else {
        await attio.assertRecord(objectOf[resource.resource_type], 'asana_gid', {
          asana_gid: [resource.gid],
          ...values,
        });
      }
      return true;
    },

    /** A note that a resource that was failing syncs again (its status was cleared in the same write as the content). */
    async noteSyncRecovered(input: { resource: AsanaResourceRef }): Promise<boolean> {
      const record = await recordOf(input.resource);
      if (!record) return false;
      await note(
        objectOf[input.resource.resource_type],
        record.id.record_id,
        'Sync from Asana works again',
        `**Sync from Asana works again** since ${new Date().toISOString()}: Asana's current state is in Attio.`,
      );
      return true;
    },

    /** A note that the resource was deleted in Asana (the record is tombstoned, never deleted). */
    async noteTombstone(input: { object: string; recordId: string; what: string }): Promise<void> {
      await note(
        input.object,
        input.recordId,
        'Deleted in Asana',
        `**Deleted in Asana**: this ${input.what} was deleted or removed in Asana, so it is marked ` +
          '`deleted_in_asana` here. Nothing was deleted in Attio.',
      );
    },

    /** A note that the People linked to a Sales Task changed, with who was added and removed (record ids). */
    async notePeopleRelinked(input: { recordId: string; added: string[]; removed: string[] }): Promise<void> {
      const list = (ids: string[]) => (ids.length ? ids.map((id) => `\`${id}\``).join(', ') : 'none');
      await note(
        fieldMap.salesTasks.parentObject,
        input.recordId,
        'People relinked from Asana',
        `**People relinked** from the email addresses in the Asana task's notes.\n\n- Added: ${list(input.added)}\n` +
          `- Removed: ${list(input.removed)}`,
      );
    },
  };
}
