/**
 * A local Attio for tests, the demo and benchmarks: Attio's REST API v2 (the parts the sync uses), checked against
 * the official OpenAPI document by the conformance tests, with Attio's auth, validation, rate limits and error bodies.
 * A control API under `/__control/` on the same port reads the request log, resets state, injects faults and moves the
 * clock (stand-ins/attio/README.md).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { StandInClock } from '../kit/clock';
import { FaultInjector, type ActiveFault } from '../kit/faults';
import { recordableHeaders, type RecordedRequest, RequestLog } from '../kit/request-log';
import { createControlHandler } from './control';
import { AttioApiError, type AttioErrorBody, badRequest } from './errors';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimits, requestKind } from './rate-limit';
import { matchRoute } from './routes';
import { AttioWorkspace, type PlainEntry, type PlainRecord, type Target, tokenActorId } from './workspace';

/**
 * The token the stand-in accepts unless told otherwise. Attio API keys are 64 characters ("API Keys should be 64
 * characters long", Attio's 401 text), so this one is too.
 */
export const ATTIO_STAND_IN_TOKEN = 'attio_stand_in_demo_token_00000000000000000000000000000000000000';

export interface AttioStandInOptions {
  /** Port to listen on; 0 or undefined picks a free one. */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Share a clock with other stand-ins; by default the stand-in has its own. */
  clock?: StandInClock;
  /** Bearer tokens accepted. @default [ATTIO_STAND_IN_TOKEN] */
  tokens?: string[];
  /** Attio's limits, per second of the stand-in clock. @default { readsPerSecond: 100, writesPerSecond: 25 } */
  rateLimit?: Partial<RateLimits>;
  /** The workspace /v2/self reports. @default a random id, "Stand-in workspace", "stand-in-workspace" */
  workspace?: { id?: string; name?: string; slug?: string };
}

export type AttioStateDump = ReturnType<AttioWorkspace['dump']>;

