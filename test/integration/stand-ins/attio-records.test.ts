/**
 * Records and list entries on the Attio stand-in through the project's client: assert semantics on a unique attribute,
 * multiselect rules of assert, PATCH and PUT, queries and filters, every validation error kind, and entry assert by
 * parent. Every response is checked against Attio's OpenAPI document (or the fact sheet where it is silent).
 */
import { ApplicationFailure } from '@temporalio/common';
import { AttioClient, type AttioRecord, firstPlainValue } from '../../../attio/client';
import { ATTIO_ERRORS } from '../../../common/error-types';
import { type AttioStandIn, startAttioStandIn } from '../../../stand-ins/attio/server';
import { clientRequestProblems, countJudgedBySpec, rawAttio, responseProblems } from './attio-conformance';

let attio: AttioStandIn;
let client: AttioClient;

const OBJECT = 'asana_tasks';
const LIST = 'sales_tasks';

beforeAll(async () => {
  // These scenarios are not about rate limits (attio-limits-and-faults.test.ts is).
  attio = await startAttioStandIn({ rateLimit: { readsPerSecond: 10_000, writesPerSecond: 10_000 } });
  client = new AttioClient({ baseUrl: attio.url, token: attio.token });
  await client.ensureObject({ api_slug: OBJECT, singular_noun: 'Asana task', plural_noun: 'Asana tasks' });
  const attributes = [
    { api_slug: 'asana_gid', title: 'Asana gid', type: 'text', is_unique: true },
    { api_slug: 'name', title: 'Name', type: 'text' },
    { api_slug: 'done', title: 'Done', type: 'checkbox' },
    { api_slug: 'due_on', title: 'Due on', type: 'date' },
    { api_slug: 'modified_at', title: 'Modified at', type: 'timestamp' },
    { api_slug: 'hours', title: 'Hours', type: 'number' },
    { api_slug: 'priority', title: 'Priority', type: 'select' },
    { api_slug: 'labels', title: 'Labels', type: 'select', is_multiselect: true },
    { api_slug: 'legacy_id', title: 'Legacy id', type: 'text' },
  ] as const;
  for (const spec of attributes) await client.ensureAttribute('objects', OBJECT, spec);
  for (const title of ['High', 'Low']) await client.ensureSelectOption('objects', OBJECT, 'priority', title);
  for (const title of ['red', 'green', 'blue']) await client.ensureSelectOption('objects', OBJECT, 'labels', title);

  await client.ensureList({ api_slug: LIST, name: 'Sales Tasks', parent_object: OBJECT });
  await client.ensureAttribute('lists', LIST, { api_slug: 'stage', title: 'Stage', type: 'status' });
  await client.ensureAttribute('lists', LIST, { api_slug: 'notes', title: 'Notes', type: 'text' });
  await client.ensureAttribute('lists', LIST, {
    api_slug: 'people',
    title: 'People',
    type: 'record-reference',
    is_multiselect: true,
    config: { record_reference: { allowed_objects: ['people'] } },
  });
  for (const title of ['Qualified', 'Won']) await client.ensureStatus('lists', LIST, 'stage', title);
});
afterAll(() => attio.close());

const raw = (method: string, path: string, body?: unknown) =>
  rawAttio(attio.url, method, path, { body, token: attio.token });

const failureOf = async (promise: Promise<unknown>): Promise<ApplicationFailure> => {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  return error;
};

/** An Attio 400 as our client reports it: non-retryable AttioValidationError carrying Attio's code. */
const expectValidation = (failure: ApplicationFailure, code: string) => {
  expect(failure.type).toBe(ATTIO_ERRORS.validation);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.details?.[0]).toEqual({ status: 400, code });
};

