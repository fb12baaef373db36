/**
 * The Attio write activities against the Attio stand-in: provisioning is idempotent, tasks become Sales Task entries
 * with their stage, renames of sections rename the stage, deletions tombstone, People are linked by email, and
 * unchanged content costs reads, not writes. Every request our client sent is checked against Attio's OpenAPI document.
 */
import { createAttioActivities } from '../../activities/attio';
import { AttioClient } from '../../attio/client';
import { parseFieldMap } from '../../mapping/field-map';
import { mapDeleted, mapProject, mapSection, mapTask } from '../../mapping/map-asana-to-attio';
import type { AsanaTask } from '../../mapping/asana-resources';
import { type AttioStandIn, startAttioStandIn } from '../../stand-ins/attio/server';
import { conformanceTo } from '../helpers/openapi-conformance';

const SOURCE = '1200000000000100';
const fieldMap = parseFieldMap({
  salesTasks: { sourceProjectGid: SOURCE, customFields: [{ asana: 'Priority', attio: 'priority', type: 'select' }] },
  people: { enabled: true, createMissing: false },
});

let attio: AttioStandIn;
let activities: ReturnType<typeof createAttioActivities>;

beforeAll(async () => {
  // These tests call the activities directly, without Temporal's retries; 429s are covered in live-sync tests.
  attio = await startAttioStandIn({ rateLimit: { writesPerSecond: 10_000, readsPerSecond: 10_000 } });
  activities = createAttioActivities({ attio: new AttioClient({ baseUrl: attio.url, token: attio.token }), fieldMap });
  await activities.provisionAttio();
});
afterAll(() => attio.close());

const task = (gid: string, overrides: Partial<AsanaTask> = {}): AsanaTask => ({
  gid,
  name: `Task ${gid}`,
  completed: false,
  notes: 'Client contact: ana@acme.example',
  permalink_url: `https://app.asana.com/0/${SOURCE}/${gid}`,
  resource_subtype: 'default_task',
  memberships: [
    { project: { gid: SOURCE, name: 'Sales Tasks' }, section: { gid: '1200000000000101', name: 'Qualified' } },
  ],
  custom_fields: [{ gid: '9', name: 'Priority', enum_value: { name: 'High' } }],
  ...overrides,
});

const entryOfTask = (gid: string) => {
  const record = attio.findRecord(fieldMap.salesTasks.parentObject, 'asana_gid', gid);
  return record ? attio.entriesOf(fieldMap.salesTasks.list, record.recordId)[0] : undefined;
};

test('provisioning twice creates everything once', async () => {
  const second = await activities.provisionAttio();
  expect(second.created).toEqual([]);
  const dump = JSON.stringify(attio.dump());
  for (const slug of ['asana_projects', 'asana_sections', 'asana_tasks', 'sales_tasks']) expect(dump).toContain(slug);
});

test('a task becomes a Sales Task entry with its stage, select option and linked person', async () => {
  const person = await new AttioClient({ baseUrl: attio.url, token: attio.token }).call(
    'PUT',
    '/v2/objects/people/records',
    { matching_attribute: 'email_addresses' },
    { data: { values: { email_addresses: ['ana@acme.example'] } } },
  );
  const personId = (person as { data: { id: { record_id: string } } }).data.id.record_id;

  const receipt = await activities.writeAsanaResourceToAttio({ mapped: mapTask(task('501'), fieldMap) });
  expect(receipt.writes).toBeGreaterThanOrEqual(2);
  const entry = entryOfTask('501');
  expect(entry).toBeDefined();
  expect(JSON.stringify(entry)).toContain('Qualified');
  expect(JSON.stringify(entry)).toContain('High');
  expect(JSON.stringify(entry)).toContain(personId);
});

test('writing the same content again costs no write, even without the previous receipt', async () => {
  const mapped = mapTask(task('502'), fieldMap);
  const first = await activities.writeAsanaResourceToAttio({ mapped });
  const record = attio.findRecord(fieldMap.salesTasks.parentObject, 'asana_gid', '502')!;
  const writesBefore = attio.writesTo(record.recordId).length + attio.writesTo(first.entryId!).length;
  expect(await activities.writeAsanaResourceToAttio({ mapped, previous: first })).toMatchObject({ writes: 1 });
  const fresh = await activities.writeAsanaResourceToAttio({
    mapped: mapTask(task('502', { name: 'Renamed' }), fieldMap),
  });
  expect(fresh.writes).toBeGreaterThan(0);
  const same = await activities.writeAsanaResourceToAttio({
    mapped: mapTask(task('502', { name: 'Renamed' }), fieldMap),
  });
  expect(same).toMatchObject({ writes: 0, summary: 'Attio already up to date' });
  expect(attio.writesTo(record.recordId).length + attio.writesTo(first.entryId!).length).toBeGreaterThan(writesBefore);
});