export interface AttioStandIn {
  /** Base URL, the value for ATTIO_BASE_URL (e.g. http://127.0.0.1:4020). */
  url: string;
  /** Base URL of the control API (`${url}/__control`). */
  controlUrl: string;
  /** The first accepted token, for clients under test. */
  token: string;
  clock: StandInClock;
  /** Every API request with its response (control requests are not recorded). */
  requests: RequestLog;
  faults: FaultInjector;
  workspace: { id: string; name: string; slug: string };
  rateLimits(): RateLimits;
  setRateLimits(limits: Partial<RateLimits>): RateLimits;
  /** Records of an object (slug or id), in creation order, with plain values (serialize.ts `plainValue`), as arrays. */
  records(object: string): PlainRecord[];
  record(object: string, recordId: string): PlainRecord | undefined;
  /** The first record whose attribute holds this plain value (e.g. `findRecord('people', 'email_addresses', 'a@b.com')`). */
  findRecord(object: string, attribute: string, value: unknown): PlainRecord | undefined;
  /** Entries of a list (slug or id) with plain values, in creation order. */
  entries(list: string): PlainEntry[];
  entriesOf(list: string, parentRecordId: string): PlainEntry[];
  /** Select options or statuses of an attribute, archived ones included. */
  choices(target: Target, identifier: string, attribute: string): { id: string; title: string; is_archived: boolean }[];
  /** The notes on a record, oldest first: title, markdown and the plaintext derived from it. */
  notesOn(recordId: string): ReturnType<AttioWorkspace['plainNotes']>;
  /** The successful write requests whose response was this record or entry (by record_id or entry_id). */
  writesTo(id: string): RecordedRequest[];
  /** Objects, lists and their attributes in Attio's shapes; records and entries with plain values. */
  dump(): AttioStateDump;
  /** A fresh workspace (standard objects only), an empty request log, no faults, fresh rate windows. */
  reset(): void;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const JSON_TYPE = 'application/json; charset=utf-8';

const httpDate = (ms: number) => new Date(ms).toUTCString();

/** 429 body from https://docs.attio.com/rest-api/guides/rate-limiting (docs/attio.md §6); not in the spec. */
function rateLimited(retryAtMs: number): ApiResponse {
  const body: AttioErrorBody = {
    status_code: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: 'Rate limit exceeded, please try again later',
  };
  return { status: 429, headers: { 'retry-after': httpDate(retryAtMs) }, body };
}

/** 401 in Attio's error shape: docs/attio.md §7 (3P effect-attio; the spec has no 401). */
const unauthorized = (message: string): ApiResponse => ({
  status: 401,
  headers: {},
  body: { status_code: 401, type: 'auth_error', code: 'unauthorized', message } satisfies AttioErrorBody,
});

/**
 * The response of an injected status fault. GUESS for 5xx: Attio documents no 5xx body; the stand-in keeps the
 * four-field error shape so clients exercise their generic path.
 */
function faultResponse(fault: ActiveFault, nowMs: number): ApiResponse {
  const status = fault.status ?? 500;
  if (status === 429) {
    const retryAt =
      fault.retryAfterSeconds === undefined
        ? (Math.floor(nowMs / 1000) + 1) * 1000
        : Math.ceil((nowMs + fault.retryAfterSeconds * 1000) / 1000) * 1000;
    return rateLimited(retryAt);
  }
  if (status === 401) return unauthorized('Injected fault: the access token was rejected.');
  const body: AttioErrorBody =
    status >= 500
      ? {
          status_code: status,
          type: 'internal_server_error',
          code: status === 503 ? 'service_unavailable' : 'internal_server_error',
          message: `Injected fault: Attio answered ${status}.`,
        }
      : {
          status_code: status,
          type: 'invalid_request_error',
          code: status === 404 ? 'not_found' : 'injected_fault',
          message: `Injected fault: Attio answered ${status}.`,
        };
  return { status, headers: {}, body };
}

/** The token of an Authorization header: Bearer, or Basic with the token as user name (Attio's auth guide). */
function tokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, credentials] = header.split(' ', 2);
  if (!credentials) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return credentials.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    return decoded.slice(0, decoded.indexOf(':') >= 0 ? decoded.indexOf(':') : undefined);
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startAttioStandIn(options: AttioStandInOptions = {}): Promise<AttioStandIn> {
  const host = options.host ?? '127.0.0.1';
  const ownClock = !options.clock;
  const clock = options.clock ?? new StandInClock();
  const tokens = options.tokens && options.tokens.length > 0 ? [...options.tokens] : [ATTIO_STAND_IN_TOKEN];
  const info = {
    id: options.workspace?.id ?? randomUUID(),
    name: options.workspace?.name ?? 'Stand-in workspace',
    slug: options.workspace?.slug ?? 'stand-in-workspace',
    memberId: randomUUID(),
  };
  const workspace = new AttioWorkspace(clock, info);
  const requests = new RequestLog();
  const faults = new FaultInjector();
  const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, ...options.rateLimit });
  const issuedAt = Math.floor(clock.now() / 1000);
  const hanging = new Set<ServerResponse>();
  /** Responses held back by a `delayMs` fault; close() releases them so no timer outlives the stand-in. */
  const delayed = new Map<NodeJS.Timeout, () => void>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        delayed.delete(timer);
        resolve();
      }, ms);
      delayed.set(timer, resolve);
    });

  function respond(
    method: string,
    url: URL,
    headers: IncomingHttpHeaders,
    body: unknown,
    bodyError: boolean,
    nowMs: number,
  ): ApiResponse {
    const token = tokenOf(headers.authorization);
    if (!token || !tokens.includes(token)) {
      return unauthorized(
        token
          ? 'The access token provided is invalid or has been revoked.'
          : 'No access token was provided. Send "Authorization: Bearer <access token>".',
      );
    }
    const retryAt = limiter.take(requestKind(method, url.pathname), nowMs);
    if (retryAt !== undefined) return rateLimited(retryAt);
    try {
      if (bodyError) throw badRequest('validation_type', 'The request body is not valid JSON.');
      const route = matchRoute(method, url.pathname);
      if (!route) {
        throw new AttioApiError(
          404,
          'invalid_request_error',
          'not_found',
          `Could not find endpoint "${method} ${url.pathname}".`,
        );
      }
      const actor = { type: 'api-token' as const, id: tokenActorId(token) };
      const data = route.handle({ workspace, query: url.searchParams, body, actor, token, issuedAt });
      return { status: 200, headers: {}, body: data };
    } catch (error) {
      if (error instanceof AttioApiError) return { status: error.status, headers: {}, body: error.body() };
      const message = error instanceof Error ? error.message : String(error);
      return {
        status: 500,
        headers: {},
        body: {
          status_code: 500,
          type: 'internal_server_error',
          code: 'internal_server_error',
          message: `Stand-in error: ${message}`,
        },
      };
    }
  }

  const control = createControlHandler({
    clock,
    requests,
    faults,
    workspace,
    rateLimits: () => limiter.limits,
    setRateLimits: (limits) => (limiter.limits = { ...limiter.limits, ...limits }),
    reset,
  });

  function reset() {
    workspace.reset();
    requests.clear();
    faults.clear();
    limiter.reset();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    if (url.pathname === '/__control' || url.pathname.startsWith('/__control/')) {
      const out = control(method, url, raw);
      res.writeHead(out.status, { 'content-type': JSON_TYPE });
      res.end(JSON.stringify(out.body));
      return;
    }
    let body: unknown;
    let bodyError = false;
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        bodyError = true;
        body = raw;
      }
    }
    const nowMs = clock.now();
    const base = {
      at: new Date(nowMs).toISOString(),
      method,
      url: req.url ?? '/',
      requestHeaders: recordableHeaders(req.headers),
      requestBody: body,
    };
    const fault = faults.take(method, url.pathname);
    const faultName = fault && `#${fault.id} ${JSON.stringify({ ...fault, id: undefined, remaining: undefined })}`;
    if (fault?.hang) {
      // Never answered: the client times out. Recorded with status 0 so tests can see the request arrived.
      requests.add({ ...base, status: 0, responseHeaders: {}, responseBody: undefined, fault: faultName });
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const response = fault?.status
      ? faultResponse(fault, nowMs)
      : respond(method, url, req.headers, body, bodyError, nowMs);
    if (fault?.delayMs) await delay(fault.delayMs);
    const headers = { 'content-type': JSON_TYPE, ...response.headers };
    requests.add({
      ...base,
      status: response.status,
      responseHeaders: headers,
      responseBody: response.body,
      ...(faultName ? { fault: faultName } : {}),
    });
    if (res.destroyed) return;
    res.writeHead(response.status, headers);
    res.end(JSON.stringify(response.body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': JSON_TYPE });
      res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const matchesPlain = (candidate: unknown, value: unknown) =>
    typeof candidate === 'string' && typeof value === 'string'
      ? candidate.toLowerCase() === value.toLowerCase()
      : JSON.stringify(candidate) === JSON.stringify(value);

  return {
    url,
    controlUrl: `${url}/__control`,
    token: tokens[0]!,
    clock,
    requests,
    faults,
    workspace: { id: info.id, name: info.name, slug: info.slug },
    rateLimits: () => ({ ...limiter.limits }),
    setRateLimits: (limits) => (limiter.limits = { ...limiter.limits, ...limits }),
    records: (object) => workspace.plainRecords(object),
    record: (object, recordId) => workspace.plainRecords(object).find((r) => r.recordId === recordId),
    findRecord: (object, attribute, value) =>
      workspace.plainRecords(object).find((r) => (r.values[attribute] ?? []).some((v) => matchesPlain(v, value))),
    entries: (list) => workspace.plainEntries(list),
    entriesOf: (list, parentRecordId) =>
      workspace.plainEntries(list).filter((e) => e.parentRecordId === parentRecordId),
    choices: (target, identifier, attribute) => workspace.choices(target, identifier, attribute),
    notesOn: (recordId) => workspace.plainNotes(recordId),
    writesTo: (id) =>
      requests.list().filter((r) => {
        if (r.status < 200 || r.status >= 300 || requestKind(r.method, r.url.split('?')[0] ?? '') === 'read')
          return false;
        const data = (r.responseBody as { data?: { id?: { record_id?: string; entry_id?: string } } } | undefined)
          ?.data;
        return data?.id?.record_id === id || data?.id?.entry_id === id;
      }),
    dump: () => workspace.dump(),
    reset,
    close: async () => {
      if (ownClock) clock.clear();
      for (const res of hanging) res.destroy();
      for (const [timer, release] of delayed) {
        clearTimeout(timer);
        release();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
