/**
 * A local Asana for tests, the demo and benchmarks: the REST API under /api/1.0 (the parts the sync uses), Asana's
 * OAuth endpoints, webhooks with the in-flight handshake and signed, retried deliveries, the Events API, pagination,
 * rate limits and error bodies as Asana documents them (docs/asana.md; responses checked against
 * asana_oas.yaml by test/integration/stand-ins/asana-conformance.test.ts).
 *
 * A control API under /__control/ on the same port does what a person does in Asana, moves the clock, injects faults
 * and reads back every request (stand-ins/asana/README.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StandInClock } from '../kit/clock';
import { FaultInjector, FaultSpec } from '../kit/faults';
import { recordableHeaders, RequestLog } from '../kit/request-log';
import { COMPACT, fullProject, fullSection, fullTask, fullTeam, parseOptFields, select } from './serialize';
import { AsanaStore, type CustomValue, StoreError } from './store';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookFilter, WebhookError, Webhooks, type WebhookSettings } from './webhooks';

/** The personal access token the stand-in accepts unless told otherwise (Asana PATs are opaque; format not checked). */
export const ASANA_STAND_IN_TOKEN = '2/1210000000000001/1210000000000002:standindemotoken0000000000000000';

export interface AsanaStandInOptions {
  /** 0 or undefined: a free port. */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  clock?: StandInClock;
  /** Accepted personal access tokens. @default [ASANA_STAND_IN_TOKEN] */
  personalAccessTokens?: string[];
  /** Asana refuses localhost targets with 403; tests and the demo allow them. @default false */
  allowLoopbackTargets?: boolean;
  /** Per token: 1,500/min on paid plans, 150/min free; 50 concurrent reads, 15 concurrent writes (docs/asana.md §5). */
  rateLimit?: { requestsPerMinute?: number; concurrentReads?: number; concurrentWrites?: number };
  webhooks?: Partial<WebhookSettings>;
  /** Gids are allocated from here on; tests that share one Temporal server pass distinct bases. @default 1210000000000000 */
  firstGid?: bigint;
  /** Offset tokens expire after this long (one observed token lived 15 min; docs/asana.md §4). */
  offsetLifetimeMs?: number;
  /** OAuth: each refresh returns a new refresh token and revokes the presented one. Asana's own keep theirs. */
  oauth?: { rotateRefreshTokens?: boolean };
}

export interface AsanaStandIn {
  /** Base URL of the imitated API (ASANA_BASE_URL), e.g. http://127.0.0.1:4010/api/1.0 */
  url: string;
  origin: string;
  controlUrl: string;
  token: string;
  clock: StandInClock;
  store: AsanaStore;
  webhooks: Webhooks;
  requests: RequestLog;
  faults: FaultInjector;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { sync?: string; retryAfter?: number; code?: string } = {},
  ) {
    super(message);
  }
}

const HELP =
  'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors';

function errorBody(status: number, message: string, code?: string) {
  // `phrase` appears only on 500s (docs/asana.md §6); some refusals name their `error` and repeat the message for
  // people (`user_message`; docs/asana.md 1.3).
  const named = code ? { error: code, user_message: message } : {};
  return {
    errors: [{ ...named, message, help: HELP, ...(status >= 500 ? { phrase: '6 sad squid snuggle softly' } : {}) }],
  };
}

const GID = /^\d{1,30}$/;

