/**
 * The Attio stand-in's schema endpoints (objects, attributes, lists, select options, statuses) and the client's
 * idempotent provisioning helpers on top of them. Every response is checked against Attio's OpenAPI document (or the
 * fact sheet where the document is silent), and every request our client sent against the document.
 */
import { ApplicationFailure } from '@temporalio/common';
import { AttioClient } from '../../../attio/client';
import { ATTIO_ERRORS } from '../../../common/error-types';
import { type AttioStandIn, startAttioStandIn } from '../../../stand-ins/attio/server';
import { clientRequestProblems, countJudgedBySpec, rawAttio, responseProblems } from './attio-conformance';

let attio: AttioStandIn;
let client: AttioClient;

beforeAll(async () => {
  // These scenarios are not about rate limits (attio-limits-and-faults.test.ts is); a burst must not hit 25 writes/s.
  attio = await startAttioStandIn({ rateLimit: { readsPerSecond: 10_000, writesPerSecond: 10_000 } });
  client = new AttioClient({ baseUrl: attio.url, token: attio.token });
});
afterAll(() => attio.close());

const raw = (method: string, path: string, body?: unknown) =>
  rawAttio(attio.url, method, path, { body, token: attio.token });
const posts = (path: string) => attio.requests.count({ method: 'POST', path });

const failureOf = async (promise: Promise<unknown>): Promise<ApplicationFailure> => {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  return error;
};

test('the standard People and Companies objects exist from the start with their system attributes', async () => {
  const objects = await client.listObjects();
  expect(objects.map((o) => o.api_slug)).toEqual(expect.arrayContaining(['people', 'companies']));
  const people = await client.listAttributes('objects', 'people');
  const emails = people.find((a) => a.api_slug === 'email_addresses');
  expect(emails).toMatchObject({
    type: 'email-address',
    is_unique: true,
    is_multiselect: true,
    is_system_attribute: true,
  });
  expect(people.find((a) => a.api_slug === 'name')).toMatchObject({ type: 'personal-name' });
  const companies = await client.listAttributes('objects', 'companies');
  expect(companies.find((a) => a.api_slug === 'domains')).toMatchObject({ type: 'domain', is_unique: true });
});

test('ensureObject creates a custom object once and finds it the second time', async () => {
  const spec = { api_slug: 'asana_projects', singular_noun: 'Asana project', plural_noun: 'Asana projects' };
  const first = await client.ensureObject(spec);
  const second = await client.ensureObject(spec);
  expect(first.created).toBe(true);
  expect(second).toEqual({ value: first.value, created: false });
  expect(posts('/v2/objects')).toBe(1);
  expect((await client.listObjects()).filter((o) => o.api_slug === 'asana_projects')).toHaveLength(1);
});

test('creating an object whose slug exists answers 409 slug_conflict with Attio’s body', async () => {
  const response = await raw('POST', '/v2/objects', {
    data: { api_slug: 'asana_projects', singular_noun: 'Another', plural_noun: 'Others' },
  });
  expect(response.status).toBe(409);
  expect(response.body).toEqual({
    status_code: 409,
    type: 'invalid_request_error',
    code: 'slug_conflict',
    message: 'Failed to create object. Please ensure your api_slug and names are unique.',
  });
});

test('ensureObject reports a name clash that Attio answers with slug_conflict as a non-retryable conflict', async () => {
  await raw('POST', '/v2/objects', {
    data: { api_slug: 'deliverables', singular_noun: 'Deliverable', plural_noun: 'Deliverables' },
  });
  const failure = await failureOf(
    client.ensureObject({ api_slug: 'deliverables_v2', singular_noun: 'Deliverable', plural_noun: 'Deliverables' }),
  );
  expect(failure.type).toBe(ATTIO_ERRORS.conflict);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toMatch(/another object probably uses the name "Deliverable"/);
});

test('concurrent ensureObject calls create one object: the loser of the race reads it back after a 409', async () => {
  // Both lookups are answered 404 and held for 100 ms, so both callers go on to create.
  attio.faults.add({ method: 'GET', pathPrefix: '/v2/objects/raced_object', delayMs: 100, count: 2 });
  const spec = { api_slug: 'raced_object', singular_noun: 'Raced thing', plural_noun: 'Raced things' };
  const results = await Promise.all([client.ensureObject(spec), client.ensureObject(spec)]);
  expect(results.map((r) => r.created).sort()).toEqual([false, true]);
  expect(results[0].value.id.object_id).toBe(results[1].value.id.object_id);
  const conflicts = attio.requests.list({ method: 'POST', path: '/v2/objects' }).filter((r) => r.status === 409);
  expect(conflicts.length).toBeGreaterThanOrEqual(1);
});

