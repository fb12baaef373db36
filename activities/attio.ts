/**
 * Activities that write Attio (run on the `attio` task queue, rate-limited server-side under Attio's 25 writes/s).
 *
 * Every write is keyed by an Asana gid, so repeating one is harmless: records are asserted on the unique `asana_gid`
 * attribute, Sales Task entries are asserted by their parent record. Each written record and entry carries the
 * content hash of what was written (`sync_fingerprint`), so a workflow without memory of its last write (a new run)
 * can still skip a write whose content Attio already holds, at the cost of a read instead of a write.
 */
import { z } from 'zod';
import type { AttioClient } from '../attio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ATTIO_ERRORS } from '../common/error-types';
import type { CustomFieldMapping, FieldMap } from '../mapping/field-map';
import {
  type AttioValues,
  contentHash,
  FINGERPRINT,
  type MappedResource,
  TOMBSTONE,
} from '../mapping/map-asana-to-attio';
import { provisionAttioFor } from './provision-attio';

export interface AttioActivityDependencies {
  attio: AttioClient;
  fieldMap: FieldMap;
}

/** What a write did, kept by the sync workflow so the next write can skip what is unchanged. */
export interface AttioWriteReceipt {
  /** Content hash of the mapped resource that was written (or found already in Attio). */
  hash: string;
  /** Write requests made (0 when Attio already held this content). */
  writes: number;
  summary: string;
  /** The record written: the project or section record, or a task's parent record. */
  recordId?: string;
  /** Hash of a task's parent-record values, to skip rewriting an unchanged parent. */
  recordHash?: string;
  entryId?: string;
  /** The stage (status) a task's section maps to. */
  stage?: { sectionGid: string; name: string; statusId: string };
}

const RecordData = z.looseObject({
  id: z.looseObject({ record_id: z.string() }),
  values: z.record(z.string(), z.array(z.looseObject({}))).default({}),
});
const EntryData = z.looseObject({
  id: z.looseObject({ entry_id: z.string(), list_id: z.string().optional() }),
  parent_record_id: z.string().optional(),
  entry_values: z.record(z.string(), z.array(z.looseObject({}))).default({}),
});
const StatusData = z.looseObject({
  id: z.looseObject({ status_id: z.string() }),
  title: z.string(),
  is_archived: z.boolean().optional(),
});

type Record_ = z.infer<typeof RecordData>;
type Entry = z.infer<typeof EntryData>;

/** The plain value of a text/checkbox/number attribute from Attio's value objects (the active one is listed). */
function plain(values: Record<string, Record<string, unknown>[]>, slug: string): unknown {
  const value = values[slug]?.[0];
  return value ? value.value : undefined;
}

const nowIso = () => new Date().toISOString();

