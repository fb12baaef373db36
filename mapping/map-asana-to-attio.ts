/**
 * Pure mapping from current Asana resources to the Attio writes that represent them. No I/O: the activities fetch
 * (activities/asana.ts) and write (activities/attio.ts); this decides what to write, so it is easy to test and its
 * output hash tells the workflow whether anything changed since the last write.
 *
 * Attio values are always arrays (the assert body's `values` schema in attio_openapi.json); `[]` clears a value.
 */
import { createHash } from 'node:crypto';
import type { AttioValues } from '../attio/client';
import type { AsanaCustomFieldValue, AsanaProject, AsanaSection, AsanaTask } from './asana-resources';
import type { CustomFieldMapping, FieldMap } from './field-map';

/** Tombstone attributes on records and entries: a deletion in Asana is recorded, never a hard delete in Attio. */
export const TOMBSTONE = { flag: 'deleted_in_asana', at: 'deleted_in_asana_at' } as const;

/** Text attribute on written records and entries: the content hash of what was written (docs/decisions/0003). */
export const FINGERPRINT = 'sync_fingerprint';

/** The attributes the sync owns, created by provisioning (activities/provision-attio.ts). */
export const PROJECT_ATTRIBUTES = {
  asana_gid: 'text',
  name: 'text',
  archived: 'checkbox',
  workspace: 'text',
  team: 'text',
  permalink: 'text',
  owner: 'text',
  start_on: 'date',
  due_on: 'date',
  asana_created_at: 'timestamp',
  asana_modified_at: 'timestamp',
  [TOMBSTONE.flag]: 'checkbox',
  [TOMBSTONE.at]: 'timestamp',
} as const;

export const SECTION_ATTRIBUTES = {
  asana_gid: 'text',
  name: 'text',
  project_gid: 'text',
  stage_status_id: 'text',
  [TOMBSTONE.flag]: 'checkbox',
  [TOMBSTONE.at]: 'timestamp',
} as const;

export const TASK_RECORD_ATTRIBUTES = {
  asana_gid: 'text',
  name: 'text',
  permalink: 'text',
} as const;

export const SALES_TASK_ENTRY_ATTRIBUTES = {
  name: 'text',
  completed: 'checkbox',
  completed_at: 'timestamp',
  notes: 'text',
  permalink: 'text',
  task_type: 'text',
  projects: 'text',
  due_on: 'date',
  [TOMBSTONE.flag]: 'checkbox',
  [TOMBSTONE.at]: 'timestamp',
} as const;

export type MappedResource =
  | { kind: 'project'; gid: string; hash: string; state: 'present'; values: AttioValues }
  | { kind: 'project'; gid: string; hash: string; state: 'deleted' }
  | { kind: 'section'; gid: string; hash: string; state: 'present'; name: string; projectGid: string }
  | { kind: 'section'; gid: string; hash: string; state: 'deleted' }
  | { kind: 'section'; gid: string; hash: string; state: 'out-of-scope' }
  | {
      kind: 'task';
      gid: string;
      hash: string;
      state: 'present';
      recordValues: AttioValues;
      entryValues: AttioValues;
      /** The task's section in the source project, which is its stage. */
      stage?: { sectionGid: string; name: string };
      /** Email addresses found in the notes (people linking, when enabled). */
      emails: string[];
    }
  /** Deleted in Asana, or no longer in the source project: tombstone its entry if there is one. */
  | { kind: 'task'; gid: string; hash: string; state: 'deleted' }
  | { kind: 'task'; gid: string; hash: string; state: 'removed' };

const one = <T>(value: T | null | undefined): T[] =>
  value === null || value === undefined || value === '' ? [] : [value];

/** A deterministic hash of what would be written (keys sorted), so equal content gives equal hashes. */
export function contentHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex')
    .slice(0, 32);
}

function withHash<T extends object>(mapped: T): T & { hash: string } {
  return { ...mapped, hash: contentHash(mapped) };
}

