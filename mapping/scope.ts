/**
 * The scope: every set-up decision of a deployment in one validated file (SCOPE_FILE, JSON or YAML). Which Asana
 * workspace, which resources are watched, which projects are covered and what happens to archived ones, where Sales
 * Tasks come from and which sections are stages, which custom fields go to which Attio attributes, how People are
 * linked, and how much history a backfill imports. Every key has a default, so `{}` is a valid scope (the demo's);
 * a live start-up additionally refuses a scope in which no task can sync (`assertTasksCanSync`).
 *
 * The documented, commented example is docs/scope.example.yaml (kept valid by test/unit/scope.test.ts). The former
 * field map (FIELD_MAP_FILE, JSON) is a subset of this schema and is still read as a scope.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const slug = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'an Attio api_slug: lowercase letters, digits and underscores, starting with a letter');
const gid = z.string().regex(/^\d+$/, 'an Asana gid (digits only)');

/** One Asana custom field copied to one Attio attribute. */
const CustomFieldMapping = z.object({
  /** The Asana custom field's gid (stable) or its exact name. */
  asana: z.string().min(1),
  /** The Attio attribute's api_slug; created by provisioning if missing. */
  attio: slug,
  /** Attio attribute type. `select` copies enum options by name. @default 'text' */
  type: z.enum(['text', 'number', 'select', 'date']).default('text'),
  /** Attribute title shown in Attio. @default the Asana field's name */
  title: z.string().min(1).optional(),
});
export type CustomFieldMapping = z.infer<typeof CustomFieldMapping>;

/**
 * Where People linking looks for email addresses: a task's fields link People to its Sales Task entry, a project's
 * notes to its project record.
 */
export const PEOPLE_SCAN_FIELDS = ['task.notes', 'task.html_notes', 'project.notes'] as const;
export type PeopleScanField = (typeof PEOPLE_SCAN_FIELDS)[number];

const isoDate = z.iso.date('a date written YYYY-MM-DD');

/**
 * The resyncs the receiver's POST /resync offers (the Attio app's record actions, scripts): `attio-records` (records
 * by their Attio ids, the app's record and bulk record actions), `resources` (Asana gids), `project`, `section`, and
 * `stale` (records whose sync failed). The CLI, an operator's tool, offers every kind regardless.
 */
export const RESYNC_ACTIONS = ['attio-records', 'resources', 'project', 'section', 'stale'] as const;
export type ResyncAction = (typeof RESYNC_ACTIONS)[number];

export const Scope = z
  .object({
    /** The Asana workspace (gid) the service syncs; required for team and workspace watches. */
    workspace: gid.optional(),
    /**
     * `projects-and-tasks` (the default) syncs projects, sections as stages, and Sales Tasks; `projects-only` syncs
     * projects alone and is the only way to start live without a Sales Tasks source.
     */
    syncs: z.enum(['projects-and-tasks', 'projects-only']).default('projects-and-tasks'),
    /**
     * The Asana resources to watch with webhooks. A project webhook carries its tasks' events; a team or the
     * workspace is watched for its projects only (Asana sends no task events there), and each new project it
     * reports is then watched itself when `projects.coverage` covers it.
     */
    watch: z
      .object({
        projects: z.array(gid).default([]),
        teams: z.array(gid).default([]),
        /** Watch the whole workspace (`workspace`) for new and changed projects. @default false */
        workspace: z.boolean().default(false),
      })
      .prefault({}),
    projects: z
      .object({
        /**
         * Which projects are synced: `workspace` (all of it), `teams` (those of `teams`), or `list` (those of
         * `gids`). The Sales Tasks source projects are always covered. @default 'workspace'
         */
        coverage: z.enum(['workspace', 'teams', 'list']).default('workspace'),
        teams: z.array(gid).default([]),
        gids: z.array(gid).default([]),
        /**
         * What an archived project becomes in Attio: `updated` (kept and still updated, the default), `visible`
         * (kept, marked archived, no longer updated), or `tombstoned` (marked deleted_in_asana).
         */
        archived: z.enum(['updated', 'visible', 'tombstoned']).default('updated'),
        /** Attio object that receives one record per Asana project, matched on `asana_gid`. */
        object: slug.default('asana_projects'),
        singularNoun: z.string().default('Asana project'),
        pluralNoun: z.string().default('Asana projects'),
        customFields: z.array(CustomFieldMapping).default([]),
      })
      .prefault({}),
    sections: z
      .object({
        /** Attio object that tracks each stage section of the source projects and its stage (status) id. */
        object: slug.default('asana_sections'),
      })
      .prefault({}),
    salesTasks: z
      .object({
        /**
         * The Asana projects whose tasks are Sales Tasks. A task in several projects is owned by its first source
         * project in this list: that project's section is its stage; its other projects are only listed.
         */
        sourceProjects: z.array(gid).default([]),
        /** The former field map's single source project; read as `sourceProjects: [gid]`. */
        sourceProjectGid: gid.optional(),
        /** Which sections of the source projects are stages: `all` (the default) or a list of section names. */
        stageSections: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
        /**
         * A task in a section that is no stage: `no-stage` keeps its entry with the stage empty (the default);
         * `excluded` makes it no Sales Task (an existing entry is tombstoned).
         */
        unmappedSection: z.enum(['no-stage', 'excluded']).default('no-stage'),
        /** Attio list of Sales Tasks; each stage section is a stage (status) of it. */
        list: slug.default('sales_tasks'),
        listName: z.string().default('Sales Tasks'),
        /** Attio object whose records are the list entries' parents, one per task, matched on `asana_gid`. */
        parentObject: slug.default('asana_tasks'),
        /** The list's status attribute that holds the stage. */
        stageAttribute: slug.default('stage'),
        customFields: z.array(CustomFieldMapping).default([]),
      })
      .prefault({})
      .transform(({ sourceProjectGid, ...salesTasks }) => ({
        ...salesTasks,
        sourceProjects: [...new Set([...(sourceProjectGid ? [sourceProjectGid] : []), ...salesTasks.sourceProjects])],
      })),
    people: z
      .object({
        /** Link Attio People found by the email addresses written in a task. @default false */
        enabled: z.boolean().default(false),
        /** Create a Person for an address no Person has (`true`), or link existing People only. @default false */
        createMissing: z.boolean().default(false),
        /**
         * The fields scanned for addresses: `task.notes`, `task.html_notes` (People of the task's Sales Task entry),
         * `project.notes` (People of the project's record). @default ['task.notes']
         */
        scan: z.array(z.enum(PEOPLE_SCAN_FIELDS)).min(1).default(['task.notes']),
        /** The record-reference attribute that holds the linked People (on the list, and on projects if scanned). */
        attribute: slug.default('people'),
      })
      .prefault({}),
    backfill: z
      .object({
        /**
         * How much history a backfill (and a full reconciliation) imports: `all`, or only the tasks modified on or
         * after `modifiedSince`. A task edited later comes in with its change.
         */
        history: z.union([z.literal('all'), z.object({ modifiedSince: isoDate })]).default('all'),
        /** The resyncs POST /resync offers (`RESYNC_ACTIONS`); one not listed is refused with 403. @default all */
        resyncActions: z.array(z.enum(RESYNC_ACTIONS)).default([...RESYNC_ACTIONS]),
      })
      .prefault({}),
  })
  .strict()
  .superRefine((scope, context) => {
    const problem = (path: (string | number)[], message: string) => context.addIssue({ code: 'custom', path, message });
    if (!scope.workspace && (scope.watch.workspace || scope.watch.teams.length > 0)) {
      problem(['workspace'], 'required to watch a team or the workspace (the Asana workspace gid)');
    }
    if (scope.projects.coverage === 'teams' && scope.projects.teams.length === 0) {
      problem(['projects', 'teams'], 'lists no team, but projects.coverage is `teams`');
    }
    if (scope.projects.coverage === 'list' && scope.projects.gids.length === 0) {
      problem(['projects', 'gids'], 'lists no project, but projects.coverage is `list`');
    }
  });
