/**
 * Attio REST client (undici). Failures become Temporal ApplicationFailures (attio/errors.ts).
 *
 * Responses are parsed with zod: strict on the fields the sync reads, tolerant of fields it does not (`looseObject`),
 * so a new Attio field never breaks a sync. Requests follow attio_openapi.json exactly (values are always arrays, the
 * create-attribute body has every required field), which test/integration/stand-ins/attio-*.test.ts check.
 *
 * Provisioning helpers (`ensure*`) are idempotent as docs/attio.md §5 advises: read first, create what is
 * missing, and treat 409 `slug_conflict` as "someone created it meanwhile", then read it back.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { ATTIO_ERRORS } from '../common/error-types';
import { type JsonRequest, type JsonResponse, requestJson } from '../common/http-json';
import { attioFailure } from './errors';

export interface AttioClientOptions {
  /** @default 'https://api.attio.com' */
  baseUrl: string;
  token: string;
  /** Per request. @default 30_000 */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

/** GET /v2/self: the token's workspace and scopes. */
export const AttioSelf = z.object({
  active: z.boolean(),
  workspace_id: z.string().optional(),
  workspace_name: z.string().optional(),
  workspace_slug: z.string().optional(),
  scope: z.string().optional(),
});
export type AttioSelf = z.infer<typeof AttioSelf>;

export const AttioObject = z.looseObject({
  id: z.looseObject({ object_id: z.string() }),
  api_slug: z.string().nullable(),
  singular_noun: z.string().nullable(),
  plural_noun: z.string().nullable(),
});
export type AttioObject = z.infer<typeof AttioObject>;

export const ATTIO_ATTRIBUTE_TYPES = [
  'text',
  'number',
  'checkbox',
  'currency',
  'date',
  'timestamp',
  'rating',
  'status',
  'select',
  'record-reference',
  'actor-reference',
  'location',
  'domain',
  'email-address',
  'phone-number',
] as const;
/** The attribute types a client can create (attio_openapi.json, create-attribute `type`). */
export type AttioAttributeType = (typeof ATTIO_ATTRIBUTE_TYPES)[number];

export const AttioAttribute = z.looseObject({
  id: z.looseObject({ attribute_id: z.string() }),
  title: z.string(),
  api_slug: z.string(),
  type: z.string(),
  is_system_attribute: z.boolean(),
  is_required: z.boolean(),
  is_unique: z.boolean(),
  is_multiselect: z.boolean(),
  is_archived: z.boolean(),
});
export type AttioAttribute = z.infer<typeof AttioAttribute>;

export const AttioList = z.looseObject({
  id: z.looseObject({ list_id: z.string() }),
  api_slug: z.string(),
  name: z.string(),
  parent_object: z.array(z.string()),
});
export type AttioList = z.infer<typeof AttioList>;

export const AttioSelectOption = z.looseObject({
  id: z.looseObject({ option_id: z.string() }),
  title: z.string(),
  is_archived: z.boolean(),
});
export type AttioSelectOption = z.infer<typeof AttioSelectOption>;

export const AttioStatus = z.looseObject({
  id: z.looseObject({ status_id: z.string() }),
  title: z.string(),
  is_archived: z.boolean(),
});
export type AttioStatus = z.infer<typeof AttioStatus>;

/** One value as Attio returns it: the envelope plus type-specific fields (`value`, `option`, `email_address`, …). */
export const AttioValue = z.looseObject({ attribute_type: z.string() });
export type AttioValue = z.infer<typeof AttioValue>;

const ValuesBySlug = z.record(z.string(), z.array(AttioValue));

export const AttioRecord = z.looseObject({
  id: z.looseObject({ workspace_id: z.string(), object_id: z.string(), record_id: z.string() }),
  created_at: z.string(),
  values: ValuesBySlug,
});
export type AttioRecord = z.infer<typeof AttioRecord>;