describe('assert (PUT …/records?matching_attribute=)', () => {
  test('creates a record the first time and updates the same record on the unique attribute after that', async () => {
    const created = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-1'], name: ['First'], hours: [2] });
    const updated = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-1'], name: ['Renamed'] });
    expect(updated.id.record_id).toBe(created.id.record_id);
    expect(attio.records(OBJECT).filter((r) => r.values.asana_gid?.[0] === 't-1')).toHaveLength(1);
    expect(attio.record(OBJECT, created.id.record_id)?.values).toMatchObject({ name: ['Renamed'], hours: [2] });
    expect(attio.writesTo(created.id.record_id)).toHaveLength(2);
  });

  test('an unchanged value keeps its active_from; a changed one gets a new one', async () => {
    const first = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-2'], name: ['Same'], hours: [1] });
    attio.clock.advance(60_000);
    const second = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-2'], name: ['Same'], hours: [5] });
    expect(second.values.name?.[0]?.active_from).toBe(first.values.name?.[0]?.active_from);
    expect(second.values.hours?.[0]?.active_from).not.toBe(first.values.hours?.[0]?.active_from);
  });

  test('values come back in Attio’s value shapes: dates trimmed, timestamps in UTC with nanoseconds, options by title', async () => {
    const record = await client.assertRecord(OBJECT, 'asana_gid', {
      asana_gid: ['t-3'],
      done: ['true'],
      due_on: ['2023-01-02T23:00:00-10:00'],
      modified_at: ['2023-01-02T13:00:00.000000000+02:00'],
      priority: ['High'],
    });
    expect(record.values.done?.[0]).toMatchObject({ value: true, attribute_type: 'checkbox', active_until: null });
    expect(record.values.due_on?.[0]).toMatchObject({ value: '2023-01-03', attribute_type: 'date' });
    expect(record.values.modified_at?.[0]).toMatchObject({ value: '2023-01-02T11:00:00.000000000Z' });
    expect(record.values.priority?.[0]).toMatchObject({ attribute_type: 'select', option: { title: 'High' } });
    expect(record.values.record_id?.[0]).toMatchObject({ value: record.id.record_id, attribute_type: 'text' });
    expect(firstPlainValue(record.values, 'priority')).toBe('High');
  });

  test('a multiselect matching attribute gains values; other multiselect attributes become exactly what was sent', async () => {
    const person = await client.assertRecord('people', 'email_addresses', {
      email_addresses: ['ada@example.com'],
      name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }],
    });
    const again = await client.assertRecord('people', 'email_addresses', {
      email_addresses: ['ada@example.com', 'countess@example.com'],
    });
    expect(again.id.record_id).toBe(person.id.record_id);
    expect(attio.record('people', person.id.record_id)?.values.email_addresses?.sort()).toEqual([
      'ada@example.com',
      'countess@example.com',
    ]);

    await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-4'], labels: ['red', 'green'] });
    await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-4'], labels: ['blue'] });
    expect(attio.findRecord(OBJECT, 'asana_gid', 't-4')?.values.labels).toEqual(['blue']);
  });

  test('several records holding the matching value answer 400 multiple_match_results (assumption, fact sheet §1)', async () => {
    // Uniqueness is not retroactive (SPEC is_unique), so duplicates from before it was turned on can exist.
    await client.createRecord(OBJECT, { legacy_id: ['L-1'] });
    await client.createRecord(OBJECT, { legacy_id: ['L-1'] });
    await raw('PATCH', `/v2/objects/${OBJECT}/attributes/legacy_id`, { data: { is_unique: true } });
    expectValidation(
      await failureOf(client.assertRecord(OBJECT, 'legacy_id', { legacy_id: ['L-1'] })),
      'multiple_match_results',
    );
  });
});

describe('create, update and read by id', () => {
  test('creating a record with a unique value another record holds is 400 uniqueness_conflict', async () => {
    await client.createRecord(OBJECT, { asana_gid: ['t-5'] });
    expectValidation(await failureOf(client.createRecord(OBJECT, { asana_gid: ['t-5'] })), 'uniqueness_conflict');
    expect(attio.records(OBJECT).filter((r) => r.values.asana_gid?.[0] === 't-5')).toHaveLength(1);
  });

  test('PATCH prepends multiselect values; PUT replaces them', async () => {
    const record = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-6'], labels: ['red'] });
    await client.updateRecord(OBJECT, record.id.record_id, { labels: ['green'] });
    expect(attio.record(OBJECT, record.id.record_id)?.values.labels).toEqual(['green', 'red']);
    await client.updateRecord(OBJECT, record.id.record_id, { labels: ['blue'] }, { overwriteMultiselect: true });
    expect(attio.record(OBJECT, record.id.record_id)?.values.labels).toEqual(['blue']);
  });

  test('an empty array clears a value', async () => {
    const record = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-7'], name: ['Named'] });
    await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-7'], name: [] });
    expect(attio.record(OBJECT, record.id.record_id)?.values.name).toEqual([]);
  });

  test('getRecord returns the record; an unknown id is AttioNotFound', async () => {
    const record = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-8'] });
    expect((await client.getRecord(OBJECT, record.id.record_id)).id.record_id).toBe(record.id.record_id);
    const failure = await failureOf(client.getRecord(OBJECT, '00000000-0000-4000-8000-000000000000'));
    expect(failure.type).toBe(ATTIO_ERRORS.notFound);
  });
});

