/**
 * Asana's representations: compact by default (gid, resource_type, name), and with `opt_fields` exactly the fields
 * asked for, nested paths included (`memberships.section.name`, `custom_fields.enum_value.name`). `gid` and
 * `resource_type` are always present, as Asana returns them.
 */
import type { AsanaStore, Project, Section, Task, Team, CustomField, CustomValue } from './store';

type Json = Record<string, unknown>;

interface FieldTree {
  [field: string]: FieldTree;
}

/** `a,b.c,b.d` → { a: {}, b: { c: {}, d: {} } }. */
export function parseOptFields(optFields: string | undefined): FieldTree | undefined {
  if (!optFields) return undefined;
  const tree: FieldTree = {};
  for (const path of optFields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)) {
    let node = tree;
    for (const part of path.split('.')) node = node[part] ??= {};
  }
  return tree;
}

/** Picks the fields of `tree` from a full representation; a nested resource asked for without subfields is compact. */
export function select(full: Json, tree: FieldTree | undefined, compactKeys: string[]): Json {
  const keys = tree ? Object.keys(tree) : compactKeys;
  const out: Json = { gid: full.gid, resource_type: full.resource_type };
  for (const key of keys) {
    if (!(key in full)) continue;
    const value = full[key];
    const sub = tree?.[key];
    out[key] = project(value, sub);
  }
  return out;
}

function project(value: unknown, sub: FieldTree | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => project(item, sub));
  if (value && typeof value === 'object') {
    const obj = value as Json;
    if (sub && Object.keys(sub).length > 0) return select(obj, sub, []);
    // A nested resource without subfields: its compact form (a value object like date_value stays whole).
    if ('gid' in obj)
      return Object.fromEntries(
        Object.entries(obj).filter(([k]) => ['gid', 'resource_type', 'name', 'resource_subtype'].includes(k)),
      );
    return obj;
  }
  return value;
}

const customFieldValue = (store: AsanaStore, field: CustomField, value: CustomValue): Json => {
  const option =
    field.type === 'enum' ? field.enum_options.find((o) => o.gid === value || o.name === value) : undefined;
  return {
    gid: field.gid,
    resource_type: 'custom_field',
    name: field.name,
    type: field.type,
    resource_subtype: field.type,
    display_value: value === null || value === undefined ? null : option ? option.name : String(value),
    text_value: field.type === 'text' ? (value ?? null) : undefined,
    number_value: field.type === 'number' ? (value ?? null) : undefined,
    // An unset enum value is left out: the spec types enum_value as an object (CustomFieldResponse).
    enum_value: field.type === 'enum' && option ? { resource_type: 'enum_option', ...option } : undefined,
    enum_options:
      field.type === 'enum' ? field.enum_options.map((o) => ({ resource_type: 'enum_option', ...o })) : undefined,
    date_value: null,
  };
};

const cleaned = (json: Json): Json => Object.fromEntries(Object.entries(json).filter(([, v]) => v !== undefined));

export function fullProject(store: AsanaStore, project: Project): Json {
  const workspace = store.workspaces.get(project.workspace)!;
  const owner = project.owner ? store.users.get(project.owner) : undefined;
  const team = project.team ? store.teams.get(project.team) : undefined;
  return {
    gid: project.gid,
    resource_type: 'project',
    name: project.name,
    archived: project.archived,
    notes: project.notes,
    permalink_url: `https://app.asana.com/0/${project.gid}/${project.gid}`,
    workspace: { gid: workspace.gid, resource_type: 'workspace', name: workspace.name },
    team: team ? teamCompact(team) : null,
    owner: owner ? { gid: owner.gid, resource_type: 'user', name: owner.name } : null,
    start_on: project.start_on,
    due_on: project.due_on,
    created_at: project.created_at,
    modified_at: project.modified_at,
    custom_fields: project.customFields
      .map((gid) => store.customFields.get(gid))
      .filter((f): f is CustomField => !!f)
      .map((f) => cleaned(customFieldValue(store, f, project.custom[f.gid] ?? null))),
  };
}

export function fullSection(store: AsanaStore, section: Section): Json {
  const project = store.projects.get(section.project)!;
  return {
    gid: section.gid,
    resource_type: 'section',
    name: section.name,
    created_at: section.created_at,
    project: { gid: project.gid, resource_type: 'project', name: project.name },
    projects: [{ gid: project.gid, resource_type: 'project', name: project.name }],
  };
}

export function fullTask(store: AsanaStore, task: Task): Json {
  const workspace = store.workspaces.get(task.workspace)!;
  const fieldGids = new Set<string>();
  for (const m of task.memberships)
    for (const gid of store.projects.get(m.project)?.customFields ?? []) fieldGids.add(gid);
  return {
    gid: task.gid,
    resource_type: 'task',
    name: task.name,
    resource_subtype: task.resource_subtype,
    notes: task.notes,
    completed: task.completed,
    completed_at: task.completed_at,
    due_on: task.due_on,
    due_at: null,
    created_at: task.created_at,
    modified_at: task.modified_at,
    permalink_url: `https://app.asana.com/0/${task.memberships[0]?.project ?? '0'}/${task.gid}`,
    workspace: { gid: workspace.gid, resource_type: 'workspace', name: workspace.name },
    projects: task.memberships.map((m) => ({
      gid: m.project,
      resource_type: 'project',
      name: store.projects.get(m.project)?.name,
    })),
    memberships: task.memberships.map((m) => ({
      project: { gid: m.project, resource_type: 'project', name: store.projects.get(m.project)?.name },
      section: m.section
        ? { gid: m.section, resource_type: 'section', name: store.sections.get(m.section)?.name }
        : null,
    })),
    custom_fields: [...fieldGids]
      .map((gid) => store.customFields.get(gid))
      .filter((f): f is CustomField => !!f)
      .map((f) => cleaned(customFieldValue(store, f, task.custom[f.gid] ?? null))),
  };
}

const teamCompact = (team: Team) => ({ gid: team.gid, resource_type: 'team', name: team.name });

/** TeamResponse (asana_oas.yaml): the team, its organization and its page. */
export function fullTeam(store: AsanaStore, team: Team) {
  const workspace = store.workspaces.get(team.workspace)!;
  return {
    ...teamCompact(team),
    description: '',
    html_description: '<body></body>',
    organization: { gid: workspace.gid, resource_type: 'workspace', name: workspace.name },
    permalink_url: `https://app.asana.com/0/${team.gid}`,
    visibility: 'request_to_join',
  };
}

export const COMPACT = {
  team: ['name'],
  project: ['name'],
  section: ['name'],
  task: ['name', 'resource_subtype'],
  workspace: ['name'],
  webhook: ['active', 'resource', 'target'],
  user: ['name'],
};
