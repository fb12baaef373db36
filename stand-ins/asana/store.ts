/**
 * The Asana stand-in's data: workspaces, users, projects, sections, tasks (with a section per project membership),
 * custom fields, and the event log that every mutation appends to. Mutations here are what a person does in Asana's
 * UI; each emits events in Asana's shape (docs/asana.md 1.4), which the server routes to webhooks and to the
 * Events API.
 */
import type { StandInClock } from '../kit/clock';

export interface Compact {
  gid: string;
  resource_type: string;
  name?: string;
  resource_subtype?: string;
}

export interface CustomField {
  gid: string;
  name: string;
  type: 'text' | 'number' | 'enum';
  enum_options: { gid: string; name: string; enabled: boolean; color: string }[];
}

export type CustomValue = string | number | null;

export interface Workspace {
  gid: string;
  name: string;
}
export interface Team {
  gid: string;
  name: string;
  /** The organization (workspace) the team belongs to. */
  workspace: string;
}
export interface User {
  gid: string;
  name: string;
  email: string;
}
export interface Project {
  gid: string;
  name: string;
  archived: boolean;
  workspace: string;
  /** The team's gid (stand-ins/asana/store.ts `teams`). */
  team?: string;
  owner?: string;
  notes: string;
  start_on: string | null;
  due_on: string | null;
  created_at: string;
  modified_at: string;
  customFields: string[];
  custom: Record<string, CustomValue>;
  deleted: boolean;
}
export interface Section {
  gid: string;
  name: string;
  project: string;
  created_at: string;
  deleted: boolean;
}
export interface Task {
  gid: string;
  name: string;
  notes: string;
  completed: boolean;
  completed_at: string | null;
  resource_subtype: 'default_task' | 'milestone' | 'approval';
  due_on: string | null;
  created_at: string;
  modified_at: string;
  workspace: string;
  memberships: { project: string; section: string | null }[];
  custom: Record<string, CustomValue>;
  deleted: boolean;
}

export interface AsanaEvent {
  /** Position in the stand-in's event log (not part of Asana's shape; stripped before sending). */
  seq: number;
  user: Compact | null;
  created_at: string;
  action: 'added' | 'changed' | 'removed' | 'deleted' | 'undeleted';
  resource: Compact;
  parent: Compact | null;
  change?: { field: string; action: 'changed' | 'added' | 'removed'; new_value?: Compact };
  /** Projects the event concerns, for routing to project webhooks and Events API streams (not sent). */
  projects: string[];
  workspace: string;
}

export class AsanaStore {
  readonly workspaces = new Map<string, Workspace>();
  readonly teams = new Map<string, Team>();
  readonly users = new Map<string, User>();
  readonly projects = new Map<string, Project>();
  readonly sections = new Map<string, Section>();
  readonly tasks = new Map<string, Task>();
  readonly customFields = new Map<string, CustomField>();
  readonly events: AsanaEvent[] = [];
  private nextGid: bigint;
  private readonly listeners: ((event: AsanaEvent) => void)[] = [];
  /** The user mutations are attributed to. */
  actor: User;

  constructor(
    private readonly clock: StandInClock,
    firstGid = 1_210_000_000_000_000n,
  ) {
    this.nextGid = firstGid;
    this.actor = { gid: this.gid(), name: 'Stand-in Person', email: 'person@stand-in.example' };
    this.users.set(this.actor.gid, this.actor);
  }

  gid(): string {
    this.nextGid += 1n;
    return String(this.nextGid);
  }

  onEvent(listener: (event: AsanaEvent) => void): void {
    this.listeners.push(listener);
  }

  private now(): string {
    return this.clock.nowIso();
  }

  private emit(event: Omit<AsanaEvent, 'seq' | 'user' | 'created_at'>): void {
    const full: AsanaEvent = {
      ...event,
      seq: this.events.length + 1,
      user: { gid: this.actor.gid, resource_type: 'user', name: this.actor.name },
      created_at: this.now(),
    };
    this.events.push(full);
    for (const listener of this.listeners) listener(full);
  }

  compact(kind: 'task' | 'project' | 'section', gid: string): Compact {
    if (kind === 'task') {
      const t = this.tasks.get(gid)!;
      return { gid, resource_type: 'task', name: t.name, resource_subtype: t.resource_subtype };
    }
    const named = kind === 'project' ? this.projects.get(gid) : this.sections.get(gid);
    return { gid, resource_type: kind, name: named?.name ?? '' };
  }

  // --- setup -----------------------------------------------------------------------------------------------------

  addWorkspace(name: string): Workspace {
    const workspace = { gid: this.gid(), name };
    this.workspaces.set(workspace.gid, workspace);
    return workspace;
  }

  /** A team of an organization: every project of an organization belongs to one (TeamCompact, asana_oas.yaml). */
  addTeam(workspace: string, name: string): Team {
    if (!this.workspaces.has(workspace)) throw new StoreError(404, `workspace: Unknown object: ${workspace}`);
    const team = { gid: this.gid(), name, workspace };
    this.teams.set(team.gid, team);
    return team;
  }

