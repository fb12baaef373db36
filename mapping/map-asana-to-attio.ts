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
import { type CustomFieldMapping, linksProjectPeople, type Scope, watchesProjectForTasks } from './scope';

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
  | {
      kind: 'project';
      gid: string;
      hash: string;
      state: 'present';
      values: AttioValues;
      /** Reported through a watched team or workspace: give it a project webhook for its tasks (not hashed). */
      watchForTasks?: { workspaceGid: string };
      /** Email addresses in the project's notes, when People linking scans `project.notes`. */
      emails?: string[];
    }
  | { kind: 'project'; gid: string; hash: string; state: 'deleted' }
  /** Not covered by the scope's `projects.coverage`: nothing is written. */
  | { kind: 'project'; gid: string; hash: string; state: 'out-of-scope' }
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
      /** The task's section in its owning source project, when that section is a stage. */
      stage?: { sectionGid: string; name: string; projectGid: string };
      /** Email addresses found in the notes (people linking, when enabled). */
      emails: string[];
    }
  /** Deleted in Asana, or no longer a Sales Task (scope): tombstone its entry if there is one. */
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

/** Whether the scope's `projects.coverage` includes a project; the Sales Tasks source projects always are. */
export function coversProject(
  scope: Scope,
  project: { gid: string; team?: { gid: string } | null; workspace?: { gid: string } | null },
): boolean {
  const { coverage, teams, gids } = scope.projects;
  if (scope.salesTasks.sourceProjects.includes(project.gid)) return true;
  if (coverage === 'list') return gids.includes(project.gid);
  if (coverage === 'teams') return !!project.team && teams.includes(project.team.gid);
  return !scope.workspace || !project.workspace || project.workspace.gid === scope.workspace;
}

export function mapProject(project: AsanaProject, map: Scope): MappedResource {
  if (!coversProject(map, project)) {
    return withHash({ kind: 'project' as const, gid: project.gid, state: 'out-of-scope' as const });
  }
  if (project.archived && map.projects.archived === 'tombstoned') return mapDeleted('project', project.gid);
  if (project.archived && map.projects.archived === 'visible') {
    // Kept as last written, marked archived; later edits of an archived project change nothing (same hash).
    return withHash({
      kind: 'project' as const,
      gid: project.gid,
      state: 'present' as const,
      values: { asana_gid: [project.gid], archived: [true] },
    });
  }
  const mapped = withHash({
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
    ...(linksProjectPeople(map) ? { emails: extractEmails(project.notes) } : {}),
  });
  const workspaceGid = project.workspace?.gid;
  return workspaceGid && watchesProjectForTasks(map, project) ? { ...mapped, watchForTasks: { workspaceGid } } : mapped;
}

/** Whether a section of a source project is a stage (`salesTasks.stageSections`). */
const isStageSection = (map: Scope, name: string | null | undefined) =>
  map.salesTasks.stageSections === 'all' || (!!name && map.salesTasks.stageSections.includes(name));

export function mapSection(section: AsanaSection, map: Scope): MappedResource {
  const projectGid = section.project?.gid;
  if (!projectGid || !map.salesTasks.sourceProjects.includes(projectGid) || !isStageSection(map, section.name)) {
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

/** The task text People linking scans (`people.scan`'s task fields). */
const scannedText = (task: AsanaTask, map: Scope): string =>
  map.people.scan
    .filter((field) => field.startsWith('task.'))
    .map((field) => (field === 'task.html_notes' ? task.html_notes : task.notes) ?? '')
    .join('\n');

/** Whether a backfill or full reconciliation imports this task (`backfill.history`). */
export function withinBackfillHistory(task: Pick<AsanaTask, 'modified_at'>, map: Scope): boolean {
  const { history } = map.backfill;
  if (history === 'all' || !task.modified_at) return true;
  return Date.parse(task.modified_at) >= Date.parse(`${history.modifiedSince}T00:00:00Z`);
}

export function mapTask(task: AsanaTask, map: Scope): MappedResource {
  const removed = () => withHash({ kind: 'task' as const, gid: task.gid, state: 'removed' as const });
  // The owner is the first source project (in scope order) the task is in.
  const membership = map.salesTasks.sourceProjects
    .map((source) => task.memberships?.find((m) => m.project?.gid === source))
    .find((m) => m !== undefined);
  if (!membership?.project) return removed();
  const section = membership.section && isStageSection(map, membership.section.name) ? membership.section : undefined;
  if (membership.section && !section && map.salesTasks.unmappedSection === 'excluded') return removed();
  const projects = (task.memberships ?? [])
    .map((m) => m.project?.name ?? m.project?.gid)
    .filter((name): name is string => !!name);
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
    ...(section
      ? { stage: { sectionGid: section.gid, name: section.name ?? section.gid, projectGid: membership.project.gid } }
      : {}),
    emails: map.people.enabled ? extractEmails(scannedText(task, map)) : [],
  });
}

/** The mapping of a resource Asana no longer has (deleted, or a 404 on fetch). */
export function mapDeleted(kind: MappedResource['kind'], gid: string): MappedResource {
  return withHash({ kind, gid, state: 'deleted' as const });
}
