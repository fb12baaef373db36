/**
 * The Attio stand-in's edges: bearer auth with Attio's 401, the 25 writes/s and 100 reads/s limits with an HTTP-date
 * Retry-After, injected faults (429, 5xx, hang, slow) as our client sees them, and the control API over HTTP.
 */
import { ApplicationFailure } from '@temporalio/common';
import { AttioClient } from '../../../attio/client';
import { ATTIO_ERRORS } from '../../../common/error-types';
import { type AttioStandIn, startAttioStandIn } from '../../../stand-ins/attio/server';
import type { RecordedRequest } from '../../../stand-ins/kit/request-log';
import { clientRequestProblems, rawAttio, responseProblems } from './attio-conformance';

const standIns: AttioStandIn[] = [];
const exchanges: RecordedRequest[] = [];

/** A stand-in closed after the file, whose exchanges the conformance tests at the end check. */
async function standIn(options: Parameters<typeof startAttioStandIn>[0] = {}) {
  const started = await startAttioStandIn(options);
  standIns.push(started);
  return started;
}

afterAll(async () => {
  await Promise.all(standIns.map((s) => s.close()));
});

const failureOf = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );

const person = (i: number) => ({ data: { values: { email_addresses: [`person${i}@example.com`] } } });

describe('auth', () => {
  test('a request without a token, or with an unknown one, is 401 in Attio’s error shape', async () => {
    const attio = await standIn();
    const none = await rawAttio(attio.url, 'GET', '/v2/self');
    const wrong = await rawAttio(attio.url, 'GET', '/v2/self', { token: 'not-the-token' });
    for (const response of [none, wrong]) {
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ status_code: 401, type: 'auth_error', code: 'unauthorized' });
    }
    expect(attio.requests.count()).toBe(2);
  });

  test('the configured tokens are accepted as Bearer, and as Basic with the token as user name', async () => {
    const attio = await standIn({ tokens: ['token-a', 'token-b'], workspace: { name: 'Acme', slug: 'acme' } });
    const basic = Buffer.from('token-b:').toString('base64');
    const viaBasic = await rawAttio(attio.url, 'GET', '/v2/self', { headers: { authorization: `Basic ${basic}` } });
    expect(viaBasic.status).toBe(200);
    const self = await new AttioClient({ baseUrl: attio.url, token: 'token-a' }).getSelf();
    expect(self).toMatchObject({
      active: true,
      workspace_name: 'Acme',
      workspace_slug: 'acme',
      workspace_id: attio.workspace.id,
    });
  });

  test('our client reports a refused token as a non-retryable credentials failure', async () => {
    const attio = await standIn();
    const failure = await failureOf(new AttioClient({ baseUrl: attio.url, token: 'wrong' }).listObjects());
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: ATTIO_ERRORS.credentials, nonRetryable: true });
    expect((failure as Error).message).toMatch(/Check ATTIO_TOKEN/);
  });
});

describe('rate limits', () => {
  test('writes over the limit in one second get 429 with Retry-After at the start of the next second', async () => {
    const attio = await standIn({ rateLimit: { writesPerSecond: 5 } });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        rawAttio(attio.url, 'POST', '/v2/objects/people/records', { token: attio.token, body: person(i) }),
      ),
    );
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.body).toEqual({
      status_code: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: 'Rate limit exceeded, please try again later',
    });

    const log = attio.requests.list({ method: 'POST', path: '/v2/objects/people/records' });
    const okPerSecond = new Map<number, number>();
    for (const entry of log.filter((r) => r.status === 200)) {
      const second = Math.floor(Date.parse(entry.at) / 1000);
      okPerSecond.set(second, (okPerSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...okPerSecond.values())).toBeLessThanOrEqual(5);
    for (const entry of log.filter((r) => r.status === 429)) {
      const retryAfter = String(entry.responseHeaders['retry-after']);
      expect(new Date(retryAfter).toUTCString()).toBe(retryAfter);
      expect(Date.parse(retryAfter)).toBe((Math.floor(Date.parse(entry.at) / 1000) + 1) * 1000);
    }
    expect(attio.records('people')).toHaveLength(20 - limited.length);
  });

  test('reads have their own budget: a write limit does not stop reads, and the next second writes again', async () => {
    const attio = await standIn({ rateLimit: { writesPerSecond: 1, readsPerSecond: 2 } });
    const client = new AttioClient({ baseUrl: attio.url, token: attio.token });
    attio.clock.advance(1000 - (attio.clock.now() % 1000)); // start at the beginning of a second
    await client.createRecord('people', { email_addresses: ['first@example.com'] });
    const limited = await failureOf(client.createRecord('people', { email_addresses: ['second@example.com'] }));
    expect(limited).toMatchObject({ type: ATTIO_ERRORS.rateLimited, nonRetryable: false });
    // The records query is a read (POST, but it only reads).
    await expect(client.queryRecords('people')).resolves.toHaveLength(1);
    await client.listObjects();
    const overReads = await failureOf(client.listObjects());
    expect(overReads).toMatchObject({ type: ATTIO_ERRORS.rateLimited });

    attio.clock.advance(1000);
    await expect(client.createRecord('people', { email_addresses: ['second@example.com'] })).resolves.toBeDefined();
  });

  test('the limits default to Attio’s 100 reads and 25 writes per second and can be changed while running', async () => {
    const attio = await standIn();
    expect(attio.rateLimits()).toEqual({ readsPerSecond: 100, writesPerSecond: 25 });
    const changed = await rawAttio(attio.url, 'PUT', '/__control/rate-limit', { body: { writesPerSecond: 2 } });
    expect(changed.body).toEqual({ readsPerSecond: 100, writesPerSecond: 2 });
    expect(attio.rateLimits().writesPerSecond).toBe(2);
  });
});