export const AttioEntry = z.looseObject({
  id: z.looseObject({ workspace_id: z.string(), list_id: z.string(), entry_id: z.string() }),
  parent_record_id: z.string(),
  parent_object: z.string(),
  created_at: z.string(),
  entry_values: ValuesBySlug,
});
export type AttioEntry = z.infer<typeof AttioEntry>;

/** GET /v2/objects/{object}/records/{record_id}/entries: the lists a record is in. */
export const AttioRecordEntry = z.looseObject({ list_id: z.string(), list_api_slug: z.string(), entry_id: z.string() });
export type AttioRecordEntry = z.infer<typeof AttioRecordEntry>;

/**
 * Values to write, by attribute slug or id. Always arrays, as the request schemas require; `[]` clears a value. The
 * items are Attio input values (docs/attio.md §4): `"text"`, `3`, `true`, `"2024-01-31"`, an option or status
 * title, `{ target_object, target_record_id }`, …
 */
export const AttioNote = z.looseObject({
  id: z.looseObject({ note_id: z.string() }),
  parent_record_id: z.string(),
  title: z.string(),
});
export type AttioNote = z.infer<typeof AttioNote>;

export type AttioValues = Record<string, unknown[]>;

export type AttioTarget = 'objects' | 'lists';

export interface AttioQuery {
  /** Attio's filter (https://docs.attio.com/rest-api/guides/filtering-and-sorting), e.g. `{ asana_gid: "123" }`. */
  filter?: Record<string, unknown>;
  sorts?: ({ direction: 'asc' | 'desc'; attribute: string; field?: string } | Record<string, unknown>)[];
  /** @default 500 (Attio's default) */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

export interface AttributeSpec {
  api_slug: string;
  title: string;
  type: AttioAttributeType;
  /** @default null */
  description?: string | null;
  /** @default false */
  is_required?: boolean;
  /** @default false */
  is_unique?: boolean;
  /** @default false */
  is_multiselect?: boolean;
  /** e.g. `{ record_reference: { allowed_objects: ['people'] } }`. @default {} */
  config?: Record<string, unknown>;
}

export interface Ensured<T> {
  value: T;
  /** True when this call created it (false when it existed, or another caller created it first). */
  created: boolean;
}

const data = <T extends z.ZodType>(schema: T) => z.object({ data: schema });

/** A request's path with each segment encoded. */
const path = (...segments: string[]) => `/v2/${segments.map(encodeURIComponent).join('/')}`;

export class AttioClient {
  constructor(private readonly options: AttioClientOptions) {}

  // ---- transport ------------------------------------------------------------------------------------------------

  private send(method: JsonRequest['method'], urlPath: string, query?: JsonRequest['query'], body?: unknown) {
    return requestJson({
      baseUrl: this.options.baseUrl,
      token: this.options.token,
      method,
      path: urlPath,
      query,
      body,
      timeoutMs: this.options.timeoutMs,
      dispatcher: this.options.dispatcher,
    });
  }

  /** One call; a non-2xx answer throws the mapped failure (attio/errors.ts). */
  async call(
    method: JsonRequest['method'],
    urlPath: string,
    query?: JsonRequest['query'],
    body?: unknown,
  ): Promise<unknown> {
    const response = await this.send(method, urlPath, query, body);
    if (response.status < 200 || response.status >= 300) throw attioFailure(response, `${method} ${urlPath}`);
    return response.body;
  }

  private parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    throw ApplicationFailure.create({
      type: ATTIO_ERRORS.validation,
      message: `Attio's answer to ${what} did not have the expected shape: ${z.prettifyError(result.error)}`,
      nonRetryable: true,
    });
  }

  private async request<T extends z.ZodType>(
    schema: T,
    method: JsonRequest['method'],
    urlPath: string,
    query?: JsonRequest['query'],
    body?: unknown,
  ): Promise<z.infer<T>> {
    return this.parse(schema, await this.call(method, urlPath, query, body), `${method} ${urlPath}`);
  }