test('ensureAttribute creates each attribute once with the flags asked for', async () => {
  const gid = { api_slug: 'asana_gid', title: 'Asana gid', type: 'text', is_unique: true } as const;
  const first = await client.ensureAttribute('objects', 'asana_projects', gid);
  const second = await client.ensureAttribute('objects', 'asana_projects', gid);
  expect(first.created).toBe(true);
  expect(second.created).toBe(false);
  expect(second.value).toMatchObject({ api_slug: 'asana_gid', type: 'text', is_unique: true, is_multiselect: false });
  expect(posts('/v2/objects/asana_projects/attributes')).toBe(1);
});

test('creating an attribute whose slug exists answers 409 slug_conflict', async () => {
  const response = await raw('POST', '/v2/objects/asana_projects/attributes', {
    data: {
      title: 'Dup',
      description: null,
      api_slug: 'asana_gid',
      type: 'text',
      is_required: false,
      is_unique: false,
      is_multiselect: false,
      config: {},
    },
  });
  expect(response.status).toBe(409);
  expect(response.body).toMatchObject({ status_code: 409, type: 'invalid_request_error', code: 'slug_conflict' });
});

test('ensureAttribute refuses an existing attribute of another type, naming both types', async () => {
  await client.ensureAttribute('objects', 'asana_projects', { api_slug: 'budget', title: 'Budget', type: 'number' });
  const failure = await failureOf(
    client.ensureAttribute('objects', 'asana_projects', { api_slug: 'budget', title: 'Budget', type: 'text' }),
  );
  expect(failure.type).toBe(ATTIO_ERRORS.validation);
  expect(failure.message).toMatch(/exists with type "number", but the sync needs "text"/);
});

test('ensureAttribute refuses a matching attribute that exists but is not unique', async () => {
  await client.ensureAttribute('objects', 'asana_projects', {
    api_slug: 'legacy_key',
    title: 'Legacy key',
    type: 'text',
  });
  const failure = await failureOf(
    client.ensureAttribute('objects', 'asana_projects', {
      api_slug: 'legacy_key',
      title: 'Legacy key',
      type: 'text',
      is_unique: true,
    }),
  );
  expect(failure.message).toMatch(/is not unique/);
});

test('ensureAttribute restores an archived attribute instead of creating another', async () => {
  await client.ensureAttribute('objects', 'asana_projects', { api_slug: 'owner', title: 'Owner', type: 'text' });
  await raw('PATCH', '/v2/objects/asana_projects/attributes/owner', { data: { is_archived: true } });
  const restored = await client.ensureAttribute('objects', 'asana_projects', {
    api_slug: 'owner',
    title: 'Owner',
    type: 'text',
  });
  expect(restored).toMatchObject({ created: false, value: { is_archived: false } });
});

test('status attributes are refused on objects, as the spec says', async () => {
  const failure = await failureOf(
    client.ensureAttribute('objects', 'asana_projects', { api_slug: 'stage', title: 'Stage', type: 'status' }),
  );
  expect(failure.type).toBe(ATTIO_ERRORS.validation);
  expect(failure.message).toMatch(/"status" are not supported on objects/);
});

test('system attributes cannot be changed: 400 system_edit_unauthorized', async () => {
  const response = await raw('PATCH', '/v2/objects/people/attributes/email_addresses', { data: { title: 'Emails' } });
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({
    code: 'system_edit_unauthorized',
    message: 'Cannot update a System attribute.',
  });
});

test('a create-attribute body missing required fields is a 400 validation_type listing each field', async () => {
  const response = await raw('POST', '/v2/objects/asana_projects/attributes', {
    data: { title: 'Half', type: 'text' },
  });
  expect(response.status).toBe(400);
  expect(response.body.code).toBe('validation_type');
  expect(response.body.message).toBe('Body payload validation error.');
  const paths = response.body.validation_errors!.map((e) => e.path.join('.'));
  expect(paths).toEqual(expect.arrayContaining(['data.api_slug', 'data.is_required', 'data.config']));
});

test('ensureList creates a list of the parent object once, and refuses one of another parent', async () => {
  const spec = { api_slug: 'sales_tasks', name: 'Sales Tasks', parent_object: 'asana_projects' };
  const first = await client.ensureList(spec);
  const second = await client.ensureList(spec);
  expect([first.created, second.created]).toEqual([true, false]);
  expect(second.value).toMatchObject({ api_slug: 'sales_tasks', parent_object: ['asana_projects'] });
  expect(posts('/v2/lists')).toBe(1);
  const failure = await failureOf(client.ensureList({ ...spec, parent_object: 'people' }));
  expect(failure.message).toMatch(/exists for asana_projects records/);
  const duplicate = await raw('POST', '/v2/lists', {
    data: { ...spec, workspace_access: 'full-access', workspace_member_access: [] },
  });
  expect(duplicate.body).toMatchObject({ status_code: 409, code: 'slug_conflict' });
});

test('a list for a missing parent object is a 404', async () => {
  const response = await raw('POST', '/v2/lists', {
    data: {
      api_slug: 'orphans',
      name: 'Orphans',
      parent_object: 'nothing_here',
      workspace_access: 'full-access',
      workspace_member_access: [],
    },
  });
  expect(response.status).toBe(404);
  expect(response.body).toMatchObject({
    code: 'not_found',
    message: 'Parent object with slug/ID "nothing_here" not found.',
  });
});