describe('faults', () => {
  test('an injected 429 reaches our client as AttioRateLimited waiting until the announced date', async () => {
    const attio = await standIn();
    attio.faults.add({ pathPrefix: '/v2/objects', status: 429, retryAfterSeconds: 2, count: 1 });
    const client = new AttioClient({ baseUrl: attio.url, token: attio.token });
    const failure = await failureOf(client.listObjects());
    expect(failure).toMatchObject({ type: ATTIO_ERRORS.rateLimited, nonRetryable: false });
    const delay = (failure as ApplicationFailure).nextRetryDelay as number;
    expect(delay).toBeGreaterThan(500);
    expect(delay).toBeLessThanOrEqual(3000);
    await expect(client.listObjects()).resolves.toEqual(expect.any(Array));
    expect(attio.requests.list()[0]!.fault).toMatch(/"status":429/);
  });

  test('an injected 503 is a retryable AttioServerError and is used up after its count', async () => {
    const attio = await standIn();
    attio.faults.add({ method: 'PUT', status: 503, count: 1 });
    const client = new AttioClient({ baseUrl: attio.url, token: attio.token });
    const values = { email_addresses: ['ana@example.com'] };
    const failure = await failureOf(client.assertRecord('people', 'email_addresses', values));
    expect(failure).toMatchObject({ type: ATTIO_ERRORS.server, nonRetryable: false });
    expect(attio.records('people')).toHaveLength(0);
    await client.assertRecord('people', 'email_addresses', values);
    expect(attio.records('people')).toHaveLength(1);
  });

  test('a hung request never answers: the client gives up on its own timeout and the log shows it arrived', async () => {
    const attio = await standIn();
    attio.faults.add({ pathPrefix: '/v2/self', hang: true, count: 1 });
    const client = new AttioClient({ baseUrl: attio.url, token: attio.token, timeoutMs: 200 });
    await expect(client.getSelf()).rejects.toThrow(/timeout/i);
    expect(attio.requests.list({ path: '/v2/self' })).toEqual([expect.objectContaining({ status: 0 })]);
    await expect(client.getSelf()).resolves.toMatchObject({ active: true });
  });

  test('a slow answer still applies the write, so retrying after a client timeout must not duplicate', async () => {
    const attio = await standIn();
    // undici checks its timeouts about every half second, so the answer is held well past that.
    attio.faults.add({ method: 'PUT', delayMs: 3000, count: 1 });
    const impatient = new AttioClient({ baseUrl: attio.url, token: attio.token, timeoutMs: 100 });
    const values = { email_addresses: ['slow@example.com'] };
    await expect(impatient.assertRecord('people', 'email_addresses', values)).rejects.toThrow(/timeout/i);
    expect(attio.records('people')).toHaveLength(1);
    await new AttioClient({ baseUrl: attio.url, token: attio.token }).assertRecord('people', 'email_addresses', values);
    expect(attio.records('people')).toHaveLength(1);
  });
});