export function createAttioActivities(deps: AttioActivityDependencies) {
  const { attio, fieldMap } = deps;
  const list = fieldMap.salesTasks.list;
  const stageAttribute = fieldMap.salesTasks.stageAttribute;

  /** Select options known to exist, per attribute: a cache of Attio's state, refreshed on a miss. */
  const knownOptions = new Map<string, Set<string>>();

  /**
   * Asana enum options map to Attio select options by title. Attio refuses an unknown title (400 value_not_found,
   * docs/attio.md §4), so options a value needs are created first.
   */
  async function ensureSelectOptions(
    target: 'objects' | 'lists',
    identifier: string,
    mappings: CustomFieldMapping[],
    values: AttioValues,
  ) {
    let writes = 0;
    for (const mapping of mappings.filter((m) => m.type === 'select')) {
      const title = values[mapping.attio]?.[0];
      if (typeof title !== 'string') continue;
      const path = `/v2/${target}/${identifier}/attributes/${mapping.attio}/options`;
      let known = knownOptions.get(path);
      if (!known?.has(title)) {
        const body = await attio.call('GET', path, { show_archived: true });
        known = new Set(
          z
            .object({ data: z.array(z.looseObject({ title: z.string() })) })
            .parse(body)
            .data.map((o) => o.title),
        );
        knownOptions.set(path, known);
      }
      if (known.has(title)) continue;
      try {
        await attio.call('POST', path, undefined, { data: { title } });
        writes += 1;
      } catch (error) {
        if (!(error instanceof ApplicationFailure && error.type === ATTIO_ERRORS.conflict)) throw error;
      }
      known.add(title);
    }
    return writes;
  }

  async function findRecord(object: string, asanaGid: string): Promise<Record_ | undefined> {
    const body = await attio.call('POST', `/v2/objects/${object}/records/query`, undefined, {
      filter: { asana_gid: asanaGid },
      limit: 1,
    });
    return z.object({ data: z.array(RecordData) }).parse(body).data[0];
  }

  async function assertRecord(object: string, values: AttioValues): Promise<Record_> {
    const body = await attio.call(
      'PUT',
      `/v2/objects/${object}/records`,
      { matching_attribute: 'asana_gid' },
      {
        data: { values },
      },
    );
    return z.object({ data: RecordData }).parse(body).data;
  }

  /** The Sales Task entry whose parent is this record, if any (a record's entries, then that entry's values). */
  async function entryOf(parentObject: string, recordId: string): Promise<Entry | undefined> {
    const body = await attio.call('GET', `/v2/objects/${parentObject}/records/${recordId}/entries`, { limit: 100 });
    const memberships = z
      .object({ data: z.array(z.looseObject({ list_api_slug: z.string(), entry_id: z.string() })) })
      .parse(body).data;
    const membership = memberships.find((m) => m.list_api_slug === list);
    if (!membership) return undefined;
    const entry = await attio.call('GET', `/v2/lists/${list}/entries/${membership.entry_id}`);
    return z.object({ data: EntryData }).parse(entry).data;
  }

  async function assertEntry(parentObject: string, recordId: string, values: AttioValues): Promise<Entry> {
    const body = await attio.call('PUT', `/v2/lists/${list}/entries`, undefined, {
      data: { parent_record_id: recordId, parent_object: parentObject, entry_values: values },
    });
    return z.object({ data: EntryData }).parse(body).data;
  }

  async function statuses(): Promise<z.infer<typeof StatusData>[]> {
    const body = await attio.call('GET', `/v2/lists/${list}/attributes/${stageAttribute}/statuses`, {
      show_archived: false,
    });
    return z.object({ data: z.array(StatusData) }).parse(body).data;
  }

  /**
   * The stage (status) of the Sales Tasks list that an Asana section maps to, tracked by section gid in the sections
   * object, so a rename in Asana renames the stage instead of adding one. Returns its id and the writes it took.
   */
  async function ensureStage(sectionGid: string, name: string, projectGid?: string) {
    const sectionsObject = fieldMap.sections.object;
    const tracked = await findRecord(sectionsObject, sectionGid);
    const trackedStatusId = tracked ? plain(tracked.values, 'stage_status_id') : undefined;
    let writes = 0;
    let statusId: string;
    if (typeof trackedStatusId === 'string') {
      statusId = trackedStatusId;
      if (plain(tracked!.values, 'name') !== name) {
        await attio.call('PATCH', `/v2/lists/${list}/attributes/${stageAttribute}/statuses/${statusId}`, undefined, {
          data: { title: name },
        });
        writes += 1;
      } else {
        return { statusId, writes };
      }
    } else {
      const existing = (await statuses()).find((s) => s.title === name && !s.is_archived);
      if (existing) {
        statusId = existing.id.status_id;
      } else {
        try {
          const body = await attio.call('POST', `/v2/lists/${list}/attributes/${stageAttribute}/statuses`, undefined, {
            data: { title: name },
          });
          statusId = z.object({ data: StatusData }).parse(body).data.id.status_id;
          writes += 1;
        } catch (error) {
          // Another write created the same stage a moment ago (tasks of a new section sync in parallel).
          if (!(error instanceof ApplicationFailure && error.type === ATTIO_ERRORS.conflict)) throw error;
          const created = (await statuses()).find((s) => s.title === name && !s.is_archived);
          if (!created) throw error;
          statusId = created.id.status_id;
        }
      }
    }
    await assertRecord(sectionsObject, {
      asana_gid: [sectionGid],
      name: [name],
      ...(projectGid ? { project_gid: [projectGid] } : {}),
      stage_status_id: [statusId],
      [TOMBSTONE.flag]: [false],
      [TOMBSTONE.at]: [],
    });
    return { statusId, writes: writes + 1 };
  }

  /** Attio People for the addresses (created only if the field map says so), as record references. */
  async function peopleFor(emails: string[]): Promise<{ refs: unknown[]; writes: number }> {
    const refs: unknown[] = [];
    let writes = 0;
    for (const email of emails) {
      const found = z.object({ data: z.array(RecordData) }).parse(
        await attio.call('POST', '/v2/objects/people/records/query', undefined, {
          filter: { email_addresses: email },
          limit: 1,
        }),
      ).data[0];
      let recordId = found?.id.record_id;
      if (!recordId && fieldMap.people.createMissing) {
        const body = await attio.call(
          'PUT',
          '/v2/objects/people/records',
          { matching_attribute: 'email_addresses' },
          {
            data: { values: { email_addresses: [email] } },
          },
        );
        recordId = z.object({ data: RecordData }).parse(body).data.id.record_id;
        writes += 1;
      }
      if (recordId) refs.push({ target_object: 'people', target_record_id: recordId });
    }
    return { refs, writes };
  }

  async function writeTask(
    mapped: Extract<MappedResource, { kind: 'task' }>,
    previous: AttioWriteReceipt | undefined,
    force: boolean,
  ): Promise<AttioWriteReceipt> {
    const parentObject = fieldMap.salesTasks.parentObject;
    if (mapped.state !== 'present') {
      const record = await findRecord(parentObject, mapped.gid);
      const entry = record && (await entryOf(parentObject, record.id.record_id));
      if (!record || !entry) {
        return {
          hash: mapped.hash,
          writes: 0,
          summary: `task ${mapped.state} in Asana; no Sales Task entry to tombstone`,
        };
      }
      const tombstoned = await assertEntry(parentObject, record.id.record_id, {
        [TOMBSTONE.flag]: [true],
        [TOMBSTONE.at]: [nowIso()],
        [FINGERPRINT]: [mapped.hash],
      });
      return {
        hash: mapped.hash,
        writes: 1,
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
      if (record && plain(record.values, FINGERPRINT) === recordHash) recordId = record.id.record_id;
      const entry = recordId ? await entryOf(parentObject, recordId) : undefined;
      if (entry && plain(entry.entry_values, FINGERPRINT) === mapped.hash) {
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
      const ensured = await ensureStage(
        mapped.stage.sectionGid,
        mapped.stage.name,
        fieldMap.salesTasks.sourceProjectGid,
      );
      stage = { ...mapped.stage, statusId: ensured.statusId };
      writes += ensured.writes;
    }

    writes += await ensureSelectOptions('lists', list, fieldMap.salesTasks.customFields, mapped.entryValues);
    const values: AttioValues = {
      ...mapped.entryValues,
      [stageAttribute]: mapped.stage && stage ? [{ status: stage.statusId }] : [],
      [FINGERPRINT]: [mapped.hash],
    };
    if (fieldMap.people.enabled) {
      const people = await peopleFor(mapped.emails);
      values[fieldMap.people.attribute] = people.refs;
      writes += people.writes;
    }
    const entry = await assertEntry(parentObject, recordId, values);
    writes += 1;
    return {
      hash: mapped.hash,
      writes,
      summary: `Sales Task entry written${mapped.stage ? ` (stage ${mapped.stage.name})` : ''}`,
      recordId,
      recordHash,
      entryId: entry.id.entry_id,
      ...(stage ? { stage } : {}),
    };
  }

  async function writeProject(
    mapped: Extract<MappedResource, { kind: 'project' }>,
    previous: AttioWriteReceipt | undefined,
    force: boolean,
  ): Promise<AttioWriteReceipt> {
    const object = fieldMap.projects.object;
    if (mapped.state === 'deleted' || !previous) {
      const existing = await findRecord(object, mapped.gid);
      if (mapped.state === 'deleted') {
        if (!existing) return { hash: mapped.hash, writes: 0, summary: 'project deleted in Asana; not in Attio' };
        await assertRecord(object, {
          asana_gid: [mapped.gid],
          [TOMBSTONE.flag]: [true],
          [TOMBSTONE.at]: [nowIso()],
          [FINGERPRINT]: [mapped.hash],
        });
        return {
          hash: mapped.hash,
          writes: 1,
          summary: 'project deleted in Asana; record tombstoned',
          recordId: existing.id.record_id,
        };
      }
      if (!force && existing && plain(existing.values, FINGERPRINT) === mapped.hash) {
        return { hash: mapped.hash, writes: 0, summary: 'Attio already up to date', recordId: existing.id.record_id };
      }
    }
    const optionWrites = await ensureSelectOptions('objects', object, fieldMap.projects.customFields, mapped.values);
    const record = await assertRecord(object, { ...mapped.values, [FINGERPRINT]: [mapped.hash] });
    return {
      hash: mapped.hash,
      writes: 1 + optionWrites,
      summary: 'project record written',
      recordId: record.id.record_id,
    };
  }

  async function writeSection(mapped: Extract<MappedResource, { kind: 'section' }>): Promise<AttioWriteReceipt> {
    if (mapped.state === 'out-of-scope') {
      return { hash: mapped.hash, writes: 0, summary: 'section outside the Sales Tasks project; not a stage' };
    }
    if (mapped.state === 'deleted') {
      const existing = await findRecord(fieldMap.sections.object, mapped.gid);
      if (!existing) return { hash: mapped.hash, writes: 0, summary: 'section deleted in Asana; it was no stage' };
      await assertRecord(fieldMap.sections.object, {
        asana_gid: [mapped.gid],
        [TOMBSTONE.flag]: [true],
        [TOMBSTONE.at]: [nowIso()],
      });
      // The stage stays: entries may still be in it until their tasks move.
      return { hash: mapped.hash, writes: 1, summary: 'section deleted in Asana; stage kept, section tombstoned' };
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
    /** Writes one mapped Asana resource to Attio, skipping what `previous` shows is already there. */
    async writeAsanaResourceToAttio(input: {
      mapped: MappedResource;
      previous?: AttioWriteReceipt;
      /** Write even if Attio's fingerprint says it holds this content (resync). */
      force?: boolean;
    }): Promise<AttioWriteReceipt> {
      const { mapped, previous, force = false } = input;
      const write = (receipt: AttioWriteReceipt | undefined) => {
        switch (mapped.kind) {
          case 'task':
            return writeTask(mapped, receipt, force);
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
          error instanceof ApplicationFailure &&
          (error.type === ATTIO_ERRORS.validation || error.type === ATTIO_ERRORS.notFound);
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
      const PAGE = 500;
      const gidOf = new Map<string, string>();
      for (let offset = 0; ; offset += PAGE) {
        const body = await attio.call(
          'POST',
          `/v2/objects/${fieldMap.salesTasks.parentObject}/records/query`,
          undefined,
          {
            limit: PAGE,
            offset,
          },
        );
        const records = z.object({ data: z.array(RecordData) }).parse(body).data;
        for (const record of records) {
          const gid = plain(record.values, 'asana_gid');
          if (typeof gid === 'string') gidOf.set(record.id.record_id, gid);
        }
        if (records.length < PAGE) break;
      }
      const tasks: { gid: string; fingerprint?: string; tombstoned: boolean }[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const body = await attio.call('POST', `/v2/lists/${list}/entries/query`, undefined, { limit: PAGE, offset });
        const entries = z.object({ data: z.array(EntryData) }).parse(body).data;
        for (const entry of entries) {
          const gid = entry.parent_record_id ? gidOf.get(entry.parent_record_id) : undefined;
          if (!gid) continue;
          const fingerprint = plain(entry.entry_values, FINGERPRINT);
          tasks.push({
            gid,
            ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
            tombstoned: plain(entry.entry_values, TOMBSTONE.flag) === true,
          });
        }
        if (entries.length < PAGE) break;
      }
      return tasks;
    },

    /** Creates the objects, attributes, list and stages the field map needs; idempotent. */
    async provisionAttio(): Promise<{ created: string[] }> {
      return provisionAttioFor(attio, fieldMap);
    },
  };
}