function customFieldValues(fields: AsanaCustomFieldValue[] | null | undefined, mappings: CustomFieldMapping[]) {
  const values: AttioValues = {};
  for (const mapping of mappings) {
    const field = fields?.find((f) => f.gid === mapping.asana || f.name === mapping.asana);
    if (!field) {
      values[mapping.attio] = [];
      continue;
    }
    switch (mapping.type) {
      case 'number':
        values[mapping.attio] = one(field.number_value);
        break;
      case 'select':
        values[mapping.attio] = one(field.enum_value?.name);
        break;
      case 'date':
        values[mapping.attio] = one(field.date_value?.date);
        break;
      default:
        values[mapping.attio] = one(field.text_value ?? field.display_value);
    }
  }
  return values;
}

export function mapProject(project: AsanaProject, map: FieldMap): MappedResource {
  return withHash({
    kind: 'project' as const,
    gid: project.gid,
    state: 'present' as const,
    values: {
      asana_gid: [project.gid],
      name: [project.name],
      archived: [project.archived ?? false],
      workspace: one(project.workspace?.name),
      team: one(project.team?.name),
      permalink: one(project.permalink_url),
      owner: one(project.owner?.name),
      start_on: one(project.start_on),
      due_on: one(project.due_on),
      asana_created_at: one(project.created_at),
      asana_modified_at: one(project.modified_at),
      [TOMBSTONE.flag]: [false],
      [TOMBSTONE.at]: [],
      ...customFieldValues(project.custom_fields, map.projects.customFields),
    },
  });
}

export function mapSection(section: AsanaSection, map: FieldMap): MappedResource {
  const projectGid = section.project?.gid;
  if (!projectGid || projectGid !== map.salesTasks.sourceProjectGid) {
    return withHash({ kind: 'section' as const, gid: section.gid, state: 'out-of-scope' as const });
  }
  return withHash({
    kind: 'section' as const,
    gid: section.gid,
    state: 'present' as const,
    name: section.name,
    projectGid,
  });
}

/** Explicit email addresses written in text (`ana@example.com`, `<ana@example.com>`, `mailto:ana@example.com`). */
export function extractEmails(text: string | null | undefined): string[] {
  const found = (text ?? '').match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g) ?? [];
  return [...new Set(found.map((email) => email.toLowerCase()))].sort();
}

export function mapTask(task: AsanaTask, map: FieldMap): MappedResource {
  const source = map.salesTasks.sourceProjectGid;
  const membership = task.memberships?.find((m) => m.project?.gid === source);
  if (!source || !membership) return withHash({ kind: 'task' as const, gid: task.gid, state: 'removed' as const });
  const projects = (task.memberships ?? [])
    .map((m) => m.project?.name ?? m.project?.gid)
    .filter((name): name is string => !!name);
  const section = membership.section;
  return withHash({
    kind: 'task' as const,
    gid: task.gid,
    state: 'present' as const,
    recordValues: { asana_gid: [task.gid], name: [task.name], permalink: one(task.permalink_url) },
    entryValues: {
      name: [task.name],
      completed: [task.completed ?? false],
      completed_at: one(task.completed_at),
      notes: one(task.notes),
      permalink: one(task.permalink_url),
      task_type: one(task.resource_subtype),
      projects: one([...new Set(projects)].join(', ')),
      due_on: one(task.due_on),
      [TOMBSTONE.flag]: [false],
      [TOMBSTONE.at]: [],
      ...customFieldValues(task.custom_fields, map.salesTasks.customFields),
    },
    ...(section ? { stage: { sectionGid: section.gid, name: section.name ?? section.gid } } : {}),
    emails: map.people.enabled ? extractEmails(task.notes) : [],
  });
}

/** The mapping of a resource Asana no longer has (deleted, or a 404 on fetch). */
export function mapDeleted(kind: MappedResource['kind'], gid: string): MappedResource {
  return withHash({ kind, gid, state: 'deleted' as const });
}
