/**
 * Asana OAuth end to end against the stand-in: connect through the receiver (state and PKCE), calls with the
 * connection's access token, the token expiring (stand-in clock) and one refresh for many callers, rotation,
 * revocation (re-authorization required, visible in status and a search attribute), reconnect — and no token in the
 * undecoded history or the log output.
 */
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import express from 'express';
import { AsanaClient } from '../../asana/client';
import { AsanaOAuth } from '../../asana/oauth';
import { ConnectionTokenProvider } from '../../asana/token-provider';
import { createAsanaConnectionActivities } from '../../activities/asana-connection';
import { listen, type RunningServer } from '../../common/listen';
import { createLogger } from '../../common/logger';
import { AsanaConnectionState } from '../../common/search-attributes';
import { asanaConnectionWorkflowId } from '../../common/workflow-ids';
import { mountAsanaOAuthRoutes } from '../../receiver/asana-oauth-routes';
import { type AsanaStandIn, startAsanaStandIn } from '../../stand-ins/asana/server';
import { StandInClock } from '../../stand-ins/kit/clock';
import { asanaConnectionStatusQuery } from '../../workflows/asana-connection';
import {
  connectWorkerConnection,
  startFakeWorkers,
  testClient,
  testConfig,
  temporalTestAddress,
} from '../helpers/temporal';

const HOUR_MS = 3_600_000;
const connectionId = `test-${Math.random().toString(36).slice(2, 10)}`;
const clock = new StandInClock();
const logLines: string[] = [];
let asana: AsanaStandIn;
let client: Awaited<ReturnType<typeof testClient>>;
let connection: NativeConnection;
let workers: Awaited<ReturnType<typeof startFakeWorkers>>;
let receiver: RunningServer;
let receiverUrl: string;
let asanaApi: AsanaClient;

beforeAll(async () => {
  asana = await startAsanaStandIn({ clock, oauth: { rotateRefreshTokens: true } });
  client = await testClient(testConfig());
  connection = await connectWorkerConnection();
  const app = express();
  const logs = new PassThrough();
  logs.on('data', (chunk: Buffer) => logLines.push(chunk.toString()));
  const logger = createLogger({ level: 'debug', format: 'json', destination: logs });
  const listening = await listen(app, 0, '127.0.0.1');
  receiver = listening;
  receiverUrl = `http://127.0.0.1:${(listening.server.address() as AddressInfo).port}`;
  const oauth = new AsanaOAuth({
    clientId: 'client-1',
    clientSecret: 'client-secret-1',
    redirectUrl: `${receiverUrl}/oauth/asana/callback`,
    origin: asana.origin,
  });
  workers = await startFakeWorkers(connection, createAsanaConnectionActivities({ asanaOAuth: oauth }));
  mountAsanaOAuthRoutes(app, { client, logger, oauth, taskQueue: workers.queues.sync, connectionId });
  asanaApi = new AsanaClient({ baseUrl: asana.url, token: new ConnectionTokenProvider(client, connectionId) });
});

afterAll(async () => {
  await client.workflow.getHandle(asanaConnectionWorkflowId(connectionId)).terminate('test done');
  await workers.stop();
  await receiver.close();
  await asana.close();
  await client.connection.close();
  await connection.close();
});

/** The operator opens /oauth/asana/connect and approves; the browser follows both redirects. */
async function connectAsOperator(): Promise<string> {
  const start = await fetch(`${receiverUrl}/oauth/asana/connect`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('scope')).toBe('default');
  const consent = await fetch(authorize, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const callback = consent.headers.get('location')!;
  const done = await fetch(callback);
  expect(await done.text()).toContain('Asana connected');
  return callback;
}

const issuedTokens = () =>
  asana.requests
    .list({ method: 'POST', path: '/-/oauth_token' })
    .flatMap((entry) => {
      const body = entry.responseBody as { access_token?: string; refresh_token?: string };
      return [body.access_token, body.refresh_token];
    })
    .filter((token): token is string => typeof token === 'string');
const refreshCount = () =>
  asana.requests
    .list({ method: 'POST', path: '/-/oauth_token' })
    .filter((entry) => String((entry.requestBody as string) ?? '').includes('grant_type=refresh_token')).length;

test('a connection authorized through the receiver lets activities call Asana, refreshing once for many callers', async () => {
  const callback = await connectAsOperator();
  expect((await asanaApi.getMe()).gid).toBe(asana.store.actor.gid);

  // The callback's state is single use: replaying it is refused and changes nothing.
  expect((await fetch(callback)).status).toBe(400);

  // The access token expires (stand-in clock): twenty concurrent callers cause one refresh.
  clock.advance(HOUR_MS + 1_000);
  const before = refreshCount();
  const answers = await Promise.all(Array.from({ length: 20 }, () => asanaApi.getMe()));
  expect(answers.every((me) => me.gid === asana.store.actor.gid)).toBe(true);
  expect(refreshCount() - before).toBe(1);

  // Rotated: the second refresh presents the refresh token the first one returned.
  clock.advance(HOUR_MS + 1_000);
  expect((await asanaApi.getMe()).gid).toBe(asana.store.actor.gid);
});

test('a revoked refresh token needs re-authorization, visible to the operator, and connect resumes', async () => {
  const handle = client.workflow.getHandle(asanaConnectionWorkflowId(connectionId));
  const tokens = issuedTokens().filter((token) => token.startsWith('stand-in-refresh-'));
  const revoke = await fetch(`${asana.origin}/-/oauth_revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'client-1', client_secret: 'client-secret-1', token: tokens.at(-1)! }),
  });
  expect(revoke.status).toBe(200);

  clock.advance(HOUR_MS + 1_000);
  const failure = await asanaApi.getMe().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toMatchObject({ type: 'AsanaReauthorizationRequired', nonRetryable: true });
  expect((failure as Error).message).toContain('run `connect`');
  expect(await handle.query(asanaConnectionStatusQuery)).toMatchObject({ status: 'needs-reauthorization' });
  const described = await handle.describe();
  expect(described.typedSearchAttributes.get(AsanaConnectionState)).toBe('needs-reauthorization');

  await connectAsOperator();
  expect((await asanaApi.getMe()).gid).toBe(asana.store.actor.gid);
  expect(await handle.query(asanaConnectionStatusQuery)).toMatchObject({ status: 'connected' });
});

test('no token, client secret or PKCE verifier appears in the undecoded history or the logs', async () => {
  // A client without the payload codec sees what the Temporal server stores.
  const raw = new Client({ connection: await Connection.connect({ address: temporalTestAddress() }) });
  try {
    const history = await raw.workflow.getHandle(asanaConnectionWorkflowId(connectionId)).fetchHistory();
    const exported = JSON.stringify(history);
    const secrets = [...issuedTokens(), 'client-secret-1'];
    expect(secrets.length).toBeGreaterThan(6);
    expect(exported.length).toBeGreaterThan(1000);
    for (const secret of secrets) {
      expect(exported).not.toContain(secret);
      expect(logLines.join('')).not.toContain(secret);
    }
    expect(logLines.join('')).toContain('Asana connected');
  } finally {
    await raw.connection.close();
  }
});
