/**
 * Provisioning as an operator runs it: `provision --dry-run` reads Attio and writes nothing; `provision` checks every
 * conflict before its first write; a re-run after a scope change provisions only the difference, and stages follow
 * renamed sections.
 */
import { createAttioActivities } from '../../activities/attio';
import { formatProvisioningPlan } from '../../activities/provision-attio';
import { AttioClient } from '../../attio/client';
import { planProvisioningNow, provisionAttioNow } from '../../client/operations';
import { parseScope } from '../../mapping/scope';
import { startAttioStandIn } from '../../stand-ins/attio/server';
import { type LiveStack, startLiveStack } from '../helpers/live-stack';

const writesIn = (requests: { method: string; url: string }[]) =>
  requests.filter((r) => r.method !== 'GET' && !/\/(records|entries)\/query$/.test(r.url.split('?')[0]!));

describe('through the provisionAttio workflow', () => {
  let stack: LiveStack;
  beforeAll(async () => {
    stack = await startLiveStack();
  });
  afterAll(() => stack.close());

  test('the dry run prints the plan and writes nothing; provisioning then creates it, and a renamed section renames its stage', async () => {
    stack.attio.requests.clear();
    const plan = await planProvisioningNow(stack.client, stack.queues.sync);
    expect(stack.attio.requests.list().length).toBeGreaterThan(0);
    expect(writesIn(stack.attio.requests.list())).toEqual([]);
    expect(plan.conflicts).toEqual([]);
    const diff = formatProvisioningPlan(plan);
    expect(diff).toContain('+ object asana_projects');
    expect(diff).toContain('+ attribute asana_projects.asana_gid  (text, unique)');
    expect(diff).toContain('+ stage sales_tasks.stage "Lead"');

    // (`created` lists what the last attempt created: Attio's write limit may have retried the activity.)
    await provisionAttioNow(stack.client, stack.queues.sync);
    expect(stack.attio.choices('lists', 'sales_tasks', 'stage').map((c) => c.title)).toContain('Lead');
    const again = await planProvisioningNow(stack.client, stack.queues.sync);
    expect(again.steps.filter((s) => s.action !== 'exists')).toEqual([]);

    const lead = [...stack.asana.store.sections.values()].find(
      (s) => s.project === stack.scene.salesProjectGid && s.name === 'Lead',
    )!;
    stack.asana.store.renameSection(lead.gid, 'Inbound lead');
    const renamed = await planProvisioningNow(stack.client, stack.queues.sync);
    expect(renamed.steps.filter((s) => s.action !== 'exists')).toEqual([
      expect.objectContaining({ action: 'change', what: 'stage sales_tasks.stage "Inbound lead"' }),
    ]);
    const stagesBefore = stack.attio.choices('lists', 'sales_tasks', 'stage').length;
    await provisionAttioNow(stack.client, stack.queues.sync);
    const titles = stack.attio.choices('lists', 'sales_tasks', 'stage').map((c) => c.title);
    expect(titles).toContain('Inbound lead');
    expect(titles).not.toContain('Lead');
    expect(titles).toHaveLength(stagesBefore);
  });
});

describe('the provisioning activity', () => {
  test('stops on conflicts before its first write, listing all of them, and never half-provisions', async () => {
    const attio = await startAttioStandIn({ rateLimit: { writesPerSecond: 10_000, readsPerSecond: 10_000 } });
    try {
      const client = new AttioClient({ baseUrl: attio.url, token: attio.token });
      // Someone made the tasks object by hand, with `name` a number and `asana_gid` not unique.
      await client.ensureObject({ api_slug: 'asana_tasks', singular_noun: 'Asana task', plural_noun: 'Asana tasks' });
      await client.ensureAttribute('objects', 'asana_tasks', { api_slug: 'name', title: 'Name', type: 'number' });
      await client.ensureAttribute('objects', 'asana_tasks', { api_slug: 'asana_gid', title: 'Gid', type: 'text' });
      attio.requests.clear();

      const scope = parseScope({ salesTasks: { sourceProjects: ['1200000000000100'] } });
      const activities = createAttioActivities({ attio: client, fieldMap: scope });
      const failure = await activities.provisionAttio().then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure?.message).toMatch(/stopped before its first write; 2 conflict\(s\)/);
      expect(failure?.message).toMatch(/asana_tasks\.name: exists with type "number", but the sync needs "text"/);
      expect(failure?.message).toMatch(/asana_tasks\.asana_gid: exists but is not unique/);
      expect(writesIn(attio.requests.list())).toEqual([]);
      expect(JSON.stringify(attio.dump())).not.toContain('asana_projects');
    } finally {
      await attio.close();
    }
  });

  test('a re-run after a scope change creates only the difference', async () => {
    const attio = await startAttioStandIn({ rateLimit: { writesPerSecond: 10_000, readsPerSecond: 10_000 } });
    try {
      const client = new AttioClient({ baseUrl: attio.url, token: attio.token });
      const before = parseScope({ salesTasks: { sourceProjects: ['1200000000000100'] } });
      await createAttioActivities({ attio: client, fieldMap: before }).provisionAttio();
      const after = parseScope({
        salesTasks: {
          sourceProjects: ['1200000000000100'],
          customFields: [{ asana: 'Deal size', attio: 'deal_size', type: 'number' }],
        },
        people: { enabled: true },
      });
      attio.requests.clear();
      const { created } = await createAttioActivities({ attio: client, fieldMap: after }).provisionAttio();
      expect(created.sort()).toEqual(['attribute sales_tasks.deal_size', 'attribute sales_tasks.people']);
      expect(writesIn(attio.requests.list())).toHaveLength(2);
    } finally {
      await attio.close();
    }
  });
});