  /** Like `request`, but a 404 (or, with `conflictOk`, a 409) comes back as the raw response instead of a throw. */
  private async attempt<T extends z.ZodType>(
    schema: T,
    method: JsonRequest['method'],
    urlPath: string,
    body?: unknown,
    query?: JsonRequest['query'],
  ): Promise<{ ok: true; value: z.infer<T> } | { ok: false; response: JsonResponse }> {
    const response = await this.send(method, urlPath, query, body);
    if (response.status === 404 || response.status === 409) return { ok: false, response };
    if (response.status < 200 || response.status >= 300) throw attioFailure(response, `${method} ${urlPath}`);
    return { ok: true, value: this.parse(schema, response.body, `${method} ${urlPath}`) };
  }

  /** A 409 other than slug_conflict, or a 404 where none was expected, is thrown as usual. */
  private unexpected(response: JsonResponse, what: string, allow: 404 | 409): void {
    const code = (response.body as { code?: string } | undefined)?.code;
    if (response.status === allow && (allow === 404 || code === 'slug_conflict')) return;
    throw attioFailure(response, what);
  }

  // ---- workspace ------------------------------------------------------------------------------------------------

  async getSelf(): Promise<AttioSelf> {
    return AttioSelf.parse(await this.call('GET', '/v2/self'));
  }

  // ---- objects --------------------------------------------------------------------------------------------------

  async listObjects(): Promise<AttioObject[]> {
    return (await this.request(data(z.array(AttioObject)), 'GET', '/v2/objects')).data;
  }

  /** The object, or undefined when there is none with this slug or id. */
  async getObject(object: string): Promise<AttioObject | undefined> {
    const result = await this.attempt(data(AttioObject), 'GET', path('objects', object));
    if (result.ok) return result.value.data;
    this.unexpected(result.response, `GET ${path('objects', object)}`, 404);
    return undefined;
  }

  /** A custom object with this slug: read, created if missing, read back after a concurrent create (409). */
  async ensureObject(spec: {
    api_slug: string;
    singular_noun: string;
    plural_noun: string;
  }): Promise<Ensured<AttioObject>> {
    const existing = await this.getObject(spec.api_slug);
    if (existing) return { value: existing, created: false };
    const created = await this.attempt(data(AttioObject), 'POST', '/v2/objects', { data: spec });
    if (created.ok) return { value: created.value.data, created: true };
    this.unexpected(created.response, 'POST /v2/objects', 409);
    const raced = await this.getObject(spec.api_slug);
    if (raced) return { value: raced, created: false };
    // Attio's 409 also covers names: "Please ensure your api_slug and names are unique" (SPEC POST /v2/objects).
    throw ApplicationFailure.create({
      type: ATTIO_ERRORS.conflict,
      message: `Attio refused to create object "${spec.api_slug}" (slug_conflict) but has no object with that slug: another object probably uses the name "${spec.singular_noun}" or "${spec.plural_noun}". Rename one of them in Attio or in the field map.`,
      nonRetryable: true,
    });
  }

  // ---- attributes -----------------------------------------------------------------------------------------------

  async listAttributes(target: AttioTarget, identifier: string, options: { showArchived?: boolean } = {}) {
    const query = options.showArchived === undefined ? undefined : { show_archived: options.showArchived };
    return (await this.request(data(z.array(AttioAttribute)), 'GET', path(target, identifier, 'attributes'), query))
      .data;
  }

  /** The attribute (archived or not), or undefined when the object or list has none with this slug or id. */
  async getAttribute(target: AttioTarget, identifier: string, attribute: string): Promise<AttioAttribute | undefined> {
    const url = path(target, identifier, 'attributes', attribute);
    const result = await this.attempt(data(AttioAttribute), 'GET', url);
    if (result.ok) return result.value.data;
    this.unexpected(result.response, `GET ${url}`, 404);
    return undefined;
  }

