/**
 * `npm run cli -- webhooks` (issue 16 item 8) against the real dev server and both stand-ins: every webhook Asana
 * lists for the workspace next to the watches, an orphan of this service (left at an older receiver URL) flagged and
 * deleted with --delete-orphans, another app's webhook left alone, and a watch whose webhook Asana lost named.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AsanaClient } from '../../asana/client';
import { watchResource } from '../../client/operations';
import { webhookWorkflowId } from '../../common/workflow-ids';
import type { WebhookInventoryReport } from '../../cli/webhook-inventory';
import { checkHealthSignal, webhookStatusQuery } from '../../workflows/definitions';
import { deploymentEnv, json, startCli, writeScope } from '../helpers/cli-runner';
import { type LiveStack, startLiveStack } from '../helpers/live-stack';
import { waitFor } from '../helpers/wait-for';

let stack: LiveStack;
let scopeFile: string;
/** Another host that answers Asana's handshake: an older receiver URL, and another app. */
let elsewhere: Server;
let elsewhereUrl: string;

beforeAll(async () => {
  stack = await startLiveStack({ seed: { projects: 2, tasksPerProject: 1 } });
  scopeFile = writeScope('scope.json', { ...stack.fieldMap, workspace: stack.scene.workspaceGid });
  elsewhere = createServer((req, res) => {
    const secret = req.headers['x-hook-secret'];
    res.writeHead(200, typeof secret === 'string' ? { 'x-hook-secret': secret } : {}).end();
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => elsewhere?.close(resolve));
  await stack?.close();
});

const cli = (args: string[]) => startCli(args, deploymentEnv(stack, scopeFile)).exited;

async function createWebhook(resource: string, target: string): Promise<string> {
  const asana = new AsanaClient({ baseUrl: stack.asana.url, token: stack.asana.token });
  const created = (await asana.call('POST', '/webhooks', undefined, { data: { resource, target } })) as {
    data: { gid: string };
  };
  return created.data.gid;
}

test('lists the webhooks next to the watches, flags an orphan and a missing webhook, and deletes only the orphan', async () => {
  const [first, second] = stack.scene.projectGids as [string, string];
  const watch = (gid: string) =>
    watchResource(
      stack.client,
      { resourceGid: gid, resourceType: 'project', workspaceGid: stack.scene.workspaceGid },
      { taskQueue: stack.queues.sync },
    );
  const watched = await (await watch(first)).query(webhookStatusQuery);
  const lost = await (await watch(second)).query(webhookStatusQuery);
  const orphan = await createWebhook(first, `${elsewhereUrl}/webhooks/asana/${first}?generation=1&registration=r1`);
  const foreign = await createWebhook(first, `${elsewhereUrl}/another-app/hook`);
  stack.asana.webhooks.delete(lost.webhookGid!);
  // The watches show in the visibility list a moment after they started.
  await waitFor(
    async () =>
      (await stack.client.workflow.count(`WorkflowType = "watchAsanaResource" AND TaskQueue = "${stack.queues.sync}"`))
        .count === 2,
    { what: 'both watches listed' },
  );

  const found = await cli(['webhooks', '--json']);
  expect(found.code).toBe(1);
  const report = json<WebhookInventoryReport>(found);
  expect(report.workspaceGid).toBe(stack.scene.workspaceGid);
  const verdicts = Object.fromEntries(report.webhooks.map((w) => [w.gid, w.verdict]));
  expect(verdicts).toEqual({ [watched.webhookGid!]: 'watched', [orphan]: 'orphan', [foreign]: 'foreign' });
  expect(report.orphans).toEqual([orphan]);
  expect(report.missing).toEqual([
    expect.objectContaining({ workflowId: webhookWorkflowId(second), webhookGid: lost.webhookGid }),
  ]);
  // Targets without their query: no registration token is printed.
  expect(found.stdout).not.toMatch(/registration=|generation=/);

  const screen = await cli(['webhooks']);
  expect(screen.stdout).toContain(`${orphan} on project ${first} → ${elsewhereUrl}/webhooks/asana/${first}: ORPHAN`);
  expect(screen.stdout).toContain(`${webhookWorkflowId(second)}: webhook ${lost.webhookGid} is not in Asana`);

  const cleaned = await cli(['webhooks', '--delete-orphans', '--json']);
  expect(json<WebhookInventoryReport>(cleaned)).toMatchObject({ deleted: [orphan], notDeleted: [], orphans: [] });
  expect(stack.asana.webhooks.all.has(orphan)).toBe(false);
  expect(stack.asana.webhooks.all.has(foreign)).toBe(true);
  expect(stack.asana.webhooks.all.has(watched.webhookGid!)).toBe(true);
  expect(cleaned.code).toBe(1);

  // The fix the output names: a check now, which re-creates the lost webhook.
  const handle = stack.client.workflow.getHandle(webhookWorkflowId(second));
  await handle.signal(checkHealthSignal);
  await waitFor(async () => (await handle.query(webhookStatusQuery)).webhookGid !== lost.webhookGid, {
    what: 'the lost webhook re-created',
  });
  const healthy = await cli(['webhooks', '--json']);
  expect(json<WebhookInventoryReport>(healthy)).toMatchObject({ orphans: [], missing: [] });
  expect(healthy.code).toBe(0);
});
