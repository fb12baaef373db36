/**
 * The Asana stand-in behaves as Asana documents (docs/asana.md) and every response it sends, and every
 * request our Asana client sends, validates against Asana's OpenAPI document (asana_oas.yaml).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { z } from 'zod';
import { AsanaClient } from '../../../asana/client';
import { USER_AGENT } from '../../../common/http-json';
import { isValidSignature } from '../../../asana/webhook-signature';
import { type AsanaStandIn, startAsanaStandIn } from '../../../stand-ins/asana/server';
import { type Scene, seedScene } from '../../../stand-ins/asana/seed';
import { AsanaStore } from '../../../stand-ins/asana/store';
import { StandInClock } from '../../../stand-ins/kit/clock';
import { conformanceTo } from '../../helpers/openapi-conformance';
import { waitFor } from '../../helpers/wait-for';

const HOUR = 3_600_000;
let asana: AsanaStandIn;
let scene: Scene;
const client = () => new AsanaClient({ baseUrl: asana.url, token: asana.token });

/** A webhook target: records what arrives, answers the handshake (unless told not to) and deliveries with `status`. */
function target(options: { echo?: boolean } = {}) {
  const received: { headers: IncomingMessage['headers']; body: string; at: number }[] = [];
  /** `holdMs` keeps each delivery in flight that long before answering. */
  const state = { status: 200, holdMs: 0 };
  let secret = '';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body, at: Date.now() });
      const hook = req.headers['x-hook-secret'];
      if (typeof hook === 'string') {
        secret = hook;
        if (options.echo === false) res.writeHead(200).end();
        else res.writeHead(200, { 'x-hook-secret': hook }).end();
        return;
      }
      setTimeout(() => res.writeHead(state.status).end(), state.holdMs);
    });
  });
  return {
    received,
    state,
    secret: () => secret,
    deliveries: () => received.filter((r) => r.headers['x-hook-signature']),
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  asana = await startAsanaStandIn({ allowLoopbackTargets: true, webhooks: { batchWindowMs: 20 } });
  scene = seedScene(asana.store, { seed: 1, projects: 2, tasksPerProject: 130 });
});
afterAll(() => asana.close());