  addCustomField(field: Omit<CustomField, 'gid' | 'enum_options'> & { options?: string[] }): CustomField {
    const created: CustomField = {
      gid: this.gid(),
      name: field.name,
      type: field.type,
      enum_options: (field.options ?? []).map((name, i) => ({
        gid: this.gid(),
        name,
        enabled: true,
        color: ['red', 'orange', 'yellow', 'green', 'blue'][i % 5]!,
      })),
    };
    this.customFields.set(created.gid, created);
    return created;
  }

  // --- projects ----------------------------------------------------------------------------------------------------

  createProject(input: {
    workspace: string;
    name: string;
    /** A team of the workspace (its gid). */
    team?: string;
    customFields?: string[];
    custom?: Record<string, CustomValue>;
    notes?: string;
  }): Project {
    if (input.team && this.teams.get(input.team)?.workspace !== input.workspace) {
      throw new StoreError(400, `team: ${input.team} is no team of workspace ${input.workspace}`);
    }
    const now = this.now();
    const project: Project = {
      gid: this.gid(),
      name: input.name,
      archived: false,
      workspace: input.workspace,
      ...(input.team ? { team: input.team } : {}),
      owner: this.actor.gid,
      notes: input.notes ?? '',
      start_on: null,
      due_on: null,
      created_at: now,
      modified_at: now,
      customFields: input.customFields ?? [],
      custom: input.custom ?? {},
      deleted: false,
    };
    this.projects.set(project.gid, project);
    this.emit({
      action: 'added',
      resource: this.compact('project', project.gid),
      parent: { gid: input.workspace, resource_type: 'workspace' },
      projects: [project.gid],
      workspace: input.workspace,
    });
    return project;
  }

  updateProject(
    gid: string,
    changes: Partial<Pick<Project, 'name' | 'archived' | 'notes' | 'due_on' | 'start_on'>> & {
      custom?: Record<string, CustomValue>;
    },
  ): Project {
    const project = this.requireProject(gid);
    for (const [field, value] of Object.entries(changes)) {
      if (field === 'custom') Object.assign(project.custom, value);
      else (project as unknown as Record<string, unknown>)[field] = value;
      this.emit({
        action: 'changed',
        resource: this.compact('project', gid),
        parent: null,
        change: { field: field === 'custom' ? 'custom_fields' : field, action: 'changed' },
        projects: [gid],
        workspace: project.workspace,
      });
    }
    project.modified_at = this.now();
    return project;
  }

  deleteProject(gid: string): void {
    const project = this.requireProject(gid);
    project.deleted = true;
    this.emit({
      action: 'deleted',
      resource: this.compact('project', gid),
      parent: null,
      projects: [gid],
      workspace: project.workspace,
    });
  }

  // --- sections ----------------------------------------------------------------------------------------------------

  createSection(projectGid: string, name: string): Section {
    const project = this.requireProject(projectGid);
    const section: Section = { gid: this.gid(), name, project: projectGid, created_at: this.now(), deleted: false };
    this.sections.set(section.gid, section);
    this.emit({
      action: 'added',
      resource: this.compact('section', section.gid),
      parent: this.compact('project', projectGid),
      projects: [projectGid],
      workspace: project.workspace,
    });
    return section;
  }

  renameSection(gid: string, name: string): Section {
    const section = this.requireSection(gid);
    section.name = name;
    this.emit({
      action: 'changed',
      resource: this.compact('section', gid),
      parent: null,
      change: { field: 'name', action: 'changed' },
      projects: [section.project],
      workspace: this.requireProject(section.project).workspace,
    });
    return section;
  }

  deleteSection(gid: string): void {
    const section = this.requireSection(gid);
    section.deleted = true;
    for (const task of this.tasks.values()) {
      for (const m of task.memberships) if (m.section === gid) m.section = null;
    }
    this.emit({
      action: 'deleted',
      resource: this.compact('section', gid),
      parent: null,
      projects: [section.project],
      workspace: this.requireProject(section.project).workspace,
    });
  }

  // --- tasks -------------------------------------------------------------------------------------------------------

  createTask(input: {
    project: string;
    section?: string;
    name: string;
    notes?: string;
    due_on?: string | null;
    custom?: Record<string, CustomValue>;
    resource_subtype?: Task['resource_subtype'];
  }): Task {
    const project = this.requireProject(input.project);
    const now = this.now();
    const task: Task = {
      gid: this.gid(),
      name: input.name,
      notes: input.notes ?? '',
      completed: false,
      completed_at: null,
      resource_subtype: input.resource_subtype ?? 'default_task',
      due_on: input.due_on ?? null,
      created_at: now,
      modified_at: now,
      workspace: project.workspace,
      memberships: [{ project: input.project, section: input.section ?? this.firstSection(input.project) }],
      custom: input.custom ?? {},
      deleted: false,
    };
    this.tasks.set(task.gid, task);
    this.emit({
      action: 'added',
      resource: this.compact('task', task.gid),
      parent: this.compact('project', input.project),
      projects: [input.project],
      workspace: project.workspace,
    });
    return task;
  }