test('ensureStatus creates a status once; a rename keeps its id; an archived status is restored', async () => {
  await client.ensureAttribute('lists', 'sales_tasks', { api_slug: 'stage', title: 'Stage', type: 'status' });
  const open = await client.ensureStatus('lists', 'sales_tasks', 'stage', 'Open');
  const again = await client.ensureStatus('lists', 'sales_tasks', 'stage', 'Open');
  expect([open.created, again.created]).toEqual([true, false]);
  expect(again.value.id.status_id).toBe(open.value.id.status_id);

  const renamed = await client.renameStatus('lists', 'sales_tasks', 'stage', open.value.id.status_id, 'Qualified');
  expect(renamed).toMatchObject({ title: 'Qualified', id: { status_id: open.value.id.status_id } });
  expect(attio.choices('lists', 'sales_tasks', 'stage').map((s) => s.title)).toEqual(['Qualified']);

  await raw('PATCH', `/v2/lists/sales_tasks/attributes/stage/statuses/${open.value.id.status_id}`, {
    data: { is_archived: true },
  });
  const restored = await client.ensureStatus('lists', 'sales_tasks', 'stage', 'Qualified');
  expect(restored).toMatchObject({ created: false, value: { is_archived: false } });
});

test('a status title that exists answers 409 slug_conflict; a rename onto it too', async () => {
  await client.ensureStatus('lists', 'sales_tasks', 'stage', 'Won');
  const duplicate = await raw('POST', '/v2/lists/sales_tasks/attributes/stage/statuses', { data: { title: 'Won' } });
  expect(duplicate.body).toEqual({
    status_code: 409,
    type: 'invalid_request_error',
    code: 'slug_conflict',
    message: 'There is already another status with the title "Won".',
  });
  const onto = await raw('PATCH', '/v2/lists/sales_tasks/attributes/stage/statuses/Qualified', {
    data: { title: 'Won' },
  });
  expect(onto.status).toBe(409);
});

test('renaming an unknown status answers 400 value_not_found', async () => {
  const response = await raw('PATCH', '/v2/lists/sales_tasks/attributes/stage/statuses/Nope', { data: { title: 'X' } });
  expect(response.status).toBe(400);
  expect(response.body.code).toBe('value_not_found');
});

test('ensureSelectOption creates an option once; options and statuses endpoints refuse the other kind', async () => {
  await client.ensureAttribute('objects', 'asana_projects', { api_slug: 'tier', title: 'Tier', type: 'select' });
  const gold = await client.ensureSelectOption('objects', 'asana_projects', 'tier', 'Gold');
  const again = await client.ensureSelectOption('objects', 'asana_projects', 'tier', 'Gold');
  expect([gold.created, again.created]).toEqual([true, false]);
  const renamed = await client.renameSelectOption(
    'objects',
    'asana_projects',
    'tier',
    gold.value.id.option_id,
    'Platinum',
  );
  expect(renamed.title).toBe('Platinum');
  const duplicate = await raw('POST', '/v2/objects/asana_projects/attributes/tier/options', {
    data: { title: 'Platinum' },
  });
  expect(duplicate.body).toMatchObject({ status_code: 409, code: 'slug_conflict' });
  const wrongKind = await raw('POST', '/v2/objects/asana_projects/attributes/tier/statuses', { data: { title: 'X' } });
  expect(wrongKind.body).toMatchObject({
    status_code: 400,
    code: 'validation_type',
    message: 'This attribute is not a status attribute.',
  });
});

test('select attributes cannot be unique', async () => {
  const response = await raw('POST', '/v2/objects/asana_projects/attributes', {
    data: {
      title: 'U',
      description: null,
      api_slug: 'unique_select',
      type: 'select',
      is_required: false,
      is_unique: true,
      is_multiselect: false,
      config: {},
    },
  });
  expect(response.body).toMatchObject({ status_code: 400, code: 'validation_type' });
});

test('an unknown object, list or attribute is a 404 in Attio’s shape', async () => {
  expect(await client.getObject('no_such_object')).toBeUndefined();
  expect(await client.getList('no_such_list')).toBeUndefined();
  expect(await client.getAttribute('objects', 'asana_projects', 'no_such_attribute')).toBeUndefined();
  const response = await raw('GET', '/v2/objects/no_such_object');
  expect(response.body).toEqual({
    status_code: 404,
    type: 'invalid_request_error',
    code: 'not_found',
    message: 'Object with slug/ID "no_such_object" not found.',
  });
});

test('every response conforms to Attio’s OpenAPI document or, where it is silent, to the fact sheet', async () => {
  const exchanges = attio.requests.list();
  expect(await responseProblems(exchanges)).toEqual([]);
  expect(await countJudgedBySpec(exchanges)).toBeGreaterThan(30);
});

test('every request our client sent conforms to Attio’s OpenAPI document', async () => {
  expect(await clientRequestProblems(attio.requests.list())).toEqual([]);
});
