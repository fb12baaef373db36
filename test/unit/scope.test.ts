/**
 * The scope file: its documented example is valid, and each set-up decision it offers changes what the mapping
 * writes (mapping/map-asana-to-attio.ts).
 */
import { resolve } from 'node:path';
import type { AsanaProject, AsanaTask } from '../../mapping/asana-resources';
import {
  coversProject,
  mapProject,
  mapSection,
  mapTask,
  withinBackfillHistory,
} from '../../mapping/map-asana-to-attio';
import {
  assertTasksCanSync,
  loadScope,
  parseScope,
  type ScopeInput,
  ScopeError,
  watchesProjectForTasks,
  webhookFiltersFor,
} from '../../mapping/scope';

const SOURCE = '1200000000000100';
const OTHER_SOURCE = '1200000000000300';
const DELIVERY = '1200000000000200';
const scope = (input: ScopeInput = {}) =>
  parseScope({ ...input, salesTasks: { sourceProjects: [SOURCE], ...input.salesTasks } });

const task = (overrides: Partial<AsanaTask> = {}): AsanaTask => ({
  gid: '1200000000000900',
  name: 'Send proposal to Acme',
  notes: 'Contact: ana@acme.example',
  html_notes: '<body>Also <a href="mailto:bob@acme.example">Bob</a></body>',
  modified_at: '2026-03-01T10:00:00.000Z',
  memberships: [
    { project: { gid: DELIVERY, name: 'Delivery' }, section: { gid: '201', name: 'Doing' } },
    { project: { gid: SOURCE, name: 'Sales' }, section: { gid: '101', name: 'Proposal' } },
  ],
  ...overrides,
});

const project = (overrides: Partial<AsanaProject> = {}): AsanaProject => ({
  gid: DELIVERY,
  name: 'Delivery',
  archived: false,
  workspace: { gid: '1200000000000001', name: 'Acme' },
  team: { gid: '1200000000000010', name: 'Sales team' },
  ...overrides,
});

describe('the scope file', () => {
  test('the commented example in docs/ is valid YAML and covers every decision', () => {
    const example = loadScope(resolve(__dirname, '../../docs/scope.example.yaml'));
    expect(example).toMatchObject({
      workspace: '1200000000000001',
      watch: { projects: [SOURCE], teams: ['1200000000000010'] },
      projects: { coverage: 'teams', archived: 'visible' },
      salesTasks: { sourceProjects: [SOURCE], unmappedSection: 'no-stage' },
      people: { enabled: true, createMissing: false, scan: ['task.notes', 'task.html_notes', 'project.notes'] },
      backfill: { history: { modifiedSince: '2026-01-01' }, resyncActions: ['attio-records', 'stale'] },
    });
    expect(() => assertTasksCanSync(example)).not.toThrow();
  });

  test('an unknown key, a team watch without a workspace and an empty coverage list are refused by path', () => {
    const problems = () =>
      parseScope({ watch: { teams: ['1'] }, projects: { coverage: 'list' }, salesTask: {} }, 'SCOPE_FILE x.yaml');
    expect(problems).toThrow(ScopeError);
    expect(problems).toThrow(/SCOPE_FILE x\.yaml is invalid/);
    expect(problems).toThrow(/salesTask/);
    expect(problems).toThrow(/workspace: required to watch a team/);
    expect(problems).toThrow(/projects\.gids: lists no project/);
  });

  test('no Sales Tasks source cannot sync a task, unless the scope says projects only', () => {
    expect(() => assertTasksCanSync(parseScope({}))).toThrow(/salesTasks\.sourceProjects is empty/);
    expect(() => assertTasksCanSync(parseScope({ syncs: 'projects-only' }))).not.toThrow();
  });

  test('the former field map’s single source project is read as the source project list', () => {
    expect(parseScope({ salesTasks: { sourceProjectGid: SOURCE } }).salesTasks.sourceProjects).toEqual([SOURCE]);
  });
});