async function get(path: string, token: string | null = asana.token) {
  const response = await request(`${asana.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: (await response.body.json()) as Record<string, unknown>,
  };
}

describe('reads', () => {
  test('compact by default, exactly the opt_fields asked for, nested paths included', async () => {
    const gid = scene.taskGids[0]!;
    const compact = await get(`/tasks/${gid}`);
    expect(Object.keys(compact.body.data as object).sort()).toEqual([
      'gid',
      'name',
      'resource_subtype',
      'resource_type',
    ]);
    const chosen = await get(`/tasks/${gid}?opt_fields=name,memberships.section.name,custom_fields.enum_value.name`);
    const data = chosen.body.data as { memberships: { section: Record<string, unknown> }[]; notes?: string };
    expect(Object.keys(data).sort()).toEqual(['custom_fields', 'gid', 'memberships', 'name', 'resource_type']);
    expect(Object.keys(data.memberships[0]!.section).sort()).toEqual(['gid', 'name', 'resource_type']);
  });

  test('pages with limit/offset until next_page is null, and refuses bad limits and offsets with 400', async () => {
    let offset: string | undefined;
    let seen = 0;
    let pages = 0;
    do {
      const page = await get(`/projects/${scene.salesProjectGid}/tasks?limit=50${offset ? `&offset=${offset}` : ''}`);
      seen += (page.body.data as unknown[]).length;
      pages += 1;
      offset = (page.body.next_page as { offset: string } | null)?.offset;
    } while (offset);
    expect([seen, pages]).toEqual([130, 3]);
    expect((await get(`/projects/${scene.salesProjectGid}/tasks?limit=0`)).status).toBe(400);
    expect((await get(`/projects/${scene.salesProjectGid}/tasks?limit=101`)).status).toBe(400);
    expect((await get(`/projects/${scene.salesProjectGid}/tasks?limit=10&offset=garbage`)).status).toBe(400);
  });

  test('an offset expires (400) after 15 minutes of the stand-in clock', async () => {
    const first = await get(`/projects/${scene.salesProjectGid}/tasks?limit=10`);
    const offset = (first.body.next_page as { offset: string }).offset;
    asana.clock.advance(16 * 60_000);
    const later = await get(`/projects/${scene.salesProjectGid}/tasks?limit=10&offset=${offset}`);
    expect(later.status).toBe(400);
    expect(JSON.stringify(later.body)).toMatch(/expired/);
  });

  test('401 without a token or with an unknown one, 404 for an unknown gid, 400 for a malformed one', async () => {
    expect((await get('/users/me', null)).status).toBe(401);
    expect((await get('/users/me', 'nope')).status).toBe(401);
    expect((await get('/tasks/1999999999999999')).status).toBe(404);
    expect((await get('/tasks/abc')).status).toBe(400);
  });

  test('tasks modified since a time, and GET /tasks without a project refused', async () => {
    const since = new Date(asana.clock.now()).toISOString();
    asana.store.updateTask(scene.taskGids[5]!, { name: 'Changed just now' });
    const changed = await get(`/tasks?project=${scene.salesProjectGid}&modified_since=${since}`);
    expect((changed.body.data as { gid: string }[]).map((t) => t.gid)).toEqual([scene.taskGids[5]]);
    expect((await get('/tasks')).status).toBe(400);
  });
});

describe('Events API', () => {
  test('412 with a fresh token, then the changes since, and 412 again once the token is 24 h old', async () => {
    const first = await get(`/events?resource=${scene.salesProjectGid}`);
    expect(first.status).toBe(412);
    const sync = (first.body as { sync: string }).sync;
    asana.store.updateTask(scene.taskGids[1]!, { completed: true });
    const next = await get(`/events?resource=${scene.salesProjectGid}&sync=${sync}`);
    expect(next.status).toBe(200);
    expect((next.body.data as { change: { field: string } }[]).map((e) => e.change.field)).toEqual([
      'completed',
      'completed_at',
    ]);
    expect(next.body.has_more).toBe(false);
    asana.clock.advance(25 * HOUR);
    expect((await get(`/events?resource=${scene.salesProjectGid}&sync=${next.body.sync as string}`)).status).toBe(412);
  });
});

describe('webhooks', () => {
  test('the handshake reaches the target while the create request is still open; 201 returns the secret', async () => {
    const hook = target();
    const url = await hook.listen();
    let createdAt = 0;
    const created = client()
      .call('POST', '/webhooks', undefined, { data: { resource: scene.salesProjectGid, target: url } })
      .then((body) => ((createdAt = Date.now()), body as { data: { gid: string }; 'X-Hook-Secret': string }));
    const body = await created;
    expect(hook.received[0]!.headers['x-hook-secret']).toBe(body['X-Hook-Secret']);
    expect(hook.received[0]!.at).toBeLessThanOrEqual(createdAt);
    await client().call('DELETE', `/webhooks/${body.data.gid}`);
    await hook.close();
  });

  test("GET /webhooks lists the given workspace's webhooks only, page by page, and requires the workspace", async () => {
    const hook = target();
    const url = await hook.listen();
    const other = asana.store.addWorkspace('Another workspace');
    const elsewhere = asana.store.createProject({ workspace: other.gid, name: 'Elsewhere' });
    const create = async (resource: string, path: string) =>
      (
        (await client().call('POST', '/webhooks', undefined, { data: { resource, target: `${url}/${path}` } })) as {
          data: { gid: string };
        }
      ).data.gid;
    const ours = [
      await create(scene.salesProjectGid, 'a'),
      await create(scene.salesProjectGid, 'b'),
      await create(scene.projectGids[1]!, 'c'),
    ];
    const theirs = await create(elsewhere.gid, 'd');
    const listed: string[] = [];
    let offset: string | undefined;
    let pages = 0;
    do {
      const page = await get(
        `/webhooks?workspace=${scene.workspaceGid}&limit=2${offset ? `&offset=${offset}` : ''}&opt_fields=target,resource`,
      );
      expect(page.status).toBe(200);
      listed.push(...(page.body.data as { gid: string }[]).map((w) => w.gid));
      offset = (page.body.next_page as { offset: string } | null)?.offset;
      pages += 1;
    } while (offset && pages < 10);
    expect(listed.filter((gid) => ours.includes(gid) || gid === theirs).sort()).toEqual([...ours].sort());
    expect(pages).toBeGreaterThan(1);
    const inOther = await get(`/webhooks?workspace=${other.gid}`);
    expect((inOther.body.data as { gid: string }[]).map((w) => w.gid)).toEqual([theirs]);
    expect((await get('/webhooks')).status).toBe(400);
    for (const gid of [...ours, theirs]) await client().call('DELETE', `/webhooks/${gid}`);
    await hook.close();
  });

  test('a target that does not echo the secret leaves no webhook', async () => {
    const hook = target({ echo: false });
    const url = await hook.listen();
    await expect(
      client().call('POST', '/webhooks', undefined, { data: { resource: scene.salesProjectGid, target: url } }),
    ).rejects.toThrow(/Asana 400 .*handshake/);
    const list = await get(`/webhooks?workspace=${scene.workspaceGid}&resource=${scene.salesProjectGid}`);
    expect((list.body.data as { target: string }[]).filter((w) => w.target === url)).toEqual([]);
    await hook.close();
  });

  test('refuses localhost targets (403) unless the allowance is on, and duplicates (403)', async () => {
    const strict = await startAsanaStandIn();
    try {
      seedScene(strict.store, { projects: 1, tasksPerProject: 1 });
      const project = [...strict.store.projects.keys()][0]!;
      const response = await request(`${strict.url}/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${strict.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ data: { resource: project, target: 'http://localhost:9/hook' } }),
      });
      expect(response.statusCode).toBe(403);
      await response.body.dump();
    } finally {
      await strict.close();
    }
    const hook = target();
    const url = await hook.listen();
    const created = (await client().call('POST', '/webhooks', undefined, {
      data: { resource: scene.salesProjectGid, target: url },
    })) as { data: { gid: string } };
    await expect(
      client().call('POST', '/webhooks', undefined, { data: { resource: scene.salesProjectGid, target: url } }),
    ).rejects.toThrow(/Asana 403 .*Duplicated webhook/);
    await client().call('DELETE', `/webhooks/${created.data.gid}`);
    await hook.close();
  });

  test('team and workspace webhooks need filters, all from Asana’s whitelist, and carry no task events', async () => {
    const hook = target();
    const url = await hook.listen();
    const create = (resource: string, filters?: unknown[]) =>
      client().send('POST', '/webhooks', undefined, {
        data: { resource, target: url, ...(filters ? { filters } : {}) },
      });
    const refusals = [
      undefined,
      [],
      [{ resource_type: 'task', action: 'changed' }],
      [
        { resource_type: 'project', action: 'added' },
        { resource_type: 'story', action: 'added' },
      ],
      [{ resource_type: 'project' }],
      [{ resource_type: 'project', action: 'changed', fields: ['name'] }],
      [{ resource_type: 'team_membership', action: 'changed' }],
    ];
    for (const resource of [scene.workspaceGid, scene.teamGid]) {
      for (const filters of refusals) {
        const response = await create(resource, filters);
        expect({ filters, status: response.status, body: response.body }).toEqual({
          filters,
          status: 400,
          body: {
            errors: [
              expect.objectContaining({
                error: 'invalid_filters_for_larger_scoped_webhooks',
                message: expect.stringContaining('all filters must be in our whitelist') as string,
              }),
            ],
          },
        });
      }
    }
    expect(asana.webhooks.all.size).toBe(0);

    const projectEvents = ['added', 'changed'].map((action) => ({ resource_type: 'project', action }));
    const team = (await create(scene.teamGid, projectEvents)) as { status: number; body: { data: { gid: string } } };
    expect(team.status).toBe(201);
    // PUT replaces the filters under the same rules.
    const put = await client().send('PUT', `/webhooks/${team.body.data.gid}`, undefined, {
      data: { filters: [{ resource_type: 'task', action: 'changed' }] },
    });
    expect(put.status).toBe(400);
    expect(asana.webhooks.get(team.body.data.gid).filters).toEqual(projectEvents);

    const otherTeam = asana.store.addTeam(scene.workspaceGid, 'Operations');
    asana.store.updateTask(scene.taskGids[2]!, { name: 'Not for the team webhook' });
    const inTeam = asana.store.createProject({ workspace: scene.workspaceGid, name: 'Initech', team: scene.teamGid });
    asana.store.createProject({ workspace: scene.workspaceGid, name: 'Elsewhere', team: otherTeam.gid });
    await waitFor(() => hook.deliveries().length >= 1);
    const events = hook
      .deliveries()
      .flatMap((d) => (JSON.parse(d.body) as { events: { resource: { gid: string } }[] }).events);
    expect(events.map((e) => e.resource.gid)).toEqual([inTeam.gid]);
    await client().call('DELETE', `/webhooks/${team.body.data.gid}`);
    await hook.close();
  });

  test('deliveries are signed over their exact bytes, in Asana’s shape; heartbeats carry no events', async () => {
    const hook = target();
    const url = await hook.listen();
    const created = (await client().call('POST', '/webhooks', undefined, {
      data: { resource: scene.salesProjectGid, target: url },
    })) as {
      data: { gid: string };
      'X-Hook-Secret': string;
    };
    asana.store.moveTask(scene.taskGids[3]!, scene.stageSectionGids.Won!);
    await waitFor(() => hook.deliveries().length >= 1);
    const delivery = hook.deliveries()[0]!;
    expect(
      isValidSignature(
        Buffer.from(delivery.body),
        delivery.headers['x-hook-signature'] as string,
        created['X-Hook-Secret'],
      ),
    ).toBe(true);
    // Asana's delivery body is described nowhere in the spec; shape from docs/asana.md 1.4.
    const Delivery = z.object({
      events: z.array(
        z.object({
          user: z.object({ gid: z.string(), resource_type: z.literal('user') }).nullable(),
          created_at: z.string().datetime(),
          action: z.enum(['added', 'changed', 'removed', 'deleted', 'undeleted']),
          resource: z.object({ gid: z.string(), resource_type: z.string() }),
          parent: z.object({ gid: z.string(), resource_type: z.string() }).nullable(),
        }),
      ),
    });
    expect(Delivery.parse(JSON.parse(delivery.body)).events.map((e) => [e.action, e.parent?.resource_type])).toEqual([
      ['added', 'section'],
      ['removed', 'section'],
    ]);
    asana.clock.advance(8 * HOUR);
    await waitFor(() => hook.deliveries().some((d) => d.body === '{"events":[]}'));
    await client().call('DELETE', `/webhooks/${created.data.gid}`);
    await hook.close();
  });

  test('a heartbeat that falls due while a delivery is in flight is sent after it, not lost', async () => {
    const hook = target();
    const url = await hook.listen();
    const created = (await client().call('POST', '/webhooks', undefined, {
      data: { resource: scene.salesProjectGid, target: url },
    })) as { data: { gid: string } };
    hook.state.holdMs = 500;
    asana.store.updateTask(scene.taskGids[5]!, { name: 'Renamed while a heartbeat falls due' });
    await waitFor(() => hook.deliveries().length >= 1);
    // The first delivery is still waiting for its answer when the heartbeat falls due.
    asana.clock.advance(8 * HOUR);
    await waitFor(() => hook.deliveries().some((d) => d.body === '{"events":[]}'));
    await client().call('DELETE', `/webhooks/${created.data.gid}`);
    await hook.close();
  });

  test('a failing delivery is retried with backoff, its failure fields advance, and after 24 h the webhook is deleted', async () => {
    const hook = target();
    const url = await hook.listen();
    const created = (await client().call('POST', '/webhooks', undefined, {
      data: { resource: scene.salesProjectGid, target: url },
    })) as { data: { gid: string } };
    hook.state.status = 500;
    asana.store.updateTask(scene.taskGids[4]!, { name: 'Delivered late or never' });
    const webhook = async () =>
      (await get(`/webhooks/${created.data.gid}`)).body.data as Record<string, string | number | null>;
    await waitFor(async () => (await webhook()).delivery_retry_count === 1);
    const first = await webhook();
    expect(first.last_failure_content).toMatch(/^500/);
    expect(first.failure_deletion_timestamp).not.toBeNull();
    expect(Date.parse(first.next_attempt_after as string)).toBeGreaterThan(Date.parse(first.last_failure_at as string));
    const gaps: number[] = [];
    for (let attempt = 2; attempt <= 4; attempt += 1) {
      const before = await webhook();
      asana.clock.advance(Date.parse(before.next_attempt_after as string) - asana.clock.now());
      await waitFor(async () => (await webhook()).delivery_retry_count === attempt);
      const after = await webhook();
      gaps.push(Date.parse(after.next_attempt_after as string) - Date.parse(after.last_failure_at as string));
    }
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    expect(hook.deliveries().length).toBe(4);
    // 24 h of failures: the next attempt past the deadline deletes the webhook, and Asana answers 404.
    for (let hours = 0; hours < 26 && (await get(`/webhooks/${created.data.gid}`)).status === 200; hours += 1) {
      asana.clock.advance(HOUR);
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(async () => (await get(`/webhooks/${created.data.gid}`)).status === 404);
    await hook.close();
  });
});