  /**
   * An attribute with this slug on an object or list: created if missing, unarchived if archived. An existing one of
   * another type, or not unique when uniqueness is asked for, is a non-retryable error naming both: the sync cannot
   * write into it, and only an operator can decide which one is right.
   */
  async ensureAttribute(
    target: AttioTarget,
    identifier: string,
    spec: AttributeSpec,
  ): Promise<Ensured<AttioAttribute>> {
    const where = `${target}/${identifier} attribute "${spec.api_slug}"`;
    const check = async (attribute: AttioAttribute): Promise<AttioAttribute> => {
      if (attribute.type !== spec.type) {
        throw ApplicationFailure.create({
          type: ATTIO_ERRORS.validation,
          message: `Attio ${where} exists with type "${attribute.type}", but the sync needs "${spec.type}". Rename or archive it in Attio, or map the field to another attribute.`,
          nonRetryable: true,
        });
      }
      if (spec.is_unique && !attribute.is_unique) {
        throw ApplicationFailure.create({
          type: ATTIO_ERRORS.validation,
          message: `Attio ${where} exists but is not unique, and the sync matches records on it. Make it unique in Attio (existing duplicates stay and must be removed by hand).`,
          nonRetryable: true,
        });
      }
      if (!attribute.is_archived) return attribute;
      const url = path(target, identifier, 'attributes', spec.api_slug);
      return (await this.request(data(AttioAttribute), 'PATCH', url, undefined, { data: { is_archived: false } })).data;
    };
    const existing = await this.getAttribute(target, identifier, spec.api_slug);
    if (existing) return { value: await check(existing), created: false };
    const url = path(target, identifier, 'attributes');
    const body = {
      data: {
        title: spec.title,
        description: spec.description ?? null,
        api_slug: spec.api_slug,
        type: spec.type,
        is_required: spec.is_required ?? false,
        is_unique: spec.is_unique ?? false,
        is_multiselect: spec.is_multiselect ?? false,
        config: spec.config ?? {},
      },
    };
    const created = await this.attempt(data(AttioAttribute), 'POST', url, body);
    if (created.ok) return { value: created.value.data, created: true };
    this.unexpected(created.response, `POST ${url}`, 409);
    const raced = await this.getAttribute(target, identifier, spec.api_slug);
    if (!raced) throw attioFailure(created.response, `POST ${url}`);
    return { value: await check(raced), created: false };
  }

  // ---- lists ----------------------------------------------------------------------------------------------------

  async listLists(): Promise<AttioList[]> {
    return (await this.request(data(z.array(AttioList)), 'GET', '/v2/lists')).data;
  }

  async getList(list: string): Promise<AttioList | undefined> {
    const result = await this.attempt(data(AttioList), 'GET', path('lists', list));
    if (result.ok) return result.value.data;
    this.unexpected(result.response, `GET ${path('lists', list)}`, 404);
    return undefined;
  }

  /**
   * A list with this slug whose entries' parents are `parent_object` records. Created with full workspace access (a
   * new list needs full access for the workspace or a member: SPEC POST /v2/lists).
   */
  async ensureList(spec: { api_slug: string; name: string; parent_object: string }): Promise<Ensured<AttioList>> {
    const check = (list: AttioList): AttioList => {
      if (!list.parent_object.includes(spec.parent_object)) {
        throw ApplicationFailure.create({
          type: ATTIO_ERRORS.validation,
          message: `Attio list "${spec.api_slug}" exists for ${list.parent_object.join(', ')} records, but the sync adds ${spec.parent_object} records to it. Rename the list in Attio or in the field map.`,
          nonRetryable: true,
        });
      }
      return list;
    };
    const existing = await this.getList(spec.api_slug);
    if (existing) return { value: check(existing), created: false };
    const body = { data: { ...spec, workspace_access: 'full-access', workspace_member_access: [] } };
    const created = await this.attempt(data(AttioList), 'POST', '/v2/lists', body);
    if (created.ok) return { value: created.value.data, created: true };
    this.unexpected(created.response, 'POST /v2/lists', 409);
    const raced = await this.getList(spec.api_slug);
    if (!raced) throw attioFailure(created.response, 'POST /v2/lists');
    return { value: check(raced), created: false };
  }