describe('validation, as Attio answers it', () => {
  test('an unknown attribute slug is 400 value_not_found and nothing is written', async () => {
    const before = attio.records(OBJECT).length;
    const failure = await failureOf(client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-9'], colour: ['red'] }));
    expectValidation(failure, 'value_not_found');
    expect(failure.message).toMatch(/Cannot find attribute with slug\/ID "colour"/);
    expect(failure.message).toMatch(/run the Attio provisioning again/);
    expect(attio.records(OBJECT)).toHaveLength(before);
  });

  test('a value of the wrong type is 400 validation_type naming the attribute, with validation_errors', async () => {
    const response = await raw('PUT', `/v2/objects/${OBJECT}/records?matching_attribute=asana_gid`, {
      data: { values: { asana_gid: ['t-10'], hours: ['three'] } },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      status_code: 400,
      type: 'invalid_request_error',
      code: 'validation_type',
      message: 'An invalid value was passed to attribute with slug "hours".',
    });
    expect(response.body.validation_errors?.[0]).toMatchObject({ code: 'invalid_type', path: ['value'] });
    expectValidation(
      await failureOf(client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-10'], done: [3] })),
      'validation_type',
    );
  });

  test('a write that fails on one value leaves the record as it was', async () => {
    const record = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-11'], name: ['Kept'] });
    await failureOf(client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-11'], name: ['Lost'], hours: ['x'] }));
    expect(attio.record(OBJECT, record.id.record_id)?.values.name).toEqual(['Kept']);
  });

  test('an unknown or non-unique matching attribute is 400 value_not_found', async () => {
    const unknown = await raw('PUT', `/v2/objects/${OBJECT}/records?matching_attribute=nope`, {
      data: { values: { asana_gid: ['t-12'] } },
    });
    expect(unknown.body).toMatchObject({
      status_code: 400,
      code: 'value_not_found',
      message: 'No attribute was found for matching_attribute slug/ID "nope".',
    });
    expectValidation(await failureOf(client.assertRecord(OBJECT, 'name', { name: ['x'] })), 'value_not_found');
  });

  test('a missing required value is 400 missing_value, on create and when clearing it', async () => {
    await client.ensureAttribute('objects', OBJECT, { api_slug: 'owner', title: 'Owner', type: 'text' });
    const record = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-13'], owner: ['ana'] });
    await raw('PATCH', `/v2/objects/${OBJECT}/attributes/owner`, { data: { is_required: true } });
    try {
      const missing = await failureOf(client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-14'] }));
      expectValidation(missing, 'missing_value');
      expect(missing.message).toMatch(/Required value for attribute with ID ".+" was not provided/);
      // Updating other values of a record that has the value is fine; clearing it is not.
      await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-13'], name: ['ok'] });
      expectValidation(
        await failureOf(client.updateRecord(OBJECT, record.id.record_id, { owner: [] })),
        'missing_value',
      );
    } finally {
      await raw('PATCH', `/v2/objects/${OBJECT}/attributes/owner`, { data: { is_required: false } });
    }
  });

  test('an unknown select option is 400 value_not_found; no option is created', async () => {
    const failure = await failureOf(
      client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-15'], priority: ['Urgent'] }),
    );
    expectValidation(failure, 'value_not_found');
    expect(failure.message).toMatch(/Cannot find select attribute with select option title "Urgent"/);
    expect(attio.choices('objects', OBJECT, 'priority').map((o) => o.title)).toEqual(['High', 'Low']);
  });

  test('an unknown status is 400 value_not_found', async () => {
    const parent = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-16'] });
    const failure = await failureOf(client.assertListEntry(LIST, OBJECT, parent.id.record_id, { stage: ['Lost'] }));
    expectValidation(failure, 'value_not_found');
    expect(failure.message).toMatch(/Cannot find status attribute with status option title "Lost"/);
  });

  test('several values for a single-value attribute are refused', async () => {
    expectValidation(
      await failureOf(client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['t-17'], name: ['a', 'b'] })),
      'validation_type',
    );
  });

  test('a body without data.values is 400 "Body payload validation error." pointing at the field', async () => {
    const response = await raw('POST', `/v2/objects/${OBJECT}/records`, { data: {} });
    expect(response.body).toMatchObject({ code: 'validation_type', message: 'Body payload validation error.' });
    expect(response.body.validation_errors).toEqual([
      {
        code: 'invalid_type',
        path: ['data', 'values'],
        message: 'Required',
        expected: 'object',
        received: 'undefined',
      },
    ]);
  });
});

describe('queries', () => {
  test('People are found by email, in shorthand and verbose form, whatever the case', async () => {
    const ana = await client.assertRecord('people', 'email_addresses', { email_addresses: ['ana@example.com'] });
    await client.assertRecord('people', 'email_addresses', { email_addresses: ['bob@example.com'] });
    const shorthand = await client.queryRecords('people', { filter: { email_addresses: 'Ana@Example.com' } });
    const verbose = await client.queryRecords('people', {
      filter: { email_addresses: { email_address: { $eq: 'ana@example.com' } } },
    });
    expect(shorthand.map((r) => r.id.record_id)).toEqual([ana.id.record_id]);
    expect(verbose.map((r) => r.id.record_id)).toEqual([ana.id.record_id]);
    expect(await client.queryRecords('people', { filter: { email_addresses: 'nobody@example.com' } })).toEqual([]);
  });

  test('$and, $or and operators combine conditions', async () => {
    await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['q-1'], hours: [1], priority: ['High'] });
    await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['q-2'], hours: [8], priority: ['Low'] });
    const gids = (records: AttioRecord[]) => records.map((r) => firstPlainValue(r.values, 'asana_gid')).sort();
    expect(
      gids(await client.queryRecords(OBJECT, { filter: { $or: [{ asana_gid: 'q-1' }, { asana_gid: 'q-2' }] } })),
    ).toEqual(['q-1', 'q-2']);
    expect(
      gids(
        await client.queryRecords(OBJECT, {
          filter: { $and: [{ asana_gid: { $starts_with: 'q-' } }, { hours: { $gt: 4 } }] },
        }),
      ),
    ).toEqual(['q-2']);
    expect(
      gids(await client.queryRecords(OBJECT, { filter: { asana_gid: { $starts_with: 'q-' }, priority: 'High' } })),
    ).toEqual(['q-1']);
  });

  test('limit and offset page through results; queryAllRecords reads every page', async () => {
    for (let i = 0; i < 5; i += 1) await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: [`p-${i}`] });
    const filter = { asana_gid: { $starts_with: 'p-' } };
    const page1 = await client.queryRecords(OBJECT, { filter, limit: 2, offset: 0 });
    const page3 = await client.queryRecords(OBJECT, { filter, limit: 2, offset: 4 });
    expect([page1.length, page3.length]).toEqual([2, 1]);
    expect(await client.queryAllRecords(OBJECT, { filter, limit: 2 })).toHaveLength(5);
  });

  test('a filter on an unknown attribute is 400 filter_error', async () => {
    expectValidation(await failureOf(client.queryRecords(OBJECT, { filter: { colour: 'red' } })), 'filter_error');
  });
});