describe('the outage control (POST /__control/outage)', () => {
  const control = async (method: 'GET' | 'POST' | 'DELETE', body?: unknown) => {
    const response = await request(`${asana.controlUrl}/outage`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> | null };
  };
  const register = (url: string) =>
    client().call('POST', '/webhooks', undefined, {
      data: { resource: scene.salesProjectGid, target: url },
    }) as Promise<{
      data: { gid: string };
    }>;

  test('fails every delivery for that long of the stand-in clock, then delivers what was queued', async () => {
    const hook = target();
    const url = await hook.listen();
    const created = await register(url);
    const started = await control('POST', { ms: 3 * HOUR });
    expect(started.status).toBe(201);
    expect(started.body?.refuseHandshakes).toBe(true);
    const until = Date.parse(String(started.body?.until));
    expect(until - asana.clock.now()).toBeGreaterThan(3 * HOUR - 60_000);
    expect(until - asana.clock.now()).toBeLessThanOrEqual(3 * HOUR);
    expect((await control('GET')).body).toEqual(started.body);

    asana.store.updateTask(scene.taskGids[5]!, { name: 'Changed during the outage' });
    const attempts = () => asana.webhooks.deliveries.filter((d) => d.webhookGid === created.data.gid);
    await waitFor(() => attempts().length === 1);
    expect(attempts()[0]).toMatchObject({ status: 'error', resourceGids: [scene.taskGids[5]] });
    expect(hook.deliveries()).toEqual([]);
    const failing = (await get(`/webhooks/${created.data.gid}`)).body.data as Record<string, unknown>;
    expect(failing.last_failure_content).toMatch(/target is down/);

    // Fast-forwarded past the outage, the retry goes through with the event that was queued.
    asana.clock.advance(3 * HOUR);
    await waitFor(() => hook.deliveries().length === 1);
    expect(attempts().at(-1)).toMatchObject({ status: 200, resourceGids: [scene.taskGids[5]] });
    expect((await control('GET')).body).toBeNull();
    await client().call('DELETE', `/webhooks/${created.data.gid}`);
    await hook.close();
  });

  test('refuses handshakes while it lasts (a down target refuses them too), unless told not to', async () => {
    const hook = target();
    const url = await hook.listen();
    await control('POST', { ms: HOUR });
    await expect(register(url)).rejects.toThrow(/Asana 400 .*handshake/);
    expect(hook.received).toEqual([]);

    await control('DELETE');
    const created = await register(url);
    await client().call('DELETE', `/webhooks/${created.data.gid}`);

    await control('POST', { ms: HOUR, refuseHandshakes: false });
    const during = await register(url);
    expect(hook.received.filter((r) => r.headers['x-hook-secret'])).toHaveLength(2);
    await client().call('DELETE', `/webhooks/${during.data.gid}`);
    await control('DELETE');
    await hook.close();
  });

  test('refuses a length that is not a positive number of milliseconds', async () => {
    expect((await control('POST', { ms: -1 })).status).toBe(400);
    expect((await control('POST', {})).status).toBe(400);
    expect((await control('GET')).body).toBeNull();
  });
});