  // ---- select options and statuses ------------------------------------------------------------------------------

  async listSelectOptions(target: AttioTarget, identifier: string, attribute: string, showArchived = true) {
    const url = path(target, identifier, 'attributes', attribute, 'options');
    return (await this.request(data(z.array(AttioSelectOption)), 'GET', url, { show_archived: showArchived })).data;
  }

  /** A select option with this title: created if missing, unarchived if archived. */
  async ensureSelectOption(target: AttioTarget, identifier: string, attribute: string, title: string) {
    return this.ensureChoice(
      'options',
      AttioSelectOption,
      (o) => o.id.option_id,
      () => this.listSelectOptions(target, identifier, attribute, true),
      [target, identifier, attribute],
      title,
    );
  }

  /** Adds a select option; 409 slug_conflict when the attribute already has one with this title. */
  async createSelectOption(target: AttioTarget, identifier: string, attribute: string, title: string) {
    const url = path(target, identifier, 'attributes', attribute, 'options');
    return (await this.request(data(AttioSelectOption), 'POST', url, undefined, { data: { title } })).data;
  }

  /** Renames a select option (by id or title); 409 slug_conflict when another option has the title. */
  async renameSelectOption(target: AttioTarget, identifier: string, attribute: string, option: string, title: string) {
    const url = path(target, identifier, 'attributes', attribute, 'options', option);
    return (await this.request(data(AttioSelectOption), 'PATCH', url, undefined, { data: { title } })).data;
  }

  async listStatuses(target: AttioTarget, identifier: string, attribute: string, showArchived = true) {
    const url = path(target, identifier, 'attributes', attribute, 'statuses');
    return (await this.request(data(z.array(AttioStatus)), 'GET', url, { show_archived: showArchived })).data;
  }

  /** A status with this title: created if missing, unarchived if archived. */
  async ensureStatus(target: AttioTarget, identifier: string, attribute: string, title: string) {
    return this.ensureChoice(
      'statuses',
      AttioStatus,
      (s) => s.id.status_id,
      () => this.listStatuses(target, identifier, attribute, true),
      [target, identifier, attribute],
      title,
    );
  }

  /** Renames a status (by id or title); 409 slug_conflict when another status has the title. */
  async renameStatus(target: AttioTarget, identifier: string, attribute: string, status: string, title: string) {
    const url = path(target, identifier, 'attributes', attribute, 'statuses', status);
    return (await this.request(data(AttioStatus), 'PATCH', url, undefined, { data: { title } })).data;
  }

  private async ensureChoice<T extends { title: string; is_archived: boolean }>(
    kind: 'options' | 'statuses',
    schema: z.ZodType<T>,
    idOf: (choice: T) => string,
    list: () => Promise<T[]>,
    [target, identifier, attribute]: [AttioTarget, string, string],
    title: string,
  ): Promise<Ensured<T>> {
    const url = path(target, identifier, 'attributes', attribute, kind);
    const unarchive = async (choice: T): Promise<T> =>
      choice.is_archived
        ? (
            await this.request(data(schema), 'PATCH', `${url}/${encodeURIComponent(idOf(choice))}`, undefined, {
              data: { is_archived: false },
            })
          ).data
        : choice;
    const existing = (await list()).find((c) => c.title === title);
    if (existing) return { value: await unarchive(existing), created: false };
    const created = await this.attempt(data(schema), 'POST', url, { data: { title } });
    if (created.ok) return { value: created.value.data, created: true };
    this.unexpected(created.response, `POST ${url}`, 409);
    const raced = (await list()).find((c) => c.title === title);
    if (!raced) throw attioFailure(created.response, `POST ${url}`);
    return { value: await unarchive(raced), created: false };
  }