export async function startAsanaStandIn(options: AsanaStandInOptions = {}): Promise<AsanaStandIn> {
  const clock = options.clock ?? new StandInClock();
  const store = new AsanaStore(clock, options.firstGid);
  const webhooks = new Webhooks(store, clock, {
    ...DEFAULT_WEBHOOK_SETTINGS,
    allowLoopbackTargets: options.allowLoopbackTargets ?? false,
    ...options.webhooks,
  });
  const requests = new RequestLog();
  const faults = new FaultInjector();
  const pats = new Set(options.personalAccessTokens ?? [ASANA_STAND_IN_TOKEN]);
  const oauth = {
    codes: new Map<string, { redirect: string; challenge?: string }>(),
    access: new Map<string, number>(),
    refresh: new Set<string>(),
  };
  const oauthOptions = options.oauth ?? {};
  const limits = { requestsPerMinute: 1500, concurrentReads: 50, concurrentWrites: 15, ...options.rateLimit };
  const usage = new Map<string, { window: number[]; reads: number; writes: number }>();
  const offsetLifetimeMs = options.offsetLifetimeMs ?? 15 * 60_000;
  let origin = '';

  // --- pagination ------------------------------------------------------------------------------------------------

  function paginate<T>(items: T[], query: URLSearchParams, path: string): { data: T[]; next_page?: unknown } {
    const limitText = query.get('limit');
    if (limitText === null) {
      if (query.get('offset')) throw new ApiError(400, 'offset: You must specify a limit with an offset');
      // Unpaginated requests are truncated at about 1,000 objects (docs/asana.md §4).
      if (items.length > 1000)
        throw new ApiError(
          400,
          'The result is too large. You should use pagination (may require specifying a workspace)!',
        );
      return { data: items };
    }
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new ApiError(400, 'limit: Must be between 1 and 100');
    let start = 0;
    const offset = query.get('offset');
    if (offset) {
      let token: { i: number; e: number; p: string };
      try {
        token = JSON.parse(Buffer.from(offset, 'base64url').toString('utf8')) as typeof token;
      } catch {
        throw new ApiError(400, 'offset: Your pagination token is invalid.');
      }
      if (typeof token?.i !== 'number' || token.p !== path)
        throw new ApiError(400, 'offset: Your pagination token is invalid.');
      if (token.e < clock.now()) throw new ApiError(400, 'offset: Your pagination token has expired.');
      start = token.i;
    }
    const data = items.slice(start, start + limit);
    if (start + limit >= items.length) return { data, next_page: null };
    const next = Buffer.from(JSON.stringify({ i: start + limit, e: clock.now() + offsetLifetimeMs, p: path })).toString(
      'base64url',
    );
    const rest = new URLSearchParams(query);
    rest.set('offset', next);
    return {
      data,
      next_page: {
        offset: next,
        path: `${path}?${rest.toString()}`,
        uri: `${origin}/api/1.0${path}?${rest.toString()}`,
      },
    };
  }

  // --- the API ---------------------------------------------------------------------------------------------------

  type Handler = (ctx: {
    params: string[];
    query: URLSearchParams;
    body: unknown;
    token: string;
  }) => Promise<[number, unknown]> | [number, unknown];
  const routes: [string, RegExp, Handler][] = [];
  const route = (method: string, pattern: string, handler: Handler) =>
    routes.push([method, new RegExp(`^${pattern.replace(/\{gid\}/g, '([^/]+)')}$`), handler]);
  const gidParam = (value: string | undefined, what: string) => {
    if (!value || !GID.test(value)) throw new ApiError(400, `${what}: Not a valid gid: ${value}`);
    return value;
  };
  const opt = (query: URLSearchParams) => parseOptFields(query.get('opt_fields') ?? undefined);
  const storeCall = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof StoreError) throw new ApiError(error.status, error.message);
      throw error;
    }
  };

  route('GET', '/users/me', ({ query }) => {
    const me = store.actor;
    const full = {
      gid: me.gid,
      resource_type: 'user',
      name: me.name,
      email: me.email,
      workspaces: [...store.workspaces.values()].map((w) => ({ gid: w.gid, resource_type: 'workspace', name: w.name })),
    };
    return [200, { data: select(full, opt(query), COMPACT.user) }];
  });
  route('GET', '/workspaces', ({ query }) => {
    const all = [...store.workspaces.values()].map((w) =>
      select({ gid: w.gid, resource_type: 'workspace', name: w.name }, opt(query), COMPACT.workspace),
    );
    return [200, paginate(all, query, '/workspaces')];
  });
  route('GET', '/projects', ({ query }) => {
    const workspace = query.get('workspace');
    const team = query.get('team');
    if (!workspace && !team) throw new ApiError(400, 'workspace: Missing input');
    return [200, paginate(projectsWhere(query, { workspace, team }), query, '/projects')];
  });
  /** Projects of a workspace and/or team, not deleted, filtered by `archived` when asked, as the query selects them. */
  const projectsWhere = (query: URLSearchParams, where: { workspace?: string | null; team?: string | null }) => {
    const archived = query.get('archived');
    return [...store.projects.values()]
      .filter((p) => !p.deleted && (!where.workspace || p.workspace === where.workspace))
      .filter((p) => !where.team || p.team === where.team)
      .filter((p) => archived === null || String(p.archived) === archived)
      .map((p) => select(fullProject(store, p), opt(query), COMPACT.project));
  };
  route('GET', '/teams/{gid}', ({ params, query }) => {
    const team = storeCall(() => store.requireTeam(gidParam(params[0], 'team')));
    return [200, { data: select(fullTeam(store, team), opt(query), COMPACT.team) }];
  });
  route('GET', '/teams/{gid}/projects', ({ params, query }) => {
    const team = storeCall(() => store.requireTeam(gidParam(params[0], 'team')));
    return [200, paginate(projectsWhere(query, { team: team.gid }), query, `/teams/${team.gid}/projects`)];
  });
  route('GET', '/workspaces/{gid}/teams', ({ params, query }) => {
    const workspace = storeCall(() => store.requireWorkspace(gidParam(params[0], 'workspace')));
    const all = [...store.teams.values()]
      .filter((t) => t.workspace === workspace.gid)
      .map((t) => select(fullTeam(store, t), opt(query), COMPACT.team));
    return [200, paginate(all, query, `/workspaces/${workspace.gid}/teams`)];
  });
  route('GET', '/projects/{gid}', ({ params, query }) => {
    const project = storeCall(() => store.requireProject(gidParam(params[0], 'project')));
    return [200, { data: select(fullProject(store, project), opt(query), COMPACT.project) }];
  });
  route('GET', '/projects/{gid}/sections', ({ params, query }) => {
    const project = storeCall(() => store.requireProject(gidParam(params[0], 'project')));
    const all = [...store.sections.values()]
      .filter((s) => s.project === project.gid && !s.deleted)
      .map((s) => select(fullSection(store, s), opt(query), COMPACT.section));
    return [200, paginate(all, query, `/projects/${project.gid}/sections`)];
  });
  route('GET', '/projects/{gid}/tasks', ({ params, query }) => {
    const project = storeCall(() => store.requireProject(gidParam(params[0], 'project')));
    const all = [...store.tasks.values()]
      .filter((t) => !t.deleted && t.memberships.some((m) => m.project === project.gid))
      .map((t) => select(fullTask(store, t), opt(query), COMPACT.task));
    return [200, paginate(all, query, `/projects/${project.gid}/tasks`)];
  });
  route('GET', '/sections/{gid}', ({ params, query }) => {
    const section = storeCall(() => store.requireSection(gidParam(params[0], 'section')));
    return [200, { data: select(fullSection(store, section), opt(query), COMPACT.section) }];
  });
  route('GET', '/sections/{gid}/tasks', ({ params, query }) => {
    const section = storeCall(() => store.requireSection(gidParam(params[0], 'section')));
    const all = [...store.tasks.values()]
      .filter((t) => !t.deleted && t.memberships.some((m) => m.section === section.gid))
      .map((t) => select(fullTask(store, t), opt(query), COMPACT.task));
    return [200, paginate(all, query, `/sections/${section.gid}/tasks`)];
  });
  route('GET', '/tasks/{gid}', ({ params, query }) => {
    const task = storeCall(() => store.requireTask(gidParam(params[0], 'task')));
    return [200, { data: select(fullTask(store, task), opt(query), COMPACT.task) }];
  });
  route('GET', '/tasks', ({ query }) => {
    const project = query.get('project');
    // "You must specify a project or tag if you do not specify assignee and workspace" (OAS:L47471).
    if (!project && !query.get('tag') && !(query.get('assignee') && query.get('workspace'))) {
      throw new ApiError(
        400,
        'project: Must specify exactly one of project, tag, section, user task list, or assignee + workspace',
      );
    }
    if (project) storeCall(() => store.requireProject(gidParam(project, 'project')));
    const since = query.get('modified_since');
    const sinceMs = since ? Date.parse(since) : undefined;
    if (since && Number.isNaN(sinceMs)) throw new ApiError(400, 'modified_since: Not a valid date-time');
    const all = [...store.tasks.values()]
      .filter((t) => !t.deleted && (!project || t.memberships.some((m) => m.project === project)))
      .filter((t) => sinceMs === undefined || Date.parse(t.modified_at) >= sinceMs)
      .map((t) => select(fullTask(store, t), opt(query), COMPACT.task));
    return [200, paginate(all, query, '/tasks')];
  });

  // Events API: sync tokens, 412 with a fresh token, 100 per call and has_more (docs/asana.md §2).
  route('GET', '/events', ({ query }) => {
    const resource = query.get('resource');
    if (!resource) throw new ApiError(400, 'resource: Missing input');
    const inProject = store.projects.has(resource);
    if (!inProject && !store.tasks.has(resource)) throw new ApiError(404, `resource: Unknown object: ${resource}`);
    const fresh = () =>
      Buffer.from(JSON.stringify({ r: resource, s: store.events.length, t: clock.now() })).toString('base64url');
    const sync = query.get('sync');
    const invalid = (message: string) => new ApiError(412, message, { sync: fresh() });
    const tooOld =
      'Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch the full dataset for this query now and use the new sync token for the next sync.';
    if (!sync) throw invalid(tooOld);
    let token: { r: string; s: number; t: number };
    try {
      token = JSON.parse(Buffer.from(sync, 'base64url').toString('utf8')) as typeof token;
    } catch {
      throw invalid(tooOld);
    }
    // Tokens always expire after 24 h (OAS:L632-645).
    if (token.r !== resource || clock.now() - token.t > 24 * 3_600_000) throw invalid(tooOld);
    const relevant = store.events.filter(
      (e) => e.seq > token.s && (inProject ? e.projects.includes(resource) : e.resource.gid === resource),
    );
    const page = relevant.slice(0, 100);
    const lastSeq = page.length === 100 ? page[99]!.seq : store.events.length;
    const next = Buffer.from(JSON.stringify({ r: resource, s: lastSeq, t: clock.now() })).toString('base64url');
    // The spec types `parent` as an object: an event without one leaves it out here (deliveries carry null, 1.4).
    const data = page.map(({ seq: _s, projects: _p, workspace: _w, parent, ...event }) => ({
      ...event,
      ...(parent ? { parent } : {}),
      type: event.resource.resource_type,
    }));
    return [200, { data, sync: next, has_more: relevant.length > 100 }];
  });

  // Webhooks (docs/asana.md §1).
  route('POST', '/webhooks', async ({ body }) => {
    const data = (body as { data?: { resource?: unknown; target?: unknown; filters?: unknown } } | undefined)?.data;
    if (!data || typeof data.resource !== 'string' || typeof data.target !== 'string') {
      throw new ApiError(400, 'You should specify one of resource');
    }
    if (data.filters !== undefined && !Array.isArray(data.filters)) throw new ApiError(400, 'filters: Not an array');
    try {
      const webhook = await webhooks.create({
        resource: gidParam(data.resource, 'resource'),
        target: data.target,
        ...(data.filters ? { filters: data.filters as WebhookFilter[] } : {}),
      });
      return [201, { data: Webhooks.view(webhook), 'X-Hook-Secret': webhook.secret }];
    } catch (error) {
      if (error instanceof WebhookError)
        throw new ApiError(error.status, error.message, error.code ? { code: error.code } : {});
      throw error;
    }
  });
  route('GET', '/webhooks', ({ query }) => {
    const workspace = query.get('workspace');
    if (!workspace) throw new ApiError(400, 'workspace: Missing input');
    const resource = query.get('resource');
    // "all webhooks your app has registered … in the given workspace" (OAS getWebhooks): one workspace's only.
    const all = [...webhooks.all.values()]
      .filter((w) => w.workspace === workspace && (!resource || w.resource.gid === resource))
      .map((w) => select(Webhooks.view(w), opt(query), COMPACT.webhook));
    return [200, paginate(all, query, '/webhooks')];
  });
  const webhookCall = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof WebhookError) throw new ApiError(error.status, error.message);
      throw error;
    }
  };
  route('GET', '/webhooks/{gid}', ({ params, query }) => {
    const webhook = webhookCall(() => webhooks.get(gidParam(params[0], 'webhook')));
    return [
      200,
      {
        data: select(Webhooks.view(webhook), opt(query), [
          ...COMPACT.webhook,
          'created_at',
          'last_failure_at',
          'last_failure_content',
          'last_success_at',
          'delivery_retry_count',
          'next_attempt_after',
          'failure_deletion_timestamp',
          'filters',
        ]),
      },
    ];
  });
  route('PUT', '/webhooks/{gid}', ({ params, body }) => {
    const gid = gidParam(params[0], 'webhook');
    const filters = (body as { data?: { filters?: unknown } } | undefined)?.data?.filters;
    if (!Array.isArray(filters)) throw new ApiError(400, 'filters: Missing input');
    const webhook = webhookCall(() => webhooks.replaceFilters(gid, filters as WebhookFilter[]));
    return [200, { data: Webhooks.view(webhook) }];
  });
  route('DELETE', '/webhooks/{gid}', ({ params }) => {
    webhookCall(() => webhooks.delete(gidParam(params[0], 'webhook')));
    return [200, { data: {} }];
  });

  // --- auth and limits -------------------------------------------------------------------------------------------

  function authenticate(header: string | undefined): string {
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new ApiError(401, 'Not Authorized');
    if (pats.has(token)) return token;
    const expires = oauth.access.get(token);
    if (expires !== undefined && expires > clock.now()) return token;
    throw new ApiError(401, 'Not Authorized');
  }

  /** Requests per minute (rejected requests count too) and concurrent reads/writes, per token (§5). */
  function admit(token: string, method: string): () => void {
    const now = clock.now();
    const u = usage.get(token) ?? { window: [], reads: 0, writes: 0 };
    usage.set(token, u);
    u.window = u.window.filter((t) => t > now - 60_000);
    u.window.push(now);
    const write = method !== 'GET';
    const limited = (retryAfterS: number) =>
      new ApiError(
        429,
        "You've made too many requests and hit a rate limit. Please retry after the given amount of time.",
        {
          retryAfter: retryAfterS,
        },
      );
    if (u.window.length > limits.requestsPerMinute)
      throw limited(Math.max(1, Math.ceil((u.window[0]! + 60_000 - now) / 1000)));
    if (write ? u.writes >= limits.concurrentWrites : u.reads >= limits.concurrentReads) throw limited(1);
    if (write) u.writes += 1;
    else u.reads += 1;
    return () => {
      if (write) u.writes -= 1;
      else u.reads -= 1;
    };
  }

  // --- OAuth (docs/asana.md §7) --------------------------------------------------------------------------

  function oauthAuthorize(url: URL, res: ServerResponse): void {
    const redirect = url.searchParams.get('redirect_uri');
    if (!url.searchParams.get('client_id') || !redirect || url.searchParams.get('response_type') !== 'code') {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('invalid_request: client_id, redirect_uri and response_type=code are required');
      return;
    }
    const challenge = url.searchParams.get('code_challenge');
    if (challenge && url.searchParams.get('code_challenge_method') !== 'S256') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_request: code_challenge_method must be S256');
      return;
    }
    const code = randomBytes(12).toString('hex');
    oauth.codes.set(code, { redirect, ...(challenge ? { challenge } : {}) });
    const target = new URL(redirect);
    target.searchParams.set('code', code);
    const state = url.searchParams.get('state');
    if (state) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() }).end();
  }

  /** Refresh tokens rotate (a new one per refresh, the old one revoked) only when the stand-in is told to. */
  function oauthToken(form: URLSearchParams): [number, unknown] {
    const grant = form.get('grant_type');
    const issue = (withRefresh: boolean) => {
      const access = `stand-in-access-${randomBytes(16).toString('hex')}`;
      oauth.access.set(access, clock.now() + 3_600_000);
      const refresh = withRefresh ? `stand-in-refresh-${randomBytes(16).toString('hex')}` : undefined;
      if (refresh) oauth.refresh.add(refresh);
      const me = store.actor;
      return {
        access_token: access,
        expires_in: 3600,
        token_type: 'bearer',
        ...(refresh ? { refresh_token: refresh } : {}),
        data: { id: me.gid, gid: me.gid, name: me.name, email: me.email },
      };
    };
    if (!form.get('client_id') || !form.get('client_secret')) return [400, { error: 'invalid_client' }];
    if (grant === 'authorization_code') {
      const grantCode = oauth.codes.get(form.get('code') ?? '');
      if (!grantCode || grantCode.redirect !== form.get('redirect_uri')) return [400, { error: 'invalid_grant' }];
      oauth.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier');
      if (grantCode.challenge && (!verifier || pkceChallenge(verifier) !== grantCode.challenge))
        return [400, { error: 'invalid_grant', error_description: 'code_verifier does not match' }];
      return [200, issue(true)];
    }
    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      if (!oauth.refresh.has(presented)) return [400, { error: 'invalid_grant' }];
      if (oauthOptions.rotateRefreshTokens) oauth.refresh.delete(presented);
      return [200, issue(oauthOptions.rotateRefreshTokens === true)];
    }
    return [400, { error: 'unsupported_grant_type' }];
  }

  const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

  /** POST /-/oauth_revoke: a refresh token revokes itself; an access token just stops working (RFC 7009). */
  function oauthRevoke(form: URLSearchParams): [number, unknown] {
    if (!form.get('client_id') || !form.get('client_secret')) return [400, { error: 'invalid_client' }];
    const token = form.get('token') ?? '';
    oauth.refresh.delete(token);
    oauth.access.delete(token);
    return [200, {}];
  }

  // --- control API ----------------------------------------------------------------------------------------------

  async function control(method: string, path: string, body: Record<string, unknown>): Promise<[number, unknown]> {
    const s = (key: string) => (typeof body[key] === 'string' ? body[key] : undefined);
    const m = (pattern: string) => new RegExp(`^${pattern.replace(/\{gid\}/g, '(\\d+)')}$`).exec(path);
    let match: RegExpExecArray | null;
    if (method === 'GET' && path === '/requests') return [200, { requests: requests.list() }];
    if (method === 'DELETE' && path === '/requests') return (requests.clear(), [200, {}]);
    if (method === 'POST' && path === '/clock/advance') {
      clock.advance(Number(body.ms ?? 0));
      return [200, { now: clock.nowIso() }];
    }
    if (method === 'GET' && path === '/clock') return [200, { now: clock.nowIso() }];
    if (method === 'POST' && path === '/faults') return [201, faults.add(FaultSpec.parse(body))];
    if (method === 'DELETE' && path === '/faults') return (faults.clear(), [200, {}]);
    if (method === 'GET' && path === '/webhooks') {
      return [
        200,
        { webhooks: [...webhooks.all.values()].map((w) => Webhooks.view(w)), deliveries: webhooks.deliveries },
      ];
    }
    if (method === 'POST' && path === '/outage') {
      const outage = webhooks.startOutage(Number(body.ms), {
        ...(typeof body.refuseHandshakes === 'boolean' ? { refuseHandshakes: body.refuseHandshakes } : {}),
      });
      return [201, { until: new Date(outage.until).toISOString(), refuseHandshakes: outage.refuseHandshakes }];
    }
    if (method === 'GET' && path === '/outage') {
      const outage = webhooks.outage();
      return [
        200,
        outage ? { until: new Date(outage.until).toISOString(), refuseHandshakes: outage.refuseHandshakes } : null,
      ];
    }
    if (method === 'DELETE' && path === '/outage') return (webhooks.endOutage(), [200, {}]);
    if (method === 'POST' && (match = m('/webhooks/{gid}/heartbeat')))
      return (webhooks.heartbeat(match[1]!), [202, {}]);
    if (method === 'GET' && path === '/state') {
      return [
        200,
        {
          workspaces: [...store.workspaces.values()],
          projects: [...store.projects.values()],
          sections: [...store.sections.values()],
          tasks: [...store.tasks.values()],
          customFields: [...store.customFields.values()],
        },
      ];
    }
    if (method === 'POST' && path === '/tasks') {
      const task = store.createTask({
        project: s('project')!,
        name: s('name') ?? 'New task',
        ...(s('section') ? { section: s('section') } : {}),
        ...(s('notes') ? { notes: s('notes') } : {}),
        ...(body.custom ? { custom: body.custom as Record<string, CustomValue> } : {}),
      });
      return [201, task];
    }
    if (method === 'PATCH' && (match = m('/tasks/{gid}'))) return [200, store.updateTask(match[1]!, body)];
    if (method === 'POST' && (match = m('/tasks/{gid}/move'))) return [200, store.moveTask(match[1]!, s('section')!)];
    if (method === 'POST' && (match = m('/tasks/{gid}/add-project'))) {
      return [200, store.addTaskToProject(match[1]!, s('project')!, s('section'))];
    }
    if (method === 'POST' && (match = m('/tasks/{gid}/remove-project'))) {
      return [200, store.removeTaskFromProject(match[1]!, s('project')!)];
    }
    if (method === 'DELETE' && (match = m('/tasks/{gid}'))) return (store.deleteTask(match[1]!), [200, {}]);
    if (method === 'POST' && (match = m('/tasks/{gid}/undelete'))) return [200, store.undeleteTask(match[1]!)];
    if (method === 'POST' && path === '/sections')
      return [201, store.createSection(s('project')!, s('name') ?? 'Section')];
    if (method === 'PATCH' && (match = m('/sections/{gid}'))) return [200, store.renameSection(match[1]!, s('name')!)];
    if (method === 'DELETE' && (match = m('/sections/{gid}'))) return (store.deleteSection(match[1]!), [200, {}]);
    if (method === 'PATCH' && (match = m('/projects/{gid}'))) return [200, store.updateProject(match[1]!, body)];
    if (method === 'DELETE' && (match = m('/projects/{gid}'))) return (store.deleteProject(match[1]!), [200, {}]);
    return [404, { error: `no control route ${method} ${path}` }];
  }

  // --- HTTP ------------------------------------------------------------------------------------------------------

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(500, String(error))));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    // Asana counts a request when it arrives, so the log does too: a slow answer must not move it into a later second.
    const arrivedAt = clock.nowIso();

    if (url.pathname.startsWith('/__control/')) {
      let json: Record<string, unknown>;
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"control bodies are JSON"}');
        return;
      }
      try {
        const [status, body] = await control(method, url.pathname.slice('/__control'.length), json);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      } catch (error) {
        const status = error instanceof StoreError ? error.status : 400;
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: String((error as Error).message) }));
      }
      return;
    }

    let status: number;
    let body: unknown;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    let faultNote: string | undefined;
    let release = () => undefined as void;
    try {
      if (url.pathname === '/-/oauth_authorize' && method === 'GET') {
        oauthAuthorize(url, res);
        return;
      }
      if (url.pathname === '/-/oauth_token' && method === 'POST') {
        [status, body] = oauthToken(new URLSearchParams(text));
      } else if (url.pathname === '/-/oauth_revoke' && method === 'POST') {
        [status, body] = oauthRevoke(new URLSearchParams(text));
      } else {
        if (!url.pathname.startsWith('/api/1.0/')) throw new ApiError(404, 'No matching route for request');
        const path = url.pathname.slice('/api/1.0'.length);
        const fault = faults.take(method, url.pathname);
        if (fault) {
          faultNote = `fault ${fault.id}`;
          if (fault.hang) {
            req.socket.once('close', () => undefined);
            return; // never answer
          }
          if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
          if (fault.status) {
            throw new ApiError(
              fault.status,
              fault.status === 429
                ? "You've made too many requests and hit a rate limit. Please retry after the given amount of time."
                : 'Server Error',
              fault.status === 429 ? { retryAfter: fault.retryAfterSeconds ?? 30 } : {},
            );
          }
        }
        const token = authenticate(req.headers.authorization);
        release = admit(token, method);
        // Since Asana's CDN rollout, a GET with a body is refused (docs/asana.md §5).
        if (method === 'GET' && text.length > 0) throw new ApiError(400, 'The request could not be satisfied');
        let parsed: unknown;
        if (text) {
          try {
            parsed = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')
              ? { data: Object.fromEntries(new URLSearchParams(text)) }
              : JSON.parse(text);
          } catch {
            throw new ApiError(400, 'Could not parse request data, invalid JSON');
          }
        }
        const found = routes.find(([m, re]) => m === method && re.test(path));
        if (!found) throw new ApiError(404, 'No matching route for request');
        const params = found[1].exec(path)!.slice(1);
        [status, body] = await found[2]({ params, query: url.searchParams, body: parsed, token });
      }
    } catch (error) {
      if (error instanceof ApiError) {
        status = error.status;
        body = {
          ...errorBody(status, error.message, error.extra.code),
          ...(error.extra.sync ? { sync: error.extra.sync } : {}),
        };
        if (error.extra.retryAfter !== undefined) headers['retry-after'] = String(error.extra.retryAfter);
      } else {
        status = 500;
        body = errorBody(500, 'Server Error');
      }
    } finally {
      release();
    }
    const json = JSON.stringify(body);
    res.writeHead(status, headers).end(json);
    requests.add({
      at: arrivedAt,
      method,
      url: req.url ?? '/',
      requestHeaders: recordableHeaders(req.headers),
      requestBody: text ? safeJson(text) : undefined,
      status,
      responseHeaders: headers,
      responseBody: body,
      ...(faultNote ? { fault: faultNote } : {}),
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  origin = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  return {
    url: `${origin}/api/1.0`,
    origin,
    controlUrl: `${origin}/__control`,
    token: [...pats][0]!,
    clock,
    store,
    webhooks,
    requests,
    faults,
    close: async () => {
      webhooks.close();
      clock.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