test('429 with Retry-After in seconds and Asana’s body once a token exceeds its requests per minute', async () => {
  const limited = await startAsanaStandIn({ rateLimit: { requestsPerMinute: 3 } });
  try {
    const statuses = [];
    let last;
    for (let i = 0; i < 5; i += 1) {
      last = await request(`${limited.url}/users/me`, { headers: { authorization: `Bearer ${limited.token}` } });
      statuses.push(last.statusCode);
      if (i < 4) await last.body.dump();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    if (!last) throw new Error('no request was sent');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.stringify(await last.body.json())).toMatch(/too many requests/);
  } finally {
    await limited.close();
  }
});

test('OAuth: a code becomes a token that expires after 3600 s of the stand-in clock; refresh tokens keep working', async () => {
  const authorize = await request(
    `${asana.origin}/-/oauth_authorize?client_id=c&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&state=s`,
  );
  const code = new URL(authorize.headers.location as string).searchParams.get('code')!;
  await authorize.body.dump();
  const exchange = async (form: Record<string, string>) => {
    const response = await request(`${asana.origin}/-/oauth_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'c', client_secret: 's', ...form }).toString(),
    });
    return (await response.body.json()) as { access_token: string; refresh_token?: string; expires_in: number };
  };
  const tokens = await exchange({ grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb' });
  expect(tokens.expires_in).toBe(3600);
  expect((await get('/users/me', tokens.access_token)).status).toBe(200);
  asana.clock.advance(3601_000);
  expect((await get('/users/me', tokens.access_token)).status).toBe(401);
  const refreshed = await exchange({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
  expect((await get('/users/me', refreshed.access_token)).status).toBe(200);
});

test('teams: one, its projects (paged, archived filter) and a workspace’s teams, as the document has them', async () => {
  const team = await get(`/teams/${scene.teamGid}?opt_fields=name,organization,permalink_url`);
  expect(team.status).toBe(200);
  expect(team.body.data).toMatchObject({ gid: scene.teamGid, organization: { gid: scene.workspaceGid } });
  const teams = await get(`/workspaces/${scene.workspaceGid}/teams?limit=100`);
  expect((teams.body.data as { gid: string }[]).map((t) => t.gid)).toContain(scene.teamGid);
  const first = await get(`/teams/${scene.teamGid}/projects?limit=1&opt_fields=name,team`);
  expect((first.body.data as { team: { gid: string } }[]).map((p) => p.team.gid)).toEqual([scene.teamGid]);
  const rest = first.body.next_page as { offset: string };
  const second = await get(`/teams/${scene.teamGid}/projects?limit=1&offset=${rest.offset}`);
  expect(second.body.data).toEqual([expect.objectContaining({ gid: scene.projectGids[1] })]);
  const all = await get(`/teams/${scene.teamGid}/projects?limit=100&archived=false`);
  expect((all.body.data as unknown[]).length).toBeGreaterThanOrEqual(scene.projectGids.length);
  expect((await get('/teams/1?limit=1')).status).toBe(404);
  expect((await get('/teams/abc/projects')).status).toBe(400);
});

test('injected faults answer as configured, then stop', async () => {
  asana.faults.add({ pathPrefix: '/api/1.0/users/me', status: 503, count: 1 });
  expect((await get('/users/me')).status).toBe(503);
  expect((await get('/users/me')).status).toBe(200);
});

test('a request is logged when it arrived, not when its slow answer left (rate peaks count arrivals)', async () => {
  asana.faults.add({ pathPrefix: '/api/1.0/users/me', delayMs: 1500, count: 1 });
  expect((await get('/users/me')).status).toBe(200);
  const answered = asana.clock.now();
  const logged = asana.requests.list({ path: '/api/1.0/users/me' }).at(-1)!;
  // It arrived before the 1.5 s the answer was held; stamped at the answer, it would sit within ms of `answered`.
  expect(answered - Date.parse(logged.at)).toBeGreaterThanOrEqual(1500);
});

test('the same seed gives the same scene', () => {
  const names = (seed: number) => {
    const store = new AsanaStore(new StandInClock());
    seedScene(store, { seed, projects: 3, tasksPerProject: 5 });
    return [...store.tasks.values()].map((t) => `${t.gid}:${t.name}:${t.notes}`);
  };
  expect(names(5)).toEqual(names(5));
  expect(names(5)).not.toEqual(names(6));
});

test('every response the stand-in sent, and every request our client sent, conforms to Asana’s OpenAPI document', async () => {
  const spec = await conformanceTo('asana');
  // OAuth's endpoints live outside the API and its document; their shape is the fact sheet's (§7).
  const oauth = asana.requests.list().filter((e) => e.url.startsWith('/-/oauth_token'));
  expect(oauth.length).toBeGreaterThan(0);
  const Token = z.object({
    access_token: z.string(),
    expires_in: z.literal(3600),
    token_type: z.literal('bearer'),
    refresh_token: z.string().optional(),
  });
  for (const exchange of oauth) Token.parse(exchange.responseBody);
  const exchanges = asana.requests.list().filter((e) => e.url.startsWith('/api/1.0/'));
  expect(exchanges.length).toBeGreaterThan(20);
  // Injected errors are not Asana's answers to that operation; they carry Asana's error shape (§6). A fault that
  // only delays gives the operation's own answer, checked as any other.
  const injectedError = (e: (typeof exchanges)[number]) => e.fault !== undefined && e.status >= 400;
  const ErrorShape = z.object({
    errors: z
      .array(z.object({ message: z.string(), help: z.string().optional(), phrase: z.string().optional() }))
      .min(1),
  });
  for (const exchange of exchanges.filter(injectedError)) ErrorShape.parse(exchange.responseBody);
  const responseProblems = exchanges
    .filter((e) => !injectedError(e))
    .flatMap((exchange) => spec.validateResponse(exchange));
  expect(responseProblems).toEqual([]);
  const clientRequests = exchanges.filter((e) => e.requestHeaders['user-agent'] === USER_AGENT);
  expect(clientRequests.length).toBeGreaterThan(5);
  expect(clientRequests.flatMap((exchange) => spec.validateRequest(exchange))).toEqual([]);
});
