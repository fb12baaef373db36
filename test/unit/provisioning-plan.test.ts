/**
 * The provisioning plan (activities/provision-attio.ts) is a pure comparison of what the scope needs with what Attio
 * has: it lists what exists, what would be created or changed, and every conflict.
 */
import {
  type AttioSnapshot,
  assertNoConflicts,
  desiredAttio,
  formatProvisioningPlan,
  planProvisioning,
} from '../../activities/provision-attio';
import { parseScope } from '../../mapping/scope';

const SOURCE = '1200000000000100';
const scope = parseScope({ salesTasks: { sourceProjects: [SOURCE] } });
const empty: AttioSnapshot = { targets: {}, stages: [], trackedSections: {} };
const stages = [{ gid: '101', name: 'Lead', projectGid: SOURCE }];

/** A snapshot in which Attio has exactly what the scope needs. */
function provisioned(): AttioSnapshot {
  const snapshot: AttioSnapshot = { targets: {}, stages: [], trackedSections: {} };
  for (const target of desiredAttio(scope)) {
    snapshot.targets[`${target.target}/${target.slug}`] = {
      ...('parent_object' in target.create ? { parentObject: [target.create.parent_object] } : {}),
      attributes: target.attributes.map((a) => ({
        api_slug: a.api_slug,
        type: a.type,
        is_unique: a.is_unique ?? false,
        is_archived: false,
      })),
      options: Object.fromEntries(
        target.options.map((o) => [o.attribute, o.titles.map((title) => ({ title, is_archived: false }))]),
      ),
    };
  }
  snapshot.stages = [{ id: 's1', title: 'Lead', is_archived: false }];
  snapshot.trackedSections = { '101': 's1' };
  return snapshot;
}

test('on an empty workspace everything is to be created: objects, typed attributes, the list and its stages', () => {
  const plan = planProvisioning(scope, empty, stages);
  expect(plan.conflicts).toEqual([]);
  expect(plan.steps.every((s) => s.action === 'create')).toBe(true);
  expect(plan.steps).toEqual(
    expect.arrayContaining([
      { action: 'create', what: 'object asana_projects', detail: '"Asana project" / "Asana projects"' },
      { action: 'create', what: 'attribute asana_projects.asana_gid', detail: 'text, unique' },
      { action: 'create', what: 'list sales_tasks', detail: '"Sales Tasks", entries of asana_tasks' },
      { action: 'create', what: 'attribute sales_tasks.stage', detail: 'status' },
      { action: 'create', what: 'stage sales_tasks.stage "Lead"', detail: 'section 101' },
    ]),
  );
});

test('a provisioned workspace needs nothing', () => {
  const plan = planProvisioning(scope, provisioned(), stages);
  expect(plan.steps.filter((s) => s.action !== 'exists')).toEqual([]);
});

test('a scope change plans only the difference: a new custom field and a renamed section', () => {
  const changed = parseScope({
    salesTasks: {
      sourceProjects: [SOURCE],
      customFields: [{ asana: 'Deal size', attio: 'deal_size', type: 'number' }],
    },
  });
  const plan = planProvisioning(changed, provisioned(), [{ gid: '101', name: 'Inbound lead', projectGid: SOURCE }]);
  expect(plan.steps.filter((s) => s.action !== 'exists')).toEqual([
    { action: 'create', what: 'attribute sales_tasks.deal_size', detail: 'number' },
    {
      action: 'change',
      what: 'stage sales_tasks.stage "Inbound lead"',
      detail: 'section 101 renamed: "Lead" → "Inbound lead"',
    },
  ]);
});

test('every conflict is listed: a wrong attribute type, a match attribute that is not unique, a list of other records', () => {
  const snapshot = provisioned();
  const projects = snapshot.targets['objects/asana_projects']!;
  projects.attributes = projects.attributes.map((a) =>
    a.api_slug === 'archived' ? { ...a, type: 'text' } : a.api_slug === 'asana_gid' ? { ...a, is_unique: false } : a,
  );
  snapshot.targets['lists/sales_tasks']!.parentObject = ['companies'];
  const plan = planProvisioning(scope, snapshot, stages);
  expect(plan.conflicts).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^list sales_tasks: exists for companies records/),
      expect.stringMatching(/^attribute asana_projects\.asana_gid: exists but is not unique/),
      expect.stringMatching(
        /^attribute asana_projects\.archived: exists with type "text", but the sync needs "checkbox"/,
      ),
    ]),
  );
  expect(plan.conflicts).toHaveLength(3);
  expect(() => assertNoConflicts(plan)).toThrow(/stopped before its first write; 3 conflict\(s\)/);
});

test('the diff marks each line: + create, ~ change, = exists, ! conflict', () => {
  const snapshot = provisioned();
  const projects = snapshot.targets['objects/asana_projects']!;
  projects.attributes = projects.attributes.map((a) => (a.api_slug === 'name' ? { ...a, is_archived: true } : a));
  projects.attributes = projects.attributes.map((a) => (a.api_slug === 'owner' ? { ...a, type: 'number' } : a));
  delete snapshot.targets['lists/sales_tasks'];
  const text = formatProvisioningPlan(planProvisioning(scope, snapshot, stages));
  expect(text).toContain('= object asana_projects');
  expect(text).toContain('~ attribute asana_projects.name  (text; unarchive)');
  expect(text).toContain('! attribute asana_projects.owner  (exists with type "number"');
  expect(text).toContain('+ list sales_tasks');
  expect(text).toMatch(/\d+ to create, 1 to change, \d+ in place, 1 conflict\(s\)$/);
});