test('renaming a section renames its stage instead of adding one', async () => {
  const stages = () => attio.choices('lists', fieldMap.salesTasks.list, fieldMap.salesTasks.stageAttribute);
  await activities.writeAsanaResourceToAttio({
    mapped: mapSection({ gid: '1200000000000102', name: 'Proposal', project: { gid: SOURCE } }, fieldMap),
  });
  const before = stages().length;
  await activities.writeAsanaResourceToAttio({
    mapped: mapSection({ gid: '1200000000000102', name: 'Proposal sent', project: { gid: SOURCE } }, fieldMap),
  });
  expect(stages().length).toBe(before);
  expect(stages().map((s) => s.title)).toContain('Proposal sent');
  expect(stages().map((s) => s.title)).not.toContain('Proposal');
});

test('a deleted task tombstones its entry; a task never synced leaves nothing to tombstone', async () => {
  await activities.writeAsanaResourceToAttio({ mapped: mapTask(task('503'), fieldMap) });
  const receipt = await activities.writeAsanaResourceToAttio({ mapped: mapDeleted('task', '503') });
  expect(receipt.summary).toMatch(/tombstoned/);
  expect(JSON.stringify(entryOfTask('503'))).toMatch(/"deleted_in_asana":\[true\]/);
  const none = await activities.writeAsanaResourceToAttio({ mapped: mapDeleted('task', '599') });
  expect(none).toMatchObject({ writes: 0 });
});

test('with people.scan naming project.notes, the addresses in a project’s notes link People to its record', async () => {
  const scope = parseFieldMap({
    salesTasks: { sourceProjectGid: SOURCE },
    people: { enabled: true, createMissing: true, scan: ['task.notes', 'project.notes'] },
  });
  const withProjectPeople = createAttioActivities({
    attio: new AttioClient({ baseUrl: attio.url, token: attio.token }),
    fieldMap: scope,
  });
  expect((await withProjectPeople.provisionAttio()).created).toEqual([`attribute ${scope.projects.object}.people`]);
  const project = {
    gid: '1200000000000300',
    name: 'Initech – rollout',
    notes: 'Sponsor: Bill Lumbergh <bill@initech.example>; billing: ACCOUNTS@initech.example',
  };
  const receipt = await withProjectPeople.writeAsanaResourceToAttio({ mapped: mapProject(project, scope) });
  expect(receipt.writes).toBe(3); // two People created, one record written
  const linked = attio.findRecord(scope.projects.object, 'asana_gid', project.gid)!.values.people;
  const emailsOf = (recordId: string) => attio.record('people', recordId)?.values.email_addresses;
  expect((linked as { target_record_id: string }[]).map((ref) => emailsOf(ref.target_record_id)).sort()).toEqual([
    ['accounts@initech.example'],
    ['bill@initech.example'],
  ]);
  // Without project.notes in the scan, a project links nobody (and writes no People attribute).
  expect(mapProject(project, fieldMap)).not.toHaveProperty('emails');
});

test('every request the client sent conforms to Attio’s OpenAPI document', async () => {
  const spec = await conformanceTo('attio');
  const problems = attio.requests.list().flatMap((exchange) => spec.validateRequest(exchange));
  expect(problems).toEqual([]);
});

test('a receipt naming records Attio no longer has is dropped, and the write is done afresh', async () => {
  const receipt = await activities.writeAsanaResourceToAttio({ mapped: mapTask(task('504'), fieldMap) });
  // Someone cleared the workspace (every record the receipt names is gone); the sync's objects are provisioned again.
  attio.reset();
  await activities.provisionAttio();
  const again = await activities.writeAsanaResourceToAttio({
    mapped: mapTask(task('504', { name: 'Written again' }), fieldMap),
    previous: receipt,
  });
  expect(again.recordId).not.toBe(receipt.recordId);
  expect(entryOfTask('504')?.values.name).toEqual(['Written again']);
});