describe('project coverage', () => {
  test('workspace covers every project of the workspace; teams and list only theirs; sources always', () => {
    expect(coversProject(scope({ workspace: '1200000000000001' }), project())).toBe(true);
    expect(coversProject(scope({ workspace: '999' }), project())).toBe(false);
    const teams = scope({ projects: { coverage: 'teams', teams: ['1200000000000010'] } });
    expect(coversProject(teams, project())).toBe(true);
    expect(coversProject(teams, project({ team: { gid: '77' } }))).toBe(false);
    const list = scope({ projects: { coverage: 'list', gids: ['5'] } });
    expect(coversProject(list, project())).toBe(false);
    expect(coversProject(list, project({ gid: SOURCE }))).toBe(true);
    expect(mapProject(project(), list)).toMatchObject({ kind: 'project', state: 'out-of-scope' });
  });

  test('an archived project is updated, kept visible without updates, or tombstoned, as the scope says', () => {
    const archived = project({ archived: true, name: 'Delivery (old)' });
    expect(mapProject(archived, scope())).toMatchObject({ state: 'present', values: { name: ['Delivery (old)'] } });
    const visible = mapProject(archived, scope({ projects: { archived: 'visible' } }));
    expect(visible).toMatchObject({ state: 'present', values: { asana_gid: [DELIVERY], archived: [true] } });
    expect(visible.kind === 'project' && visible.state === 'present' && Object.keys(visible.values).sort()).toEqual([
      'archived',
      'asana_gid',
    ]);
    const renamed = mapProject({ ...archived, name: 'Renamed' }, scope({ projects: { archived: 'visible' } }));
    expect(renamed.hash).toBe(visible.hash);
    expect(mapProject(archived, scope({ projects: { archived: 'tombstoned' } }))).toMatchObject({ state: 'deleted' });
  });
});

describe('Sales Tasks sources and stages', () => {
  test('a task in two source projects is owned by the first one listed', () => {
    const both = task({
      memberships: [
        { project: { gid: OTHER_SOURCE, name: 'Renewals' }, section: { gid: '301', name: 'Renewal due' } },
        { project: { gid: SOURCE, name: 'Sales' }, section: { gid: '101', name: 'Proposal' } },
      ],
    });
    expect(mapTask(both, scope({ salesTasks: { sourceProjects: [SOURCE, OTHER_SOURCE] } }))).toMatchObject({
      stage: { sectionGid: '101', projectGid: SOURCE },
    });
    expect(mapTask(both, scope({ salesTasks: { sourceProjects: [OTHER_SOURCE, SOURCE] } }))).toMatchObject({
      stage: { sectionGid: '301', projectGid: OTHER_SOURCE },
    });
  });

  test('with a named subset of stage sections, other sections are no stages', () => {
    const subset = scope({ salesTasks: { sourceProjects: [SOURCE], stageSections: ['Won', 'Lost'] } });
    expect(mapSection({ gid: '105', name: 'Won', project: { gid: SOURCE } }, subset)).toMatchObject({
      state: 'present',
    });
    expect(mapSection({ gid: '101', name: 'Proposal', project: { gid: SOURCE } }, subset)).toMatchObject({
      state: 'out-of-scope',
    });
  });

  test('a task in an unmapped section keeps its entry without a stage, or is excluded, as the scope says', () => {
    const stageless = mapTask(task(), scope({ salesTasks: { sourceProjects: [SOURCE], stageSections: ['Won'] } }));
    expect(stageless).toMatchObject({ state: 'present' });
    expect(stageless).not.toHaveProperty('stage');
    const excluded = scope({
      salesTasks: { sourceProjects: [SOURCE], stageSections: ['Won'], unmappedSection: 'excluded' },
    });
    expect(mapTask(task(), excluded)).toMatchObject({ state: 'removed' });
  });
});