  // ---- records --------------------------------------------------------------------------------------------------

  /**
   * Creates or updates the record whose `matchingAttribute` (a unique attribute, e.g. `asana_gid`) has the value in
   * `values` (SPEC PUT /v2/objects/{object}/records). Multiselect attributes other than the matching one become
   * exactly the values given.
   */
  async assertRecord(object: string, matchingAttribute: string, values: AttioValues): Promise<AttioRecord> {
    const url = path('objects', object, 'records');
    return (
      await this.request(data(AttioRecord), 'PUT', url, { matching_attribute: matchingAttribute }, { data: { values } })
    ).data;
  }

  /** Creates a record; 400 `uniqueness_conflict` if a unique value is taken. */
  async createRecord(object: string, values: AttioValues): Promise<AttioRecord> {
    return (
      await this.request(data(AttioRecord), 'POST', path('objects', object, 'records'), undefined, { data: { values } })
    ).data;
  }

  /**
   * Updates a record by id. By default (PATCH) multiselect values are added in front of the existing ones; with
   * `overwriteMultiselect` (PUT) they become exactly the values given (SPEC).
   */
  async updateRecord(
    object: string,
    recordId: string,
    values: AttioValues,
    options: { overwriteMultiselect?: boolean } = {},
  ): Promise<AttioRecord> {
    const method = options.overwriteMultiselect ? 'PUT' : 'PATCH';
    const url = path('objects', object, 'records', recordId);
    return (await this.request(data(AttioRecord), method, url, undefined, { data: { values } })).data;
  }

  /** The record; a missing record (or object) throws AttioNotFound. */
  async getRecord(object: string, recordId: string): Promise<AttioRecord> {
    return (await this.request(data(AttioRecord), 'GET', path('objects', object, 'records', recordId))).data;
  }

  /** One page of records matching `query` (Attio's default page is 500; responses carry no total). */
  async queryRecords(object: string, query: AttioQuery = {}): Promise<AttioRecord[]> {
    const url = path('objects', object, 'records', 'query');
    return (await this.request(data(z.array(AttioRecord)), 'POST', url, undefined, query)).data;
  }

  /** Every record matching `query`, page by page until a short page (docs/attio.md §9). */
  async queryAllRecords(object: string, query: Omit<AttioQuery, 'offset'> = {}): Promise<AttioRecord[]> {
    return this.pages((offset, limit) => this.queryRecords(object, { ...query, limit, offset }), query.limit);
  }

  /** The lists a record has entries in (SPEC GET …/records/{record_id}/entries; default page 100, maximum 1000). */
  async listRecordEntries(object: string, recordId: string): Promise<AttioRecordEntry[]> {
    const url = path('objects', object, 'records', recordId, 'entries');
    return this.pages(
      async (offset, limit) =>
        (await this.request(data(z.array(AttioRecordEntry)), 'GET', url, { limit, offset })).data,
      1000,
    );
  }

  // ---- list entries ---------------------------------------------------------------------------------------------

  /**
   * Creates or updates the one entry of `parentRecordId` in the list (SPEC PUT /v2/lists/{list}/entries). Several
   * entries for that parent fail with 400 `multiple_match_results`. Multiselect values become exactly those given.
   */
  async assertListEntry(
    list: string,
    parentObject: string,
    parentRecordId: string,
    entryValues: AttioValues,
  ): Promise<AttioEntry> {
    const body = { data: { parent_record_id: parentRecordId, parent_object: parentObject, entry_values: entryValues } };
    return (await this.request(data(AttioEntry), 'PUT', path('lists', list, 'entries'), undefined, body)).data;
  }

