/**
 * Watching a team or the workspace: the service builds the filters Asana requires (the stand-in refuses a
 * higher-level webhook without them, as Asana does), and a project that appears there is synced and gets a webhook
 * of its own for its task events.
 */
import { AsanaClient } from '../../asana/client';
import { provisionAttioNow, watchScope } from '../../client/operations';
import { webhookWorkflowId } from '../../common/workflow-ids';
import { type LiveStack, startLiveStack } from '../helpers/live-stack';
import { waitFor } from '../helpers/wait-for';

let stack: LiveStack;
beforeAll(async () => {
  stack = await startLiveStack({ scope: (scene) => ({ workspace: scene.workspaceGid, watch: { workspace: true } }) });
  await provisionAttioNow(stack.client, stack.queues.sync);
});
afterAll(() => stack.close());

const webhooksOn = (gid: string) => [...stack.asana.webhooks.all.values()].filter((w) => w.resource.gid === gid);

test('Asana (the stand-in) refuses a workspace webhook without filters', async () => {
  const asana = new AsanaClient({ baseUrl: stack.asana.url, token: stack.asana.token });
  const response = await asana.send('POST', '/webhooks', undefined, {
    data: { resource: stack.scene.workspaceGid, target: `${stack.receiverUrl}/nowhere` },
  });
  expect(response.status).toBe(400);
  expect(JSON.stringify(response.body)).toMatch(/require filters/);
});

test('watching the workspace creates a webhook filtered to project events, and a new project in it gets its own', async () => {
  const { workspaceGid } = stack.scene;
  // The scope says `watch: { workspace: true }`; `watch` without a gid watches what the scope lists.
  const watched = await watchScope(stack.client, stack.fieldMap, { taskQueue: stack.queues.sync });
  expect(watched).toEqual([{ resourceGid: workspaceGid, resourceType: 'workspace', workspaceGid }]);
  expect(webhooksOn(workspaceGid).map((w) => w.filters)).toEqual([
    [
      { resource_type: 'project', action: 'added' },
      { resource_type: 'project', action: 'changed' },
      { resource_type: 'project', action: 'deleted' },
      { resource_type: 'project', action: 'undeleted' },
    ],
  ]);

  const project = stack.asana.store.createProject({ workspace: workspaceGid, name: 'Globex – onboarding' });
  await waitFor(() => !!stack.attio.findRecord(stack.fieldMap.projects.object, 'asana_gid', project.gid), {
    timeoutMs: 30_000,
    what: 'the new project in Attio',
  });
  await waitFor(() => webhooksOn(project.gid).length === 1, {
    timeoutMs: 30_000,
    what: "the new project's own webhook",
  });
  const watch = await stack.client.workflow.getHandle(webhookWorkflowId(project.gid)).describe();
  expect(watch.status.name).toBe('RUNNING');
});