export type Scope = z.infer<typeof Scope>;

/** Whether People are linked to project records (`people.scan` names `project.notes`). */
export const linksProjectPeople = (scope: Scope): boolean =>
  scope.people.enabled && scope.people.scan.includes('project.notes');
export type ScopeInput = z.input<typeof Scope>;

export class ScopeError extends Error {
  override name = 'ScopeError';
}

export function parseScope(value: unknown, source = 'scope'): Scope {
  const result = Scope.safeParse(value ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ScopeError(`${source} is invalid:\n${problems.join('\n')}`);
  }
  return result.data;
}

/** Reads and validates a scope file: YAML (which JSON is a subset of), so `.json`, `.yaml` and `.yml` all work. */
export function loadScope(path: string, variable = 'SCOPE_FILE'): Scope {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScopeError(`cannot read ${variable} ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ScopeError(`${variable} ${path} is neither JSON nor YAML: ${(error as Error).message}`);
  }
  return parseScope(value, `${variable} ${path}`);
}

/**
 * Live start-up refuses a scope in which no task can sync: without a Sales Tasks source every task would map to
 * `removed` and each sync would end "successfully" with nothing written. `syncs: projects-only` says it is meant.
 */
export function assertTasksCanSync(scope: Scope, source = 'the scope'): void {
  if (scope.syncs === 'projects-and-tasks' && scope.salesTasks.sourceProjects.length === 0) {
    throw new ScopeError(
      `${source}: salesTasks.sourceProjects is empty, so no task would ever sync. Name the Asana project(s) whose ` +
        'tasks are Sales Tasks (salesTasks.sourceProjects: [<project gid>]), or set `syncs: projects-only` ' +
        'if only projects are to be synced (docs/scope.example.yaml).',
    );
  }
}

/**
 * The filters a webhook on this kind of resource needs. Asana requires filters on higher-level resources (workspace,
 * team, portfolio) and sends them no task events; their projects' events are what the sync needs there, to see
 * projects appear, change and go (docs/asana.md §1.3). A project webhook takes everything (no filters).
 */
export function webhookFiltersFor(
  resourceType: 'project' | 'workspace' | 'team' | 'portfolio',
): { resource_type: string; action: string }[] | undefined {
  if (resourceType === 'project') return undefined;
  return PROJECT_COVERAGE_ACTIONS.map((action) => ({ resource_type: 'project', action }));
}

/** `added` and `changed` find new and changed projects; `deleted` and `undeleted` keep tombstones current. */
const PROJECT_COVERAGE_ACTIONS = ['added', 'changed', 'deleted', 'undeleted'] as const;

/**
 * Whether a project reported by a watched team or workspace gets a project webhook of its own (its task events come
 * only through one): when the scope watches its team or its workspace and covers the project.
 */
export function watchesProjectForTasks(
  scope: Scope,
  project: { team?: { gid: string } | null; workspace?: { gid: string } | null; archived?: boolean | null },
): boolean {
  if (project.archived) return false;
  const inWatchedTeam = !!project.team && scope.watch.teams.includes(project.team.gid);
  const inWatchedWorkspace = scope.watch.workspace && !!project.workspace && project.workspace.gid === scope.workspace;
  return inWatchedTeam || inWatchedWorkspace;
}