describe('People linking', () => {
  test('scans task notes by default, and html_notes when the scope names them', () => {
    expect(mapTask(task(), scope({ people: { enabled: true } }))).toMatchObject({ emails: ['ana@acme.example'] });
    expect(mapTask(task(), scope({ people: { enabled: true, scan: ['task.html_notes'] } }))).toMatchObject({
      emails: ['bob@acme.example'],
    });
    expect(
      mapTask(task(), scope({ people: { enabled: true, scan: ['task.notes', 'task.html_notes'] } })),
    ).toMatchObject({ emails: ['ana@acme.example', 'bob@acme.example'] });
    expect(mapTask(task(), scope())).toMatchObject({ emails: [] });
  });

  test('project notes link People to the project when scanned; a task scan ignores them', () => {
    const withNotes = project({ notes: 'Sponsor: Carla <carla@acme.example>' });
    const projectPeople = scope({ people: { enabled: true, scan: ['project.notes'] } });
    expect(mapProject(withNotes, projectPeople)).toMatchObject({ emails: ['carla@acme.example'] });
    expect(mapTask(task(), projectPeople)).toMatchObject({ emails: [] });
    // Not scanned (or linking off): the project's mapping, and so its hash, is what it was.
    expect(mapProject(withNotes, scope({ people: { enabled: true } }))).toEqual(mapProject(withNotes, scope()));
    expect(mapProject(withNotes, scope())).not.toHaveProperty('emails');
    expect(mapProject(withNotes, scope({ people: { enabled: false, scan: ['project.notes'] } }))).not.toHaveProperty(
      'emails',
    );
  });
});

describe('backfill history', () => {
  test('all imports every task; modifiedSince only those modified on or after the date', () => {
    expect(withinBackfillHistory(task(), scope())).toBe(true);
    const since = scope({ backfill: { history: { modifiedSince: '2026-03-01' } } });
    expect(withinBackfillHistory(task(), since)).toBe(true);
    expect(withinBackfillHistory(task({ modified_at: '2026-02-28T23:59:59.000Z' }), since)).toBe(false);
    expect(() => scope({ backfill: { history: { modifiedSince: '03/01/2026' } } })).toThrow(/YYYY-MM-DD/);
  });
});

describe('team and workspace watches', () => {
  test('a team or workspace webhook gets the project filters Asana requires; a project webhook none', () => {
    const filters = webhookFiltersFor('team');
    expect(filters).toEqual(expect.arrayContaining([{ resource_type: 'project', action: 'added' }]));
    expect(filters).toEqual(expect.arrayContaining([{ resource_type: 'project', action: 'changed' }]));
    expect(filters?.every((f) => f.resource_type === 'project' && !('fields' in f))).toBe(true);
    expect(webhookFiltersFor('workspace')).toEqual(filters);
    expect(webhookFiltersFor('project')).toBeUndefined();
  });

  test('a covered project of a watched team or workspace is watched for its tasks; others and archived ones not', () => {
    const teamWatch = scope({ workspace: '1200000000000001', watch: { teams: ['1200000000000010'] } });
    expect(mapProject(project(), teamWatch)).toMatchObject({ watchForTasks: { workspaceGid: '1200000000000001' } });
    expect(mapProject(project({ team: { gid: '77' } }), teamWatch)).not.toHaveProperty('watchForTasks');
    expect(mapProject(project({ archived: true }), teamWatch)).not.toHaveProperty('watchForTasks');
    const workspaceWatch = scope({ workspace: '1200000000000001', watch: { workspace: true } });
    expect(watchesProjectForTasks(workspaceWatch, project({ team: null }))).toBe(true);
    expect(watchesProjectForTasks(scope(), project())).toBe(false);
    // Not covered, not synced, not watched.
    const listed = scope({
      workspace: '1200000000000001',
      watch: { workspace: true },
      projects: { coverage: 'list', gids: ['5'] },
    });
    expect(mapProject(project(), listed)).toMatchObject({ state: 'out-of-scope' });
  });
});