describe('control API', () => {
  test('faults are added, listed and cleared over HTTP, and show in the request log', async () => {
    const attio = await standIn();
    const added = await rawAttio(attio.url, 'POST', '/__control/faults', {
      body: { method: 'get', pathPrefix: '/v2/lists', status: 500, count: 1 },
    });
    expect(added.body).toMatchObject({ fault: { method: 'GET', status: 500, remaining: 1 } });
    expect((await rawAttio(attio.url, 'GET', '/__control/faults')).body.faults).toHaveLength(1);
    const hit = await rawAttio(attio.url, 'GET', '/v2/lists', { token: attio.token });
    expect(hit.status).toBe(500);
    const log = await rawAttio(attio.url, 'GET', '/__control/requests?path=/v2/lists');
    const logged = log.body.requests as RecordedRequest[];
    expect(logged.map((r) => r.status)).toEqual([500]);
    expect(logged[0]?.fault).toContain('"status":500');
    await rawAttio(attio.url, 'POST', '/__control/faults', { body: { status: 502 } });
    expect((await rawAttio(attio.url, 'DELETE', '/__control/faults')).body).toEqual({ cleared: 1 });
    expect((await rawAttio(attio.url, 'GET', '/v2/lists', { token: attio.token })).status).toBe(200);
    const invalid = await rawAttio(attio.url, 'POST', '/__control/faults', { body: { status: 200 } });
    expect(invalid.status).toBe(400);
  });

  test('the clock moves forward on request and Attio’s timestamps follow it', async () => {
    const attio = await standIn();
    const before = (await rawAttio(attio.url, 'GET', '/__control/clock')).body.now as number;
    const after = await rawAttio(attio.url, 'POST', '/__control/clock/advance', { body: { ms: 86_400_000 } });
    expect(after.body.now as number).toBeGreaterThanOrEqual(before + 86_400_000);
    const client = new AttioClient({ baseUrl: attio.url, token: attio.token });
    const record = await client.createRecord('people', { email_addresses: ['later@example.com'] });
    expect(Date.parse(record.created_at)).toBeGreaterThanOrEqual(before + 86_400_000);
  });

  test('state is dumped, records read back, and reset returns to a fresh workspace with an empty log', async () => {
    const attio = await standIn();
    const client = new AttioClient({ baseUrl: attio.url, token: attio.token });
    await client.ensureObject({
      api_slug: 'asana_projects',
      singular_noun: 'Asana project',
      plural_noun: 'Asana projects',
    });
    await client.createRecord('people', { email_addresses: ['dump@example.com'] });
    const state = (await rawAttio(attio.url, 'GET', '/__control/state')).body as ReturnType<AttioStandIn['dump']>;
    expect(state.objects.map((o) => o.api_slug)).toEqual(['people', 'companies', 'asana_projects']);
    expect(state.records.people?.[0]?.values.email_addresses).toEqual(['dump@example.com']);
    const records = await rawAttio(attio.url, 'GET', '/__control/records/people');
    expect(records.body.records).toHaveLength(1);

    exchanges.push(...attio.requests.list());
    expect((await rawAttio(attio.url, 'POST', '/__control/reset')).body).toEqual({ ok: true });
    expect(attio.requests.count()).toBe(0);
    expect(attio.dump().objects.map((o) => o.api_slug)).toEqual(['people', 'companies']);
    expect(attio.records('people')).toEqual([]);
    expect((await rawAttio(attio.url, 'GET', '/__control/nothing')).status).toBe(404);
  });

  test('control requests are not recorded and need no token', async () => {
    const attio = await standIn();
    expect((await rawAttio(attio.url, 'GET', '/__control/requests')).body).toEqual({ requests: [] });
    expect(attio.requests.count()).toBe(0);
  });
});

describe('conformance', () => {
  test('every response conforms to Attio’s OpenAPI document or, where it is silent, to the fact sheet', async () => {
    const all = [...exchanges, ...standIns.flatMap((s) => s.requests.list())];
    expect(all.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(all.filter((r) => r.status === 401).length).toBeGreaterThan(0);
    expect(await responseProblems(all)).toEqual([]);
  });

  test('every request our client sent conforms to Attio’s OpenAPI document', async () => {
    const all = [...exchanges, ...standIns.flatMap((s) => s.requests.list())];
    expect(await clientRequestProblems(all)).toEqual([]);
  });
});