describe('list entries', () => {
  test('assertListEntry creates the parent’s entry, then updates that same entry', async () => {
    const parent = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['e-1'] });
    const created = await client.assertListEntry(LIST, OBJECT, parent.id.record_id, {
      stage: ['Qualified'],
      notes: ['a'],
    });
    const updated = await client.assertListEntry(LIST, OBJECT, parent.id.record_id, { stage: ['Won'] });
    expect(updated.id.entry_id).toBe(created.id.entry_id);
    const entries = attio.entriesOf(LIST, parent.id.record_id);
    expect(entries.map((e) => e.entryId)).toEqual([created.id.entry_id]);
    expect(entries[0]?.values).toMatchObject({ stage: ['Won'], notes: ['a'] });
    expect(updated.entry_values.stage?.[0]).toMatchObject({ attribute_type: 'status', status: { title: 'Won' } });
    const memberships = await client.listRecordEntries(OBJECT, parent.id.record_id);
    expect(memberships).toEqual([expect.objectContaining({ list_api_slug: LIST, entry_id: created.id.entry_id })]);
  });

  test('two entries for one parent make the assert answer 400 multiple_match_results', async () => {
    const parent = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['e-2'] });
    await client.createListEntry(LIST, OBJECT, parent.id.record_id, {});
    await client.createListEntry(LIST, OBJECT, parent.id.record_id, {});
    const response = await raw('PUT', `/v2/lists/${LIST}/entries`, {
      data: { parent_record_id: parent.id.record_id, parent_object: OBJECT, entry_values: {} },
    });
    expect(response.body).toEqual({
      status_code: 400,
      type: 'invalid_request_error',
      code: 'multiple_match_results',
      message:
        'Multiple entries were founds for the given parent record. Please remove duplicates or use the update or create entry endpoints instead.',
    });
    expectValidation(
      await failureOf(client.assertListEntry(LIST, OBJECT, parent.id.record_id, {})),
      'multiple_match_results',
    );
  });

  test('entry multiselect values: assert and PUT replace them, PATCH prepends', async () => {
    const ana = await client.assertRecord('people', 'email_addresses', { email_addresses: ['ana@example.com'] });
    const bob = await client.assertRecord('people', 'email_addresses', { email_addresses: ['bob@example.com'] });
    const ref = (id: string) => ({ target_object: 'people', target_record_id: id });
    const parent = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['e-3'] });
    const entry = await client.assertListEntry(LIST, OBJECT, parent.id.record_id, { people: [ref(ana.id.record_id)] });
    await client.updateListEntry(LIST, entry.id.entry_id, { people: [ref(bob.id.record_id)] });
    const ids = () =>
      attio
        .entriesOf(LIST, parent.id.record_id)[0]
        ?.values.people?.map((p) => (p as { target_record_id: string }).target_record_id);
    expect(ids()).toEqual([bob.id.record_id, ana.id.record_id]);
    await client.assertListEntry(LIST, OBJECT, parent.id.record_id, { people: [ref(ana.id.record_id)] });
    expect(ids()).toEqual([ana.id.record_id]);
    await client.updateListEntry(LIST, entry.id.entry_id, { people: [] }, { overwriteMultiselect: true });
    expect(ids()).toEqual([]);
  });

  test('an entry’s parent cannot change: 400 immutable_value', async () => {
    const parent = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['e-4'] });
    const entry = await client.assertListEntry(LIST, OBJECT, parent.id.record_id, {});
    const response = await raw('PATCH', `/v2/lists/${LIST}/entries/${entry.id.entry_id}`, {
      data: { parent_record_id: parent.id.record_id, entry_values: {} },
    });
    expect(response.body).toMatchObject({ status_code: 400, code: 'immutable_value' });
  });

  test('a parent record that does not exist, or of another object, is refused', async () => {
    const missing = await failureOf(client.assertListEntry(LIST, OBJECT, '00000000-0000-4000-8000-000000000000', {}));
    expectValidation(missing, 'value_not_found');
    const person = await client.assertRecord('people', 'email_addresses', { email_addresses: ['cy@example.com'] });
    expectValidation(
      await failureOf(client.assertListEntry(LIST, 'people', person.id.record_id, {})),
      'validation_type',
    );
  });

  test('entries are queried by a status title and read back by id; an unknown list is AttioNotFound', async () => {
    const parent = await client.assertRecord(OBJECT, 'asana_gid', { asana_gid: ['e-5'] });
    const entry = await client.assertListEntry(LIST, OBJECT, parent.id.record_id, {
      stage: ['Qualified'],
      notes: ['find me'],
    });
    const found = await client.queryListEntries(LIST, {
      filter: { $and: [{ stage: 'Qualified' }, { notes: 'find me' }] },
    });
    expect(found.map((e) => e.id.entry_id)).toEqual([entry.id.entry_id]);
    expect((await client.getListEntry(LIST, entry.id.entry_id)).parent_record_id).toBe(parent.id.record_id);
    expect((await client.queryAllListEntries(LIST)).length).toBe(attio.entries(LIST).length);
    expect((await failureOf(client.queryListEntries('no_such_list'))).type).toBe(ATTIO_ERRORS.notFound);
  });
});

describe('conformance', () => {
  test('the check rejects a response that breaks the spec, so passing it means something', async () => {
    const [good] = attio.requests
      .list({ method: 'PUT', path: `/v2/objects/${OBJECT}/records` })
      .filter((r) => r.status === 200);
    const body = structuredClone(good!.responseBody) as { data: { values: Record<string, Record<string, unknown>[]> } };
    delete body.data.values.asana_gid![0]!.active_from;
    expect(await responseProblems([{ ...good!, responseBody: body }])).not.toEqual([]);
    const badError = {
      ...good!,
      status: 400,
      responseBody: { status_code: 400, type: 'invalid_request_error', code: 'made_up', message: 'x' },
    };
    expect(await responseProblems([badError])).not.toEqual([]);
  });

  test('every response conforms to Attio’s OpenAPI document or, where it is silent, to the fact sheet', async () => {
    const exchanges = attio.requests.list();
    expect(await responseProblems(exchanges)).toEqual([]);
    expect(await countJudgedBySpec(exchanges)).toBeGreaterThan(50);
  });

  test('every request our client sent conforms to Attio’s OpenAPI document', async () => {
    expect(await clientRequestProblems(attio.requests.list())).toEqual([]);
  });
});