  updateTask(
    gid: string,
    changes: Partial<Pick<Task, 'name' | 'notes' | 'completed' | 'due_on'>> & { custom?: Record<string, CustomValue> },
  ): Task {
    const task = this.requireTask(gid);
    const fields: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      if (field === 'custom') {
        Object.assign(task.custom, value);
        fields.push('custom_fields');
      } else if (field === 'completed') {
        task.completed = Boolean(value);
        task.completed_at = task.completed ? this.now() : null;
        // Completing a task is two events with the same time (docs/asana.md 1.4).
        fields.push('completed', 'completed_at');
      } else {
        (task as unknown as Record<string, unknown>)[field] = value;
        fields.push(field);
      }
    }
    task.modified_at = this.now();
    for (const field of fields) {
      this.emit({
        action: 'changed',
        resource: this.compact('task', gid),
        parent: null,
        change: { field, action: 'changed' },
        projects: this.projectsOf(task),
        workspace: task.workspace,
      });
    }
    return task;
  }

  /** Moves a task to another section of a project it is in (or adds it to the project in that section). */
  moveTask(gid: string, sectionGid: string): Task {
    const task = this.requireTask(gid);
    const section = this.requireSection(sectionGid);
    const membership = task.memberships.find((m) => m.project === section.project);
    const previous = membership?.section ?? null;
    if (membership) membership.section = sectionGid;
    else task.memberships.push({ project: section.project, section: sectionGid });
    // A move does not change modified_at (OAS:L7819-7847: container changes do not count).
    this.emit({
      action: 'added',
      resource: this.compact('task', gid),
      parent: this.compact('section', sectionGid),
      projects: this.projectsOf(task),
      workspace: task.workspace,
    });
    if (previous) {
      this.emit({
        action: 'removed',
        resource: this.compact('task', gid),
        parent: this.compact('section', previous),
        projects: this.projectsOf(task),
        workspace: task.workspace,
      });
    }
    return task;
  }

  addTaskToProject(gid: string, projectGid: string, sectionGid?: string): Task {
    const task = this.requireTask(gid);
    this.requireProject(projectGid);
    if (!task.memberships.some((m) => m.project === projectGid)) {
      task.memberships.push({ project: projectGid, section: sectionGid ?? this.firstSection(projectGid) });
    }
    this.emit({
      action: 'added',
      resource: this.compact('task', gid),
      parent: this.compact('project', projectGid),
      projects: this.projectsOf(task),
      workspace: task.workspace,
    });
    return task;
  }

  removeTaskFromProject(gid: string, projectGid: string): Task {
    const task = this.requireTask(gid);
    const projects = this.projectsOf(task);
    task.memberships = task.memberships.filter((m) => m.project !== projectGid);
    this.emit({
      action: 'removed',
      resource: this.compact('task', gid),
      parent: this.compact('project', projectGid),
      projects,
      workspace: task.workspace,
    });
    return task;
  }

  deleteTask(gid: string): void {
    const task = this.requireTask(gid);
    task.deleted = true;
    this.emit({
      action: 'deleted',
      resource: this.compact('task', gid),
      parent: null,
      projects: this.projectsOf(task),
      workspace: task.workspace,
    });
  }

  undeleteTask(gid: string): Task {
    const task = this.tasks.get(gid);
    if (!task) throw new StoreError(404, `task ${gid} does not exist`);
    task.deleted = false;
    this.emit({
      action: 'undeleted',
      resource: this.compact('task', gid),
      parent: null,
      projects: this.projectsOf(task),
      workspace: task.workspace,
    });
    return task;
  }

  // --- lookups -----------------------------------------------------------------------------------------------------

  projectsOf(task: Task): string[] {
    return task.memberships.map((m) => m.project);
  }

  firstSection(projectGid: string): string | null {
    for (const section of this.sections.values())
      if (section.project === projectGid && !section.deleted) return section.gid;
    return null;
  }

  requireProject(gid: string): Project {
    const project = this.projects.get(gid);
    if (!project || project.deleted) throw new StoreError(404, `project ${gid} does not exist`);
    return project;
  }

  requireTeam(gid: string): Team {
    const team = this.teams.get(gid);
    if (!team) throw new StoreError(404, `team ${gid} does not exist`);
    return team;
  }

  requireWorkspace(gid: string): Workspace {
    const workspace = this.workspaces.get(gid);
    if (!workspace) throw new StoreError(404, `workspace ${gid} does not exist`);
    return workspace;
  }

  requireSection(gid: string): Section {
    const section = this.sections.get(gid);
    if (!section || section.deleted) throw new StoreError(404, `section ${gid} does not exist`);
    return section;
  }

  requireTask(gid: string): Task {
    const task = this.tasks.get(gid);
    if (!task || task.deleted) throw new StoreError(404, `task ${gid} does not exist`);
    return task;
  }
}

export class StoreError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
