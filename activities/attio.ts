/**
 * Activities that write Attio (run on the `attio` task queue, rate-limited server-side under Attio's 25 writes/s).
 *
 * Every write is keyed by an Asana gid, so repeating one is harmless: records are asserted on the unique `asana_gid`
 * attribute, Sales Task entries are asserted by their parent record. Each written record and entry carries the
 * content hash of what was written (`sync_fingerprint`), so a workflow without memory of its last write (a new run)
 * can still skip a write whose content Attio already holds, at the cost of a read instead of a write.
 *
 * This file decides what to write; the requests, their shapes and their failures are attio/client.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  type AttioClient,
  type AttioEntry,
  type AttioRecord,
  type AttioTarget,
  type AttioValues,
  firstPlainValue,
} from '../attio/client';
import { ATTIO_ERRORS } from '../common/error-types';
import type { CustomFieldMapping, FieldMap } from '../mapping/field-map';
import { contentHash, FINGERPRINT, type MappedResource, TOMBSTONE } from '../mapping/map-asana-to-attio';
import type { AttioWriteReceipt, ProvisionAttioResult, ProvisioningPlan, StageSection } from '../workflows/definitions';
import { createSyncHistoryActivities, syncStateValues } from './attio-sync-history';
import { planProvisioning, provisionAttioFor, readAttioForProvisioning } from './provision-attio';

export interface AttioActivityDependencies {
  attio: AttioClient;
  fieldMap: FieldMap;
}

const nowIso = () => new Date().toISOString();

const isAttioFailure = (error: unknown, ...types: string[]) =>
  error instanceof ApplicationFailure && types.includes(error.type ?? '');

export function createAttioActivities(deps: AttioActivityDependencies) {
  const { attio, fieldMap } = deps;
  const list = fieldMap.salesTasks.list;
  const stageAttribute = fieldMap.salesTasks.stageAttribute;
  const parentObject = fieldMap.salesTasks.parentObject;
  const sectionsObject = fieldMap.sections.object;
  const history = createSyncHistoryActivities(deps);

  /** Select option titles known to exist, per attribute: a cache of Attio's state, refreshed on a miss. */
  const knownOptions = new Map<string, Set<string>>();

  /**
   * Asana enum options map to Attio select options by title. Attio refuses an unknown title (400 value_not_found,
   * docs/attio.md §4), so options a value needs are created first. Returns the writes it took.
   */
  async function ensureSelectOptions(
    target: AttioTarget,
    identifier: string,
    mappings: CustomFieldMapping[],
    values: AttioValues,
  ): Promise<number> {
    let writes = 0;
    for (const mapping of mappings.filter((m) => m.type === 'select')) {
      const title = values[mapping.attio]?.[0];
      if (typeof title !== 'string') continue;
      const key = `${target}/${identifier}/${mapping.attio}`;
      let known = knownOptions.get(key);
      if (!known?.has(title)) {
        const options = await attio.listSelectOptions(target, identifier, mapping.attio, true);
        known = new Set(options.map((option) => option.title));
        knownOptions.set(key, known);
      }
      if (known.has(title)) continue;
      try {
        await attio.createSelectOption(target, identifier, mapping.attio, title);
        writes += 1;
      } catch (error) {
        // Another write created the same option a moment ago.
        if (!isAttioFailure(error, ATTIO_ERRORS.conflict)) throw error;
      }
      known.add(title);
    }
    return writes;
  }

  const findRecord = async (object: string, asanaGid: string): Promise<AttioRecord | undefined> =>
    (await attio.queryRecords(object, { filter: { asana_gid: asanaGid }, limit: 1 }))[0];

  const assertRecord = (object: string, values: AttioValues) => attio.assertRecord(object, 'asana_gid', values);

  const assertEntry = (recordId: string, values: AttioValues) =>
    attio.assertListEntry(list, parentObject, recordId, values);

  /** The id of the Sales Task entry whose parent is this task record, if it has one. */
  const entryIdOf = async (recordId: string): Promise<string | undefined> =>
    (await attio.listRecordEntries(parentObject, recordId)).find((m) => m.list_api_slug === list)?.entry_id;

  /** The Sales Task entry whose parent is this task record, with its values, if it has one. */
  async function entryOf(recordId: string): Promise<AttioEntry | undefined> {
    const entryId = await entryIdOf(recordId);
    return entryId === undefined ? undefined : attio.getListEntry(list, entryId);
  }

  /**
   * The stage (status) of the Sales Tasks list that an Asana section maps to, tracked by section gid in the sections
   * object, so a rename in Asana renames the stage instead of adding one. Returns its id and the writes it took.
   */
  async function ensureStage(sectionGid: string, name: string, projectGid?: string) {
    const tracked = await findRecord(sectionsObject, sectionGid);
    const trackedStatusId = tracked && firstPlainValue(tracked.values, 'stage_status_id');
    let statusId: string;
    let writes = 0;
    if (typeof trackedStatusId === 'string') {
      if (firstPlainValue(tracked!.values, 'name') === name) return { statusId: trackedStatusId, writes };
      statusId = (await attio.renameStatus('lists', list, stageAttribute, trackedStatusId, name)).id.status_id;
      writes += 1;
    } else {
      // A stage of this name that no section tracks yet is reused (unarchived if need be), or created.
      const ensured = await attio.ensureStatus('lists', list, stageAttribute, name);
      statusId = ensured.value.id.status_id;
      if (ensured.created) writes += 1;
    }
    await assertRecord(sectionsObject, {
      asana_gid: [sectionGid],
      name: [name],
      ...(projectGid ? { project_gid: [projectGid] } : {}),
      stage_status_id: [statusId],
      [TOMBSTONE.flag]: [false],
      [TOMBSTONE.at]: [],
      ...syncStateValues('synced', nowIso()),
    });
    return { statusId, writes: writes + 1 };
  }

  /** Attio People for the addresses (created only if the field map says so), as record references. */
  async function peopleFor(emails: string[]): Promise<{ refs: unknown[]; ids: string[]; writes: number }> {
    const refs: unknown[] = [];
    const ids: string[] = [];
    let writes = 0;
    for (const email of emails) {
      const [found] = await attio.queryRecords('people', { filter: { email_addresses: email }, limit: 1 });
      let recordId = found?.id.record_id;
      if (!recordId && fieldMap.people.createMissing) {
        recordId = (await attio.assertRecord('people', 'email_addresses', { email_addresses: [email] })).id.record_id;
        writes += 1;
      }
      if (recordId) {
        refs.push({ target_object: 'people', target_record_id: recordId });
        ids.push(recordId);
      }
    }
    return { refs, ids, writes };
  }

  async function writeTask(
    mapped: Extract<MappedResource, { kind: 'task' }>,
    previous: AttioWriteReceipt | undefined,
    force: boolean,
    linkedPeople: string[] | undefined,
  ): Promise<AttioWriteReceipt> {
    if (mapped.state !== 'present') {
      const record = await findRecord(parentObject, mapped.gid);
      const entryId = record && (await entryIdOf(record.id.record_id));
      if (!record || !entryId) {
        return {
          hash: mapped.hash,
          writes: 0,
          summary: `task ${mapped.state} in Asana; no Sales Task entry to tombstone`,
        };
      }
      const tombstoned = await assertEntry(record.id.record_id, {
        [TOMBSTONE.flag]: [true],
        [TOMBSTONE.at]: [nowIso()],
        [FINGERPRINT]: [mapped.hash],
        ...syncStateValues('tombstoned', nowIso()),
      });
      await history.noteTombstone({ object: parentObject, recordId: record.id.record_id, what: 'task' });
      return {
        hash: mapped.hash,
        writes: 2,
        summary: `task ${mapped.state} in Asana; Sales Task entry tombstoned`,
        recordId: record.id.record_id,
        entryId: tombstoned.id.entry_id,
      };
    }

    let writes = 0;
    const recordHash = contentHash(mapped.recordValues);
    let recordId = previous?.recordHash === recordHash ? previous.recordId : undefined;
    if (!recordId && !previous && !force) {
      // A new run: if Attio already holds exactly this content, there is nothing to write.
      const record = await findRecord(parentObject, mapped.gid);
      if (record && firstPlainValue(record.values, FINGERPRINT) === recordHash) recordId = record.id.record_id;
      const entry = recordId ? await entryOf(recordId) : undefined;
      if (entry && firstPlainValue(entry.entry_values, FINGERPRINT) === mapped.hash) {
        return {
          hash: mapped.hash,
          writes: 0,
          summary: 'Attio already up to date',
          recordId,
          recordHash,
          entryId: entry.id.entry_id,
        };
      }
    }
    if (!recordId) {
      recordId = (await assertRecord(parentObject, { ...mapped.recordValues, [FINGERPRINT]: [recordHash] })).id
        .record_id;
      writes += 1;
    }

    let stage = previous?.stage;
    if (mapped.stage && (stage?.sectionGid !== mapped.stage.sectionGid || stage.name !== mapped.stage.name)) {
      const ensured = await ensureStage(mapped.stage.sectionGid, mapped.stage.name, mapped.stage.projectGid);
      stage = { ...mapped.stage, statusId: ensured.statusId };
      writes += ensured.writes;
    }

    writes += await ensureSelectOptions('lists', list, fieldMap.salesTasks.customFields, mapped.entryValues);
    const values: AttioValues = {
      ...mapped.entryValues,
      [stageAttribute]: mapped.stage && stage ? [{ status: stage.statusId }] : [],
      [FINGERPRINT]: [mapped.hash],
      ...syncStateValues('synced', nowIso()),
    };
    let people: string[] | undefined;
    if (fieldMap.people.enabled) {
      const found = await peopleFor(mapped.emails);
      values[fieldMap.people.attribute] = found.refs;
      writes += found.writes;
      people = found.ids;
    }
    const entry = await assertEntry(recordId, values);
    writes += 1;
    const before = linkedPeople;
    if (people && before && (people.length !== before.length || people.some((id) => !before.includes(id)))) {
      await history.notePeopleRelinked({
        recordId,
        added: people.filter((id) => !before.includes(id)),
        removed: before.filter((id) => !people.includes(id)),
      });
      writes += 1;
    }
    return {
      hash: mapped.hash,
      writes,
      summary: `Sales Task entry written${mapped.stage ? ` (stage ${mapped.stage.name})` : ''}`,
      recordId,
      recordHash,
      entryId: entry.id.entry_id,
      ...(stage ? { stage } : {}),
      ...(people ? { people } : {}),
    };
  }

  async function writeProject(
    mapped: Extract<MappedResource, { kind: 'project' }>,
    previous: AttioWriteReceipt | undefined,
    force: boolean,
  ): Promise<AttioWriteReceipt> {
    const object = fieldMap.projects.object;
    if (mapped.state === 'out-of-scope') {
      return { hash: mapped.hash, writes: 0, summary: 'project outside the scope’s projects.coverage; not synced' };
    }
    if (mapped.state === 'deleted' || !previous) {
      const existing = await findRecord(object, mapped.gid);
      if (mapped.state === 'deleted') {
        if (!existing) return { hash: mapped.hash, writes: 0, summary: 'project deleted in Asana; not in Attio' };
        await assertRecord(object, {
          asana_gid: [mapped.gid],
          [TOMBSTONE.flag]: [true],
          [TOMBSTONE.at]: [nowIso()],
          [FINGERPRINT]: [mapped.hash],
          ...syncStateValues('tombstoned', nowIso()),
        });
        await history.noteTombstone({ object, recordId: existing.id.record_id, what: 'project' });
        return {
          hash: mapped.hash,
          writes: 2,
          summary: 'project deleted in Asana; record tombstoned',
          recordId: existing.id.record_id,
        };
      }
      if (!force && existing && firstPlainValue(existing.values, FINGERPRINT) === mapped.hash) {
        return { hash: mapped.hash, writes: 0, summary: 'Attio already up to date', recordId: existing.id.record_id };
      }
    }
    const optionWrites = await ensureSelectOptions('objects', object, fieldMap.projects.customFields, mapped.values);
    // People written in the project's notes (`people.scan: [project.notes]`) are linked to its record.
    const people = mapped.emails ? await peopleFor(mapped.emails) : undefined;
    const record = await assertRecord(object, {
      ...mapped.values,
      ...(people ? { [fieldMap.people.attribute]: people.refs } : {}),
      [FINGERPRINT]: [mapped.hash],
      ...syncStateValues('synced', nowIso()),
    });
    return {
      hash: mapped.hash,
      writes: 1 + optionWrites + (people?.writes ?? 0),
      summary: 'project record written',
      recordId: record.id.record_id,
    };
  }

  async function writeSection(mapped: Extract<MappedResource, { kind: 'section' }>): Promise<AttioWriteReceipt> {
    if (mapped.state === 'out-of-scope') {
      return { hash: mapped.hash, writes: 0, summary: 'section outside the Sales Tasks project; not a stage' };
    }
    if (mapped.state === 'deleted') {
      const existing = await findRecord(sectionsObject, mapped.gid);
      if (!existing) return { hash: mapped.hash, writes: 0, summary: 'section deleted in Asana; it was no stage' };
      await assertRecord(sectionsObject, {
        asana_gid: [mapped.gid],
        [TOMBSTONE.flag]: [true],
        [TOMBSTONE.at]: [nowIso()],
        ...syncStateValues('tombstoned', nowIso()),
      });
      await history.noteTombstone({ object: sectionsObject, recordId: existing.id.record_id, what: 'section' });
      // The stage stays: entries may still be in it until their tasks move.
      return { hash: mapped.hash, writes: 2, summary: 'section deleted in Asana; stage kept, section tombstoned' };
    }
    const ensured = await ensureStage(mapped.gid, mapped.name, mapped.projectGid);
    return {
      hash: mapped.hash,
      writes: ensured.writes,
      summary: `stage "${mapped.name}" in place`,
      stage: { sectionGid: mapped.gid, name: mapped.name, statusId: ensured.statusId },
    };
  }

  return {
    // Sync history is Attio writes too, so it runs on the Attio queue under the same budget.
    ...history,
    /** Returns the id of the Attio workspace the token belongs to. */
    async checkAttioConnection(): Promise<string> {
      const self = await attio.getSelf();
      if (!self.active) throw new Error('Attio says this token is not active');
      return self.workspace_id ?? 'unknown workspace';
    },

    /** Writes one mapped Asana resource to Attio, skipping what `previous` shows is already there. */
    async writeAsanaResourceToAttio(input: {
      mapped: MappedResource;
      previous?: AttioWriteReceipt;
      /** Write even if Attio's fingerprint says it holds this content (resync). */
      force?: boolean;
      /** The People the last write linked to this task (its receipt's `people`), to notice a relink. */
      linkedPeople?: string[];
    }): Promise<AttioWriteReceipt> {
      const { mapped, previous, force = false, linkedPeople = previous?.people } = input;
      const write = (receipt: AttioWriteReceipt | undefined) => {
        switch (mapped.kind) {
          case 'task':
            return writeTask(mapped, receipt, force, linkedPeople);
          case 'project':
            return writeProject(mapped, receipt, force);
          case 'section':
            return writeSection(mapped);
        }
      };
      try {
        return await write(previous);
      } catch (error) {
        // The receipt, or the select options remembered by this worker, may name things someone deleted in Attio
        // since (a parent record, a stage, an option): Attio refuses them as unknown. Forget both and write once
        // more from scratch before calling it a failure.
        const stale =
          (previous !== undefined || knownOptions.size > 0) &&
          isAttioFailure(error, ATTIO_ERRORS.validation, ATTIO_ERRORS.notFound);
        if (!stale) throw error;
        knownOptions.clear();
        return write(undefined);
      }
    },

    /**
     * Every Sales Task entry as (task gid, fingerprint, tombstoned), for full reconciliation: the parent records give
     * the gids, the entries give what was last written. Paged by 500, Attio's default query page.
     */
    async readAttioSalesTasks(): Promise<{ gid: string; fingerprint?: string; tombstoned: boolean }[]> {
      const gidOf = new Map<string, string>();
      for (const record of await attio.queryAllRecords(parentObject)) {
        const gid = firstPlainValue(record.values, 'asana_gid');
        if (typeof gid === 'string') gidOf.set(record.id.record_id, gid);
      }
      return (await attio.queryAllListEntries(list)).flatMap((entry) => {
        const gid = gidOf.get(entry.parent_record_id);
        if (!gid) return [];
        const fingerprint = firstPlainValue(entry.entry_values, FINGERPRINT);
        return [
          {
            gid,
            ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
            tombstoned: firstPlainValue(entry.entry_values, TOMBSTONE.flag) === true,
          },
        ];
      });
    },

    /** What provisioning would create, change or conflict with; reads only (`provision --dry-run`). */
    async planAttioProvisioning(input: { stages?: StageSection[] } = {}): Promise<ProvisioningPlan> {
      return planProvisioning(fieldMap, await readAttioForProvisioning(attio, fieldMap), input.stages ?? []);
    },

    /** Creates the objects, attributes, list and stages the scope needs, only if nothing conflicts; idempotent. */
    async provisionAttio(input: { stages?: StageSection[] } = {}): Promise<ProvisionAttioResult> {
      return provisionAttioFor(attio, fieldMap, input.stages ?? [], (section) =>
        ensureStage(section.gid, section.name, section.projectGid),
      );
    },
  };
}
