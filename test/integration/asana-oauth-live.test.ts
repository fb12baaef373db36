/**
 * Asana OAuth end to end, as a client team runs it: `npm start` with an OAuth app (no personal access token) against
 * the stand-ins. The operator connects through the receiver; provisioning, a watch and a backfill run on the
 * connection's tokens; the access token expires in the middle of the backfill (stand-in clock) and is refreshed; the
 * refresh token is revoked, so changes made meanwhile cannot sync and the connection says it needs re-authorization;
 * connecting again repairs what changed while disconnected (full reconciliation). No token, code, verifier or client
 * secret is in any exported workflow history (as the server stores it, undecoded) or in the service's log output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { provisionAttioNow, startBackfill, watchResource } from '../../client/operations';
import { DEMO_PAYLOAD_KEY } from '../../common/payload-codec';
import { freePort } from '../../common/ports';
import { AsanaConnectionState } from '../../common/search-attributes';
import { asanaConnectionWorkflowId } from '../../common/workflow-ids';
import { type AsanaStandIn, startAsanaStandIn } from '../../stand-ins/asana/server';
import { type Scene, seedScene } from '../../stand-ins/asana/seed';
import { type AttioStandIn, startAttioStandIn } from '../../stand-ins/attio/server';
import { StandInClock } from '../../stand-ins/kit/clock';
import { type ChildRun, startService } from '../helpers/service-process';
import { temporalTestAddress, testClient, uniqueTaskQueues } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

const HOUR_MS = 3_600_000;
const CLIENT_SECRET = 'oauth-app-secret-0123456789abcdef';
const clock = new StandInClock();
const queue = uniqueTaskQueues('asana-oauth-live').sync;
let asana: AsanaStandIn;
let attio: AttioStandIn;
let scene: Scene;
let service: ChildRun;
let client: Client;
let receiverUrl: string;

beforeAll(async () => {
  const firstGid = 1_500_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)) * 1_000_000n;
  // No personal access token is accepted: every call must carry the connection's access token.
  asana = await startAsanaStandIn({
    clock,
    firstGid,
    personalAccessTokens: [],
    allowLoopbackTargets: true,
    webhooks: { batchWindowMs: 50 },
  });
  attio = await startAttioStandIn({ clock });
  scene = seedScene(asana.store, { seed: 7, projects: 2, tasksPerProject: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'asana-oauth-live-'));
  const scopeFile = join(dir, 'scope.yaml');
  writeFileSync(
    scopeFile,
    `workspace: "${scene.workspaceGid}"\nsalesTasks:\n  sourceProjects: ["${scene.salesProjectGid}"]\n`,
  );
  const receiverPort = await freePort();
  receiverUrl = `http://127.0.0.1:${receiverPort}`;
  service = startService({
    ASANA_OAUTH_CLIENT_ID: 'client-team-app',
    ASANA_OAUTH_CLIENT_SECRET: CLIENT_SECRET,
    ATTIO_TOKEN: attio.token,
    PAYLOAD_ENCRYPTION_KEY: DEMO_PAYLOAD_KEY,
    RECEIVER_PUBLIC_URL: receiverUrl,
    RECEIVER_PORT: String(receiverPort),
    SCOPE_FILE: scopeFile,
    ASANA_BASE_URL: asana.url,
    ATTIO_BASE_URL: attio.url,
    TEMPORAL_ADDRESS: temporalTestAddress(),
    TEMPORAL_TASK_QUEUE: queue,
    SYNC_QUIET_PERIOD_MS: '300',
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
  });
  client = await testClient();
  await service.waitForOutput('asana-attio-sync is running');
});

afterAll(async () => {
  await client?.workflow
    .getHandle(asanaConnectionWorkflowId('default'))
    .terminate('test done')
    .catch(() => undefined);
  const code = await service?.stop();
  await client?.connection.close();
  await asana?.close();
  await attio?.close();
  expect(code).toBe(0);
});

/** The operator opens /oauth/asana/connect and approves; the browser follows the redirects. */
async function connectAsOperator(): Promise<void> {
  const start = await fetch(`${receiverUrl}/oauth/asana/connect`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const done = await fetch(consent.headers.get('location')!);
  expect(await done.text()).toContain('Asana connected');
}

const tokenExchanges = () => asana.requests.list({ method: 'POST', path: '/-/oauth_token' });
const refreshes = () =>
  tokenExchanges().filter((entry) => String(entry.requestBody).includes('grant_type=refresh_token'));
const connectionState = async () =>
  (await client.workflow.getHandle(asanaConnectionWorkflowId('default')).describe()).typedSearchAttributes.get(
    AsanaConnectionState,
  );
const entryOf = (taskGid: string) => {
  const record = attio.findRecord('asana_tasks', 'asana_gid', taskGid);
  return record ? attio.entriesOf('sales_tasks', record.recordId)[0] : undefined;
};
const salesTasks = () =>
  [...asana.store.tasks.values()].filter(
    (t) => !t.deleted && t.memberships.some((m) => m.project === scene.salesProjectGid),
  );

test('connected through the receiver, the service provisions, watches and backfills; a token expiring mid-backfill is refreshed', async () => {
  await connectAsOperator();
  await provisionAttioNow(client, queue);
  await watchResource(
    client,
    { resourceGid: scene.salesProjectGid, resourceType: 'project', workspaceGid: scene.workspaceGid },
    { taskQueue: queue },
  );

  // The second project's fetch is held a moment; while it is held, an hour passes on Asana's clock.
  const secondProject = scene.projectGids[1]!;
  const held = asana.faults.add({
    method: 'GET',
    pathPrefix: `/api/1.0/projects/${secondProject}`,
    delayMs: 2000,
    count: 1,
  });
  const refreshesBefore = refreshes().length;
  const backfill = await startBackfill(client, { workspaceGid: scene.workspaceGid }, undefined, queue);
  await waitFor(() => !asana.faults.list().some((fault) => fault.id === held.id), { what: 'the held request' });
  clock.advance(HOUR_MS + 1_000);
  const progress = await backfill.result();

  expect(progress).toMatchObject({ done: true, errors: 0 });
  expect(asana.requests.list({ method: 'GET', path: `/api/1.0/projects/${secondProject}` })[0]?.status).toBe(401);
  expect(refreshes().length).toBeGreaterThan(refreshesBefore);
  for (const gid of scene.projectGids) expect(attio.findRecord('asana_projects', 'asana_gid', gid)).toBeDefined();
  for (const task of salesTasks()) expect(entryOf(task.gid)?.values.name?.[0]).toBe(task.name);

  // Live changes sync on the refreshed token.
  const [first] = salesTasks();
  asana.store.updateTask(first!.gid, { name: 'Live on OAuth' });
  await waitFor(() => entryOf(first!.gid)?.values.name?.[0] === 'Live on OAuth', { what: 'the live change in Attio' });
});

test('a revoked refresh token needs re-authorization; reconnecting repairs what changed while disconnected', async () => {
  const lastRefreshToken = tokenExchanges()
    .map((entry) => (entry.responseBody as { refresh_token?: string }).refresh_token)
    .filter((token): token is string => !!token)
    .at(-1)!;
  const revoke = await fetch(`${asana.origin}/-/oauth_revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'client-team-app', client_secret: CLIENT_SECRET, token: lastRefreshToken }),
  });
  expect(revoke.status).toBe(200);
  clock.advance(HOUR_MS + 1_000);

  // Changes while disconnected: Asana delivers them, the receiver records them, but no sync can read Asana.
  const [renamed, moved] = salesTasks();
  asana.store.updateTask(renamed!.gid, { name: 'Renamed while disconnected' });
  asana.store.moveTask(moved!.gid, scene.stageSectionGids.Won!);
  const created = asana.store.createTask({
    project: scene.salesProjectGid,
    section: scene.stageSectionGids.Lead!,
    name: 'Created while disconnected',
  });
  await waitFor(async () => (await connectionState()) === 'needs-reauthorization', {
    what: 'the connection marked as needing re-authorization',
  });
  await service.waitForOutput('needs re-authorization');
  expect(service.output()).toContain('run `connect`');
  expect(entryOf(renamed!.gid)?.values.name?.[0]).not.toBe('Renamed while disconnected');
  expect(entryOf(created.gid)).toBeUndefined();

  const outputBeforeReconnect = service.output().length;
  await connectAsOperator();
  expect(await connectionState()).toBe('connected');
  await waitFor(() => service.output().slice(outputBeforeReconnect).includes('reconnected: repairing the gap'), {
    what: 'the reconnect log line',
  });
  await waitFor(
    () =>
      entryOf(renamed!.gid)?.values.name?.[0] === 'Renamed while disconnected' &&
      entryOf(created.gid)?.values.name?.[0] === 'Created while disconnected',
    { timeoutMs: 60_000, what: 'the changes made while disconnected in Attio' },
  );
  const stageOf = (taskGid: string) => JSON.stringify(entryOf(taskGid)?.values.stage ?? null);
  await waitFor(() => stageOf(moved!.gid).includes('Won'), { timeoutMs: 60_000, what: 'the move in Attio' });
});

test('no token, code, verifier or client secret is in any exported workflow history or the log output', async () => {
  const secrets = new Set<string>([CLIENT_SECRET]);
  for (const entry of tokenExchanges()) {
    const sent = new URLSearchParams(String(entry.requestBody));
    for (const key of ['code', 'code_verifier', 'refresh_token', 'client_secret']) {
      const value = sent.get(key);
      if (value) secrets.add(value);
    }
    const answer = entry.responseBody as { access_token?: string; refresh_token?: string };
    if (answer.access_token) secrets.add(answer.access_token);
    if (answer.refresh_token) secrets.add(answer.refresh_token);
  }
  expect(secrets.size).toBeGreaterThan(6);

  // A client without the payload codec sees what the Temporal server stores.
  const raw = new Client({ connection: await Connection.connect({ address: temporalTestAddress() }) });
  try {
    // Listed through the codec (the list decodes memos); each history fetched as stored.
    const histories: string[] = [];
    const types = new Set<string>();
    for await (const execution of client.workflow.list({ query: `TaskQueue = '${queue}'` })) {
      types.add(execution.type);
      const history = await raw.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      histories.push(JSON.stringify(history));
    }
    expect([...types]).toEqual(
      expect.arrayContaining(['asanaConnection', 'backfill', 'syncAsanaResource', 'reconcileProject']),
    );
    const exported = histories.join('\n');
    const logs = service.output();
    expect(logs).toContain('Asana connected');
    for (const secret of secrets) {
      expect({ secret, inHistory: exported.includes(secret), inLogs: logs.includes(secret) }).toEqual({
        secret,
        inHistory: false,
        inLogs: false,
      });
    }
  } finally {
    await raw.connection.close();
  }
});
