/**
 * Notes on the Attio stand-in (SPEC /v2/notes): created in markdown on a record, listed by parent, read, deleted;
 * there is no update. Every response is checked against Attio's OpenAPI document (or the fact sheet where it is
 * silent), and every request the project's client sent against the spec.
 */
import { AttioClient } from '../../../attio/client';
import { ATTIO_ERRORS } from '../../../common/error-types';
import { type AttioStandIn, startAttioStandIn } from '../../../stand-ins/attio/server';
import { clientRequestProblems, countJudgedBySpec, rawAttio, responseProblems } from './attio-conformance';

let attio: AttioStandIn;
let client: AttioClient;
let recordId: string;
let otherRecordId: string;

const OBJECT = 'asana_projects';

beforeAll(async () => {
  attio = await startAttioStandIn({ rateLimit: { readsPerSecond: 10_000, writesPerSecond: 10_000 } });
  client = new AttioClient({ baseUrl: attio.url, token: attio.token });
  await client.ensureObject({ api_slug: OBJECT, singular_noun: 'Asana project', plural_noun: 'Asana projects' });
  await client.ensureAttribute('objects', OBJECT, {
    api_slug: 'asana_gid',
    title: 'Asana gid',
    type: 'text',
    is_unique: true,
  });
  const assert = async (gid: string) => {
    const body = (await client.call(
      'PUT',
      `/v2/objects/${OBJECT}/records`,
      { matching_attribute: 'asana_gid' },
      {
        data: { values: { asana_gid: [gid] } },
      },
    )) as { data: { id: { record_id: string } } };
    return body.data.id.record_id;
  };
  recordId = await assert('1001');
  otherRecordId = await assert('1002');
});
afterAll(() => attio.close());

interface NoteBody {
  data: {
    id: { note_id: string };
    parent_record_id: string;
    title: string;
    content_plaintext: string;
    content_markdown: string;
  };
}

const createNote = (parent: string, title: string, content: string) =>
  client.call('POST', '/v2/notes', undefined, {
    data: { parent_object: OBJECT, parent_record_id: parent, title, format: 'markdown', content },
  }) as Promise<NoteBody>;

const notesOf = async (parent: string, query: Record<string, string | number> = {}) =>
  (
    (await client.call('GET', '/v2/notes', { parent_object: OBJECT, parent_record_id: parent, ...query })) as {
      data: NoteBody['data'][];
    }
  ).data;

describe('the Attio stand-in: notes', () => {
  test('a markdown note is stored on its record with the plaintext Attio derives from it', async () => {
    const created = await createNote(
      recordId,
      'Sync failed',
      '**Sync failed**: Attio refused [the value](https://x.example).',
    );
    expect(created.data).toMatchObject({
      parent_record_id: recordId,
      title: 'Sync failed',
      content_markdown: '**Sync failed**: Attio refused [the value](https://x.example).',
      content_plaintext: 'Sync failed: Attio refused the value.',
    });
    expect(attio.notesOn(recordId).map((n) => n.title)).toEqual(['Sync failed']);
  });

  test('notes are listed by their parent record, newest first, ten to a page unless asked', async () => {
    for (let i = 0; i < 11; i++) await createNote(otherRecordId, `Resync ${i}`, `resync ${i}`);
    const page = await notesOf(otherRecordId);
    expect(page).toHaveLength(10);
    expect(page[0]!.title).toBe('Resync 10');
    expect((await notesOf(otherRecordId, { offset: 10 })).map((n) => n.title)).toEqual(['Resync 0']);
    expect((await notesOf(recordId)).map((n) => n.title)).toEqual(['Sync failed']);
  });

  test('a note is read by id and deleted; then it is not found', async () => {
    const { data } = await createNote(recordId, 'Tombstoned', 'Deleted in Asana');
    const noteId = data.id.note_id;
    expect(((await client.call('GET', `/v2/notes/${noteId}`)) as NoteBody).data.title).toBe('Tombstoned');
    expect(await client.call('DELETE', `/v2/notes/${noteId}`)).toEqual({});
    await expect(client.call('GET', `/v2/notes/${noteId}`)).rejects.toMatchObject({ type: ATTIO_ERRORS.notFound });
  });

  test('there is no update: PATCH and PUT of a note are unknown endpoints', async () => {
    const { data } = await createNote(recordId, 'Kept', 'as written');
    for (const method of ['PATCH', 'PUT']) {
      const answer = await rawAttio(attio.url, method, `/v2/notes/${data.id.note_id}`, {
        token: attio.token,
        body: { data: { title: 'changed' } },
      });
      expect(answer.status).toBe(404);
    }
    expect(attio.notesOn(recordId).find((n) => n.noteId === data.id.note_id)?.title).toBe('Kept');
  });

  test('a note on a record or object that does not exist is refused with 404, a malformed one with 400', async () => {
    const missing = await rawAttio(attio.url, 'POST', '/v2/notes', {
      token: attio.token,
      body: {
        data: {
          parent_object: OBJECT,
          parent_record_id: '00000000-0000-4000-8000-000000000000',
          title: 't',
          format: 'markdown',
          content: 'c',
        },
      },
    });
    expect(missing.status).toBe(404);
    const noObject = await rawAttio(attio.url, 'GET', '/v2/notes?parent_object=nope', { token: attio.token });
    expect(noObject.status).toBe(404);
    const malformed = await rawAttio(attio.url, 'POST', '/v2/notes', {
      token: attio.token,
      body: { data: { parent_object: OBJECT, parent_record_id: recordId, title: 't', format: 'html', content: 'c' } },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'validation_type' });
  });

  test('deleting a record deletes its notes', async () => {
    await client.call('DELETE', `/v2/objects/${OBJECT}/records/${otherRecordId}`);
    expect(attio.notesOn(otherRecordId)).toEqual([]);
  });

  test('every response conforms to Attio’s OpenAPI document or, where it is silent, to the fact sheet', async () => {
    const exchanges = attio.requests.list();
    expect(await responseProblems(exchanges)).toEqual([]);
    expect(await countJudgedBySpec(exchanges.filter((e) => e.url.startsWith('/v2/notes')))).toBeGreaterThan(10);
  });

  test('every request our client sent conforms to Attio’s OpenAPI document', async () => {
    expect(await clientRequestProblems(attio.requests.list())).toEqual([]);
  });
});