  /** Adds a record to a list as a new entry, even if it already has one there (SPEC POST /v2/lists/{list}/entries). */
  async createListEntry(
    list: string,
    parentObject: string,
    parentRecordId: string,
    entryValues: AttioValues,
  ): Promise<AttioEntry> {
    const body = { data: { parent_record_id: parentRecordId, parent_object: parentObject, entry_values: entryValues } };
    return (await this.request(data(AttioEntry), 'POST', path('lists', list, 'entries'), undefined, body)).data;
  }

  /**
   * Updates an entry by id. By default (PATCH) multiselect values are added in front of the existing ones; with
   * `overwriteMultiselect` (PUT) they become exactly the values given (SPEC).
   */
  async updateListEntry(
    list: string,
    entryId: string,
    entryValues: AttioValues,
    options: { overwriteMultiselect?: boolean } = {},
  ): Promise<AttioEntry> {
    const method = options.overwriteMultiselect ? 'PUT' : 'PATCH';
    const url = path('lists', list, 'entries', entryId);
    return (await this.request(data(AttioEntry), method, url, undefined, { data: { entry_values: entryValues } })).data;
  }

  async getListEntry(list: string, entryId: string): Promise<AttioEntry> {
    return (await this.request(data(AttioEntry), 'GET', path('lists', list, 'entries', entryId))).data;
  }

  async queryListEntries(list: string, query: AttioQuery = {}): Promise<AttioEntry[]> {
    const url = path('lists', list, 'entries', 'query');
    return (await this.request(data(z.array(AttioEntry)), 'POST', url, undefined, query)).data;
  }

  async queryAllListEntries(list: string, query: Omit<AttioQuery, 'offset'> = {}): Promise<AttioEntry[]> {
    return this.pages((offset, limit) => this.queryListEntries(list, { ...query, limit, offset }), query.limit);
  }

  // ---- notes ----------------------------------------------------------------------------------------------------

  /** Adds a note to a record (SPEC POST /v2/notes); notes cannot be updated, only deleted. */
  async createNote(note: {
    parentObject: string;
    parentRecordId: string;
    title: string;
    markdown: string;
  }): Promise<AttioNote> {
    const body = {
      data: {
        parent_object: note.parentObject,
        parent_record_id: note.parentRecordId,
        title: note.title,
        format: 'markdown',
        content: note.markdown,
      },
    };
    return (await this.request(data(AttioNote), 'POST', '/v2/notes', undefined, body)).data;
  }

  private async pages<T>(page: (offset: number, limit: number) => Promise<T[]>, limit = 500): Promise<T[]> {
    const all: T[] = [];
    for (let offset = 0; ; offset += limit) {
      const items = await page(offset, limit);
      all.push(...items);
      if (items.length < limit) return all;
    }
  }
}

/**
 * A value without Attio's envelope: the text, number, boolean or date of simple types, the title of a select option
 * or status, the address of an email, the record id of a reference, the full name of a personal name.
 */
export function plainValue(value: AttioValue): unknown {
  const v = value as Record<string, unknown>;
  switch (value.attribute_type) {
    case 'select':
      return (v.option as { title?: string } | undefined)?.title;
    case 'status':
      return (v.status as { title?: string } | undefined)?.title;
    case 'email-address':
      return v.email_address;
    case 'domain':
      return v.domain;
    case 'phone-number':
      return v.phone_number;
    case 'currency':
      return v.currency_value;
    case 'record-reference':
      return v.target_record_id;
    case 'personal-name':
      return v.full_name;
    case 'actor-reference':
      return v.referenced_actor_id;
    default:
      return v.value;
  }
}

/** The plain value of the first active value of an attribute, if any. */
export function firstPlainValue(values: Record<string, AttioValue[]>, slug: string): unknown {
  const [first] = values[slug] ?? [];
  return first ? plainValue(first) : undefined;
}
