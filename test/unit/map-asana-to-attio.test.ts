import type { AsanaTask } from '../../mapping/asana-resources';
import { FieldMapError, parseFieldMap } from '../../mapping/field-map';
import {
  contentHash,
  extractEmails,
  mapDeleted,
  mapProject,
  mapSection,
  mapTask,
} from '../../mapping/map-asana-to-attio';

const SOURCE = '1200000000000100';
const map = parseFieldMap({
  salesTasks: { sourceProjectGid: SOURCE, customFields: [{ asana: 'Deal size', attio: 'deal_size', type: 'number' }] },
  projects: { customFields: [{ asana: '555', attio: 'client_tier', type: 'select' }] },
  people: { enabled: true },
});

const task = (overrides: Partial<AsanaTask> = {}): AsanaTask => ({
  gid: '1200000000000900',
  name: 'Send proposal to Acme',
  completed: false,
  completed_at: null,
  notes: 'Contact: Ana <Ana.Lima@Acme.example> and bob@acme.example; cc ana.lima@acme.example',
  permalink_url: 'https://app.asana.com/0/1/2',
  resource_subtype: 'default_task',
  due_on: '2026-12-01',
  memberships: [
    { project: { gid: '1200000000000200', name: 'Delivery' }, section: { gid: '1200000000000201', name: 'Doing' } },
    { project: { gid: SOURCE, name: 'Sales Tasks' }, section: { gid: '1200000000000101', name: 'Proposal' } },
  ],
  custom_fields: [{ gid: '777', name: 'Deal size', number_value: 12000, display_value: '12000' }],
  ...overrides,
});

describe('field map', () => {
  test('an empty map is valid and names the default object, list and stage attribute', () => {
    const defaults = parseFieldMap({});
    expect(defaults.projects.object).toBe('asana_projects');
    expect(defaults.salesTasks.list).toBe('sales_tasks');
    expect(defaults.salesTasks.stageAttribute).toBe('stage');
    expect(defaults.people.enabled).toBe(false);
  });

  test('a bad map lists each problem with its path', () => {
    expect(() =>
      parseFieldMap({ projects: { object: 'Asana Projects' }, salesTasks: { sourceProjectGid: 'abc' } }),
    ).toThrow(FieldMapError);
    try {
      parseFieldMap({ projects: { object: 'Asana Projects' }, salesTasks: { sourceProjectGid: 'abc' } });
    } catch (error) {
      expect((error as Error).message).toMatch(/projects\.object: an Attio api_slug/);
      expect((error as Error).message).toMatch(/salesTasks\.sourceProjectGid: an Asana gid/);
    }
  });
});

describe('mapTask', () => {
  test('maps a task of the source project to an entry with its stage, custom fields and linked emails', () => {
    const mapped = mapTask(task(), map);
    expect(mapped).toMatchObject({
      kind: 'task',
      state: 'present',
      recordValues: { asana_gid: ['1200000000000900'], name: ['Send proposal to Acme'] },
      entryValues: {
        name: ['Send proposal to Acme'],
        completed: [false],
        completed_at: [],
        task_type: ['default_task'],
        projects: ['Delivery, Sales Tasks'],
        due_on: ['2026-12-01'],
        deal_size: [12000],
        deleted_in_asana: [false],
      },
      stage: { sectionGid: '1200000000000101', name: 'Proposal', projectGid: SOURCE },
      emails: ['ana.lima@acme.example', 'bob@acme.example'],
    });
  });

  test('a task outside the source project is "removed", so an entry it had is tombstoned', () => {
    const mapped = mapTask(task({ memberships: [{ project: { gid: '1200000000000200' }, section: null }] }), map);
    expect(mapped).toMatchObject({ kind: 'task', state: 'removed' });
  });

  test('equal content hashes equally whatever the key order, and any change changes the hash', () => {
    const a = mapTask(task(), map);
    const reordered = mapTask({ ...task(), custom_fields: task().custom_fields, name: 'Send proposal to Acme' }, map);
    expect(reordered.hash).toBe(a.hash);
    expect(mapTask(task({ completed: true }), map).hash).not.toBe(a.hash);
    expect(contentHash({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe(contentHash({ a: [1, { c: 3, d: 2 }], b: 1 }));
  });

  test('people linking off: no emails are extracted', () => {
    expect(mapTask(task(), parseFieldMap({ salesTasks: { sourceProjectGid: SOURCE } }))).toMatchObject({ emails: [] });
  });
});

describe('mapProject, mapSection, mapDeleted', () => {
  test('maps a project with the selected custom field by gid', () => {
    const mapped = mapProject(
      {
        gid: '1200000000000200',
        name: 'Delivery',
        archived: true,
        workspace: { gid: '1', name: 'Acme Corp' },
        team: null,
        custom_fields: [{ gid: '555', name: 'Client tier', enum_value: { name: 'Gold' } }],
      },
      map,
    );
    expect(mapped).toMatchObject({
      kind: 'project',
      values: {
        asana_gid: ['1200000000000200'],
        archived: [true],
        workspace: ['Acme Corp'],
        team: [],
        client_tier: ['Gold'],
      },
    });
  });

  test('sections of the source project are stages; others are out of scope', () => {
    expect(mapSection({ gid: '101', name: 'Won', project: { gid: SOURCE } }, map)).toMatchObject({
      state: 'present',
      name: 'Won',
      projectGid: SOURCE,
    });
    expect(mapSection({ gid: '201', name: 'Doing', project: { gid: '1200000000000200' } }, map)).toMatchObject({
      state: 'out-of-scope',
    });
  });

  test('a deletion maps to the same tombstone every time', () => {
    expect(mapDeleted('task', '9').hash).toBe(mapDeleted('task', '9').hash);
    expect(mapDeleted('task', '9')).toMatchObject({ kind: 'task', gid: '9', state: 'deleted' });
  });
});

describe('extractEmails', () => {
  test('finds explicit addresses, lower-cased and de-duplicated, and nothing in plain text', () => {
    expect(extractEmails('mailto:Zoe@Example.org, <zoe@example.org> x@y')).toEqual(['zoe@example.org']);
    expect(extractEmails('call me at noon')).toEqual([]);
    expect(extractEmails(null)).toEqual([]);
  });
});
