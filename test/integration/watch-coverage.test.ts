/**
 * Watching a team or the workspace: the service builds the filters Asana requires (the stand-in refuses a
 * higher-level webhook without them, or with a filter outside Asana's whitelist, as Asana does), and a project that
 * appears there is synced and gets a webhook of its own, whose task events then reach their sync workflows.
 */
import { AsanaClient } from '../../asana/client';
import { provisionAttioNow, watchScope } from '../../client/operations';
import { syncWorkflowId, webhookWorkflowId } from '../../common/workflow-ids';
import type { Scene } from '../../stand-ins/asana/seed';
import { type LiveStack, startLiveStack } from '../helpers/live-stack';
import { waitFor } from '../helpers/wait-for';
import { webhookSecretsQuery } from '../../workflows/definitions';

const PROJECT_FILTERS = ['added', 'changed', 'deleted', 'undeleted'].map((action) => ({
  resource_type: 'project',
  action,
}));

describe.each([
  {
    kind: 'workspace' as const,
    watch: (_scene: Scene) => ({ workspace: true }),
    resourceOf: (scene: Scene) => scene.workspaceGid,
  },
  {
    kind: 'team' as const,
    watch: (scene: Scene) => ({ teams: [scene.teamGid] }),
    resourceOf: (scene: Scene) => scene.teamGid,
  },
])('watching a $kind', ({ kind, watch, resourceOf }) => {
  let stack: LiveStack;
  beforeAll(async () => {
    stack = await startLiveStack({
      seed: { projects: 1, tasksPerProject: 2 },
      scope: (scene) => ({ workspace: scene.workspaceGid, watch: watch(scene) }),
    });
    await provisionAttioNow(stack.client, stack.queues.sync);
  });
  afterAll(() => stack.close());

  const webhooksOn = (gid: string) => [...stack.asana.webhooks.all.values()].filter((w) => w.resource.gid === gid);

  test(`Asana (the stand-in) refuses a ${kind} webhook without filters, or with task events`, async () => {
    const asana = new AsanaClient({ baseUrl: stack.asana.url, token: stack.asana.token });
    const create = (filters?: unknown[]) =>
      asana.send('POST', '/webhooks', undefined, {
        data: { resource: resourceOf(stack.scene), target: `${stack.receiverUrl}/nowhere`, filters },
      });
    for (const filters of [undefined, [{ resource_type: 'task', action: 'changed' }]]) {
      const response = await create(filters);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toMatch(/invalid_filters_for_larger_scoped_webhooks/);
    }
  });

  test(`creates a ${kind} webhook filtered to project events; a new project in it gets its own, for its task events`, async () => {
    const { workspaceGid, teamGid } = stack.scene;
    const resourceGid = resourceOf(stack.scene);
    // `watch` without a gid watches what the scope lists.
    const watched = await watchScope(stack.client, stack.fieldMap, { taskQueue: stack.queues.sync });
    expect(watched).toEqual([{ resourceGid, resourceType: kind, workspaceGid }]);
    await waitFor(() => webhooksOn(resourceGid).length === 1, { timeoutMs: 30_000, what: `the ${kind} webhook` });
    expect(webhooksOn(resourceGid).map((w) => w.filters)).toEqual([PROJECT_FILTERS]);

    const project = stack.asana.store.createProject({ workspace: workspaceGid, name: 'Globex', team: teamGid });
    await waitFor(() => !!stack.attio.findRecord(stack.fieldMap.projects.object, 'asana_gid', project.gid), {
      timeoutMs: 30_000,
      what: 'the new project in Attio',
    });
    await waitFor(() => webhooksOn(project.gid).length === 1, {
      timeoutMs: 30_000,
      what: "the new project's own webhook",
    });
    // Its watch holds the webhook's secret (so the receiver can verify its deliveries) once it reports it active.
    const watch = stack.client.workflow.getHandle(webhookWorkflowId(project.gid));
    await waitFor(async () => (await watch.query(webhookSecretsQuery)).status === 'active', {
      what: "the new project's watch active",
    });

    // Only the project's webhook carries its task events: a new task there reaches its sync workflow.
    const [projectWebhook] = webhooksOn(project.gid);
    const task = stack.asana.store.createTask({ project: project.gid, name: 'Kick-off call' });
    await waitFor(
      () =>
        stack.asana.webhooks.deliveries.some(
          (d) => d.webhookGid === projectWebhook!.gid && d.status === 200 && d.resourceGids.includes(task.gid),
        ),
      { timeoutMs: 30_000, what: "the task event acknowledged on the project's webhook" },
    );
    const sync = await stack.client.workflow
      .getHandle(syncWorkflowId({ resource_type: 'task', gid: task.gid }))
      .describe();
    expect(sync.type).toBe('syncAsanaResource');
    expect(
      stack.asana.webhooks.deliveries
        .filter((d) => d.webhookGid === webhooksOn(resourceGid)[0]!.gid)
        .flatMap((d) => d.resourceGids),
    ).not.toContain(task.gid);
  });
});
