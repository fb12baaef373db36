/**
 * The Attio stand-in's workspace: objects, attributes, select options, statuses, lists, records and entries, with
 * Attio's rules for each write. Every public method takes what the HTTP layer parsed and returns the response body
 * or throws an AttioApiError; nothing here knows about HTTP.
 *
 * Sources: attio_openapi.json (SPEC) and docs/attio.md (FACTS). Behaviour neither documents is marked GUESS
 * with what it follows; stand-ins/attio/README.md lists them.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { StandInClock } from '../kit/clock';
import {
  CreateAttributeBody,
  CreateListBody,
  CreateNoteBody,
  CreateObjectBody,
  CreateOptionBody,
  CreateStatusBody,
  EntryCreateBody,
  EntryUpdateBody,
  parseBody,
  PatchAttributeBody,
  PatchListBody,
  PatchObjectBody,
  PatchOptionBody,
  PatchStatusBody,
  QueryBody,
  RecordWriteBody,
} from './bodies';
import { badRequest, notFound, slugConflict } from './errors';
import { compileFilter, compileSorts, type Values } from './filter';
import type {
  Actor,
  AttributeDef,
  AttributeType,
  EntryRow,
  ListDef,
  ObjectDef,
  RecordRow,
  SelectOption,
  StatusDef,
  StoredValue,
  WorkspaceInfo,
} from './model';
import {
  attributeJson,
  entryJson,
  listJson,
  objectJson,
  optionJson,
  plainValues,
  recordJson,
  type SerializeContext,
  statusJson,
} from './serialize';
import { newNote, type NoteRow, noteJson, NOTES_LIMIT } from './notes';
import { attioTimestamp, coerceValue, type ValueContext, valueKey } from './values';

export type Target = 'objects' | 'lists';

/** Records query default page (SPEC records query `limit`: "Defaults to 500"). */
const DEFAULT_QUERY_LIMIT = 500;
/** Record entries default and maximum page (SPEC `GET …/records/{record_id}/entries` `limit`). */
const RECORD_ENTRIES_LIMIT = { default: 100, max: 1000 };

/** Attio-style actor id of a token: stable, uuid-shaped, never the token itself. */
export function tokenActorId(token: string): string {
  const hex = createHash('sha256').update(`attio-stand-in:${token}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A snapshot of one record or entry with plain values (serialize.ts `plainValue`), for assertions. */
export interface PlainRecord {
  recordId: string;
  object: string;
  createdAt: string;
  /** By attribute slug, always arrays (`[]` when empty). */
  values: Record<string, unknown[]>;
}

export interface PlainEntry {
  entryId: string;
  list: string;
  parentRecordId: string;
  parentObject: string;
  createdAt: string;
  values: Record<string, unknown[]>;
}

interface WriteOptions {
  /** create: a new row; overwrite: multiselect values become exactly the input; append: they are added in front. */
  mode: 'create' | 'overwrite' | 'append';
  /** An attribute whose multiselect values are added rather than replaced (the assert's matching attribute). */
  appendAttributeId?: string;
  actor: Actor;
  /** The other rows a unique attribute must not collide with. */
  peers: Iterable<{ id: string; values: Map<string, StoredValue[]> }>;
  selfId?: string;
}

export class AttioWorkspace {
  private readonly objects = new Map<string, ObjectDef>();
  private readonly lists = new Map<string, ListDef>();
  private readonly attributes = new Map<string, AttributeDef>();
  private readonly records = new Map<string, RecordRow>();
  private readonly entries = new Map<string, EntryRow>();
  private readonly notes = new Map<string, NoteRow>();
  private readonly memberEmail: string;

  constructor(
    private readonly clock: StandInClock,
    readonly info: WorkspaceInfo,
  ) {
    this.memberEmail = `owner@${info.slug}.example.com`;
    this.reset();
  }

  /** Back to a fresh workspace: the standard People and Companies objects with their system attributes, no data. */
  reset(): void {
    for (const map of [this.objects, this.lists, this.attributes, this.records, this.entries, this.notes]) map.clear();
    const people = this.addObject('people', 'Person', 'People', true);
    const companies = this.addObject('companies', 'Company', 'Companies', true);
    // The system attributes the sync can touch, as a real workspace lists them (GET /v2/objects/people/attributes).
    const system = (
      parent: ObjectDef,
      slug: string,
      title: string,
      type: AttributeType,
      extra: Partial<AttributeDef> = {},
    ) => this.addAttribute(parent.id, 'objects', { api_slug: slug, title, type, is_system_attribute: true, ...extra });
    system(people, 'name', 'Name', 'personal-name');
    system(people, 'email_addresses', 'Email addresses', 'email-address', { is_unique: true, is_multiselect: true });
    system(people, 'description', 'Description', 'text');
    system(people, 'company', 'Company', 'record-reference', {
      config: this.config({ allowed: [companies.id] }),
    });
    system(people, 'job_title', 'Job title', 'text');
    system(people, 'phone_numbers', 'Phone numbers', 'phone-number', { is_multiselect: true });
    system(people, 'primary_location', 'Primary location', 'location');
    system(companies, 'domains', 'Domains', 'domain', { is_unique: true, is_multiselect: true });
    system(companies, 'name', 'Name', 'text');
    system(companies, 'description', 'Description', 'text');
    system(companies, 'team', 'Team', 'record-reference', {
      is_multiselect: true,
      config: this.config({ allowed: [people.id] }),
    });
    system(companies, 'categories', 'Categories', 'select', { is_multiselect: true });
    system(companies, 'primary_location', 'Primary location', 'location');
  }

  // ---- lookups ------------------------------------------------------------------------------------------------

  private now(): string {
    return attioTimestamp(this.clock.now());
  }

  private findObject(slugOrId: string): ObjectDef | undefined {
    return this.objects.get(slugOrId) ?? [...this.objects.values()].find((o) => o.api_slug === slugOrId);
  }

  private object(slugOrId: string): ObjectDef {
    const object = this.findObject(slugOrId);
    if (!object) throw notFound(`Object with slug/ID "${slugOrId}" not found.`);
    return object;
  }

  private findList(slugOrId: string): ListDef | undefined {
    return this.lists.get(slugOrId) ?? [...this.lists.values()].find((l) => l.api_slug === slugOrId);
  }

  private list(slugOrId: string): ListDef {
    const list = this.findList(slugOrId);
    if (!list) throw notFound(`List with slug/ID "${slugOrId}" not found.`);
    return list;
  }

  private parent(target: Target, identifier: string): { id: string; kind: Target } {
    return target === 'objects'
      ? { id: this.object(identifier).id, kind: target }
      : { id: this.list(identifier).id, kind: target };
  }

  private attributesOf(parentId: string, includeArchived = true): AttributeDef[] {
    return [...this.attributes.values()].filter((a) => a.parentId === parentId && (includeArchived || !a.is_archived));
  }

  private findAttribute(parentId: string, slugOrId: string, includeArchived = false): AttributeDef | undefined {
    return this.attributesOf(parentId, includeArchived).find((a) => a.id === slugOrId || a.api_slug === slugOrId);
  }

  private attribute(target: Target, identifier: string, slugOrId: string): AttributeDef {
    const attribute = this.findAttribute(this.parent(target, identifier).id, slugOrId, true);
    if (!attribute) throw notFound(`Attribute with slug/ID "${slugOrId}" not found.`);
    return attribute;
  }

  private objectSlug = (objectId: string) => this.objects.get(objectId)?.api_slug ?? objectId;

  private serializeContext(): SerializeContext {
    return {
      workspaceId: this.info.id,
      workspaceSlug: this.info.slug,
      attribute: (id) => this.attributes.get(id),
      objectSlug: this.objectSlug,
      listSlug: (id) => this.lists.get(id)?.api_slug ?? id,
    };
  }

  private valueContext(): ValueContext {
    return {
      objectId: (slugOrId) => this.findObject(slugOrId)?.id,
      objectSlug: this.objectSlug,
      recordExists: (objectId, recordId) => this.records.get(recordId)?.objectId === objectId,
      findRecordsBy: (objectId, attributeKey, raw) => {
        const attribute = this.findAttribute(objectId, attributeKey);
        if (!attribute) return undefined;
        const key = valueKey(attribute, coerceValue(attribute, raw, this.valueContext()));
        return [...this.records.values()]
          .filter(
            (r) =>
              r.objectId === objectId &&
              (r.values.get(attribute.id) ?? []).some((v) => valueKey(attribute, v.fields) === key),
          )
          .map((r) => r.id);
      },
      memberIdByEmail: (email) => (email.toLowerCase() === this.memberEmail ? this.info.memberId : undefined),
      memberExists: (memberId) => memberId === this.info.memberId,
    };
  }

  // ---- construction helpers -------------------------------------------------------------------------------------

  private config(
    options: { allowed?: string[]; currency?: { default_currency_code: string; display_type: string } } = {},
  ) {
    return {
      currency: options.currency ?? { default_currency_code: null, display_type: null },
      record_reference: { allowed_object_ids: options.allowed ?? null },
    };
  }

  private addObject(api_slug: string, singular_noun: string, plural_noun: string, standard = false): ObjectDef {
    const object: ObjectDef = {
      id: randomUUID(),
      api_slug,
      singular_noun,
      plural_noun,
      created_at: this.now(),
      standard,
    };
    this.objects.set(object.id, object);
    // Every object has these system attributes; their values are set by Attio (record responses list them).
    this.addAttribute(object.id, 'objects', {
      api_slug: 'record_id',
      title: 'Record ID',
      type: 'text',
      is_system_attribute: true,
      is_writable: false,
      computed: 'record_id',
    });
    this.addAttribute(object.id, 'objects', {
      api_slug: 'created_at',
      title: 'Created at',
      type: 'timestamp',
      is_system_attribute: true,
      is_writable: false,
      computed: 'created_at',
    });
    this.addAttribute(object.id, 'objects', {
      api_slug: 'created_by',
      title: 'Created by',
      type: 'actor-reference',
      is_system_attribute: true,
      is_writable: false,
      computed: 'created_by',
    });
    return object;
  }

  private addAttribute(
    parentId: string,
    parentKind: Target,
    spec: Pick<AttributeDef, 'api_slug' | 'title' | 'type'> & Partial<AttributeDef>,
  ): AttributeDef {
    const attribute: AttributeDef = {
      id: randomUUID(),
      parentId,
      parentKind,
      description: null,
      is_system_attribute: false,
      is_writable: true,
      is_required: false,
      is_unique: false,
      is_multiselect: false,
      is_archived: false,
      created_at: this.now(),
      config: this.config(),
      options: [],
      statuses: [],
      ...spec,
    };
    this.attributes.set(attribute.id, attribute);
    return attribute;
  }

  // ---- objects --------------------------------------------------------------------------------------------------

  listObjects() {
    return { data: [...this.objects.values()].map((o) => objectJson(o, this.info.id)) };
  }

  getObject(slugOrId: string) {
    return { data: objectJson(this.object(slugOrId), this.info.id) };
  }

  /** SPEC POST /v2/objects: 409 slug_conflict "Please ensure your api_slug and names are unique." */
  createObject(body: unknown) {
    const { data } = parseBody(CreateObjectBody, body);
    this.assertSlug(data.api_slug, ['data', 'api_slug']);
    const clash = [...this.objects.values()].find(
      (o) =>
        o.api_slug === data.api_slug ||
        o.singular_noun.toLowerCase() === data.singular_noun.toLowerCase() ||
        o.plural_noun.toLowerCase() === data.plural_noun.toLowerCase(),
    );
    if (clash) throw slugConflict('Failed to create object. Please ensure your api_slug and names are unique.');
    return { data: objectJson(this.addObject(data.api_slug, data.singular_noun, data.plural_noun), this.info.id) };
  }

  patchObject(slugOrId: string, body: unknown) {
    const object = this.object(slugOrId);
    const { data } = parseBody(PatchObjectBody, body);
    if (Object.keys(data).length === 0) {
      throw badRequest(
        'validation_type',
        'You passed an empty payload. Please ensure you are updating at least one property in your request.',
      );
    }
    if (data.api_slug !== undefined) {
      this.assertSlug(data.api_slug, ['data', 'api_slug']);
      if ([...this.objects.values()].some((o) => o !== object && o.api_slug === data.api_slug)) {
        throw slugConflict('Failed to update object. Please ensure api_slug is unique.');
      }
    }
    Object.assign(object, data);
    return { data: objectJson(object, this.info.id) };
  }

  /** GUESS: slugs must be usable in URLs; Attio's own examples use snake_case and kebab-case. */
  private assertSlug(slug: string, path: string[]) {
    if (!/^[a-z0-9][a-z0-9_-]*$/i.test(slug)) {
      throw badRequest('validation_type', 'Body payload validation error.', [
        { code: 'invalid_string', path, message: 'A slug may contain only letters, digits, "_" and "-"' },
      ]);
    }
  }

  // ---- attributes -----------------------------------------------------------------------------------------------

  listAttributes(
    target: Target,
    identifier: string,
    query: { limit?: number; offset?: number; showArchived?: boolean },
  ) {
    const { id } = this.parent(target, identifier);
    const all = this.attributesOf(id, query.showArchived ?? false);
    const offset = query.offset ?? 0;
    const page = query.limit === undefined ? all.slice(offset) : all.slice(offset, offset + query.limit);
    return { data: page.map((a) => attributeJson(a, this.info.id)) };
  }

  getAttribute(target: Target, identifier: string, slugOrId: string) {
    return { data: attributeJson(this.attribute(target, identifier, slugOrId), this.info.id) };
  }

  createAttribute(target: Target, identifier: string, body: unknown) {
    const parent = this.parent(target, identifier);
    const { data } = parseBody(CreateAttributeBody, body);
    this.assertSlug(data.api_slug, ['data', 'api_slug']);
    // SPEC create-attribute `type`: "Attributes of type "status" are not supported on objects."
    if (data.type === 'status' && target === 'objects') {
      throw badRequest('validation_type', 'Attributes of type "status" are not supported on objects.');
    }
    // FACTS §4: statuses are single-select; select attributes cannot be unique.
    if (data.type === 'status' && data.is_multiselect) {
      throw badRequest('validation_type', 'Status attributes cannot be multiselect.');
    }
    if ((data.type === 'select' || data.type === 'status') && data.is_unique) {
      throw badRequest('validation_type', `Attributes of type "${data.type}" cannot be unique.`);
    }
    if (data.default_value !== undefined && data.default_value !== null) {
      throw badRequest(
        'validation_type',
        'The Attio stand-in does not model default values; pass default_value: null.',
      );
    }
    if (data.type === 'currency' && !data.config.currency) {
      throw badRequest('validation_type', 'Body payload validation error.', [
        {
          code: 'invalid_type',
          path: ['data', 'config', 'currency'],
          message: 'Required',
          expected: 'object',
          received: 'undefined',
        },
      ]);
    }
    let allowed: string[] | undefined;
    if (data.config.record_reference) {
      if (data.type !== 'record-reference') {
        throw badRequest('validation_type', 'config.record_reference is only valid for record-reference attributes.');
      }
      allowed = data.config.record_reference.allowed_objects.map((slug) => {
        const object = this.findObject(slug);
        if (!object) throw badRequest('validation_type', `Could not find an object with slug "${slug}".`);
        return object.id;
      });
    }
    // FACTS §5: the slug conflicts even with an archived attribute (unverified either way; a 409 covers both).
    if (this.attributesOf(parent.id).some((a) => a.api_slug === data.api_slug)) {
      const on = target === 'objects' ? 'object' : 'list';
      throw slugConflict(
        `An attribute with the same API slug already exists on this ${on}. Please choose a different API slug.`,
      );
    }
    const attribute = this.addAttribute(parent.id, target, {
      api_slug: data.api_slug,
      title: data.title,
      description: data.description,
      type: data.type,
      is_required: data.is_required,
      is_unique: data.is_unique,
      is_multiselect: data.is_multiselect,
      config: this.config({
        ...(allowed ? { allowed } : {}),
        ...(data.config.currency ? { currency: data.config.currency } : {}),
      }),
    });
    return { data: attributeJson(attribute, this.info.id) };
  }

  patchAttribute(target: Target, identifier: string, slugOrId: string, body: unknown) {
    const attribute = this.attribute(target, identifier, slugOrId);
    const { data } = parseBody(PatchAttributeBody, body);
    if (attribute.is_system_attribute)
      throw badRequest('system_edit_unauthorized', 'Cannot update a System attribute.');
    if (data.api_slug !== undefined && data.api_slug !== attribute.api_slug) {
      this.assertSlug(data.api_slug, ['data', 'api_slug']);
      if (this.attributesOf(attribute.parentId).some((a) => a.api_slug === data.api_slug)) {
        throw slugConflict('An attribute with the same API slug already exists. Please choose a different API slug.');
      }
      attribute.api_slug = data.api_slug;
    }
    if (data.is_unique && (attribute.type === 'select' || attribute.type === 'status')) {
      throw badRequest('validation_type', `Attributes of type "${attribute.type}" cannot be unique.`);
    }
    if (data.default_value !== undefined && data.default_value !== null) {
      throw badRequest(
        'validation_type',
        'The Attio stand-in does not model default values; pass default_value: null.',
      );
    }
    // SPEC: uniqueness and required-ness apply to new data only; existing values are left as they are.
    for (const key of ['title', 'description', 'is_required', 'is_unique', 'is_archived'] as const) {
      if (data[key] !== undefined) (attribute as unknown as Record<string, unknown>)[key] = data[key];
    }
    return { data: attributeJson(attribute, this.info.id) };
  }

  // ---- select options and statuses -----------------------------------------------------------------------------

  private choiceAttribute(target: Target, identifier: string, slugOrId: string, kind: 'select' | 'status') {
    const attribute = this.attribute(target, identifier, slugOrId);
    if (attribute.type !== kind) throw badRequest('validation_type', `This attribute is not a ${kind} attribute.`);
    return attribute;
  }

  listOptions(target: Target, identifier: string, attributeKey: string, showArchived = false) {
    const attribute = this.choiceAttribute(target, identifier, attributeKey, 'select');
    const options = attribute.options.filter((o) => showArchived || !o.is_archived);
    return { data: options.map((o) => optionJson(attribute, o, this.info.id)) };
  }

  createOption(target: Target, identifier: string, attributeKey: string, body: unknown) {
    const attribute = this.choiceAttribute(target, identifier, attributeKey, 'select');
    const { data } = parseBody(CreateOptionBody, body);
    // SPEC 409: "There is already another select option with the title …" (archived options included: GUESS).
    if (attribute.options.some((o) => o.title === data.title)) {
      throw slugConflict(`There is already another select option with the title "${data.title}".`);
    }
    const option: SelectOption = { id: randomUUID(), title: data.title, is_archived: false };
    attribute.options.push(option);
    return { data: optionJson(attribute, option, this.info.id) };
  }

  patchOption(target: Target, identifier: string, attributeKey: string, optionKey: string, body: unknown) {
    const attribute = this.choiceAttribute(target, identifier, attributeKey, 'select');
    const { data } = parseBody(PatchOptionBody, body);
    const option = attribute.options.find((o) => o.id === optionKey || o.title === optionKey);
    if (!option)
      throw badRequest('value_not_found', `Cannot find select attribute with select option title "${optionKey}".`);
    if (data.title !== undefined && attribute.options.some((o) => o !== option && o.title === data.title)) {
      throw slugConflict(`There is already another select option with the title "${data.title}".`);
    }
    if (data.title !== undefined) option.title = data.title;
    if (data.is_archived !== undefined) option.is_archived = data.is_archived;
    return { data: optionJson(attribute, option, this.info.id) };
  }

  listStatuses(target: Target, identifier: string, attributeKey: string, showArchived = false) {
    const attribute = this.choiceAttribute(target, identifier, attributeKey, 'status');
    const statuses = attribute.statuses.filter((s) => showArchived || !s.is_archived);
    return { data: statuses.map((s) => statusJson(attribute, s, this.info.id)) };
  }

  createStatus(target: Target, identifier: string, attributeKey: string, body: unknown) {
    const attribute = this.choiceAttribute(target, identifier, attributeKey, 'status');
    const { data } = parseBody(CreateStatusBody, body);
    if (attribute.statuses.some((s) => s.title === data.title)) {
      throw slugConflict(`There is already another status with the title "${data.title}".`);
    }
    const status: StatusDef = {
      id: randomUUID(),
      title: data.title,
      is_archived: false,
      celebration_enabled: data.celebration_enabled ?? false,
      target_time_in_status: data.target_time_in_status ?? null,
    };
    attribute.statuses.push(status);
    return { data: statusJson(attribute, status, this.info.id) };
  }

  patchStatus(target: Target, identifier: string, attributeKey: string, statusKey: string, body: unknown) {
    const attribute = this.choiceAttribute(target, identifier, attributeKey, 'status');
    const { data } = parseBody(PatchStatusBody, body);
    const status = attribute.statuses.find((s) => s.id === statusKey || s.title === statusKey);
    if (!status)
      throw badRequest('value_not_found', `Cannot find status attribute with status option title "${statusKey}".`);
    if (data.title !== undefined && attribute.statuses.some((s) => s !== status && s.title === data.title)) {
      throw slugConflict(`There is already another status with the title "${data.title}".`);
    }
    if (data.title !== undefined) status.title = data.title;
    if (data.celebration_enabled !== undefined) status.celebration_enabled = data.celebration_enabled;
    if (data.target_time_in_status !== undefined) status.target_time_in_status = data.target_time_in_status;
    if (data.is_archived !== undefined) status.is_archived = data.is_archived;
    return { data: statusJson(attribute, status, this.info.id) };
  }

  // ---- lists ----------------------------------------------------------------------------------------------------

  private listBody(list: ListDef) {
    return listJson(list, this.info.id, this.objectSlug(list.parentObjectId));
  }

  listLists() {
    return { data: [...this.lists.values()].map((l) => this.listBody(l)) };
  }

  getList(slugOrId: string) {
    return { data: this.listBody(this.list(slugOrId)) };
  }

  createList(body: unknown, actor: Actor) {
    const { data } = parseBody(CreateListBody, body);
    this.assertSlug(data.api_slug, ['data', 'api_slug']);
    if ([...this.lists.values()].some((l) => l.api_slug === data.api_slug)) {
      throw slugConflict(`A list with api_slug "${data.api_slug}" already exists.`);
    }
    const parent = this.findObject(data.parent_object);
    if (!parent) throw notFound(`Parent object with slug/ID "${data.parent_object}" not found.`);
    this.assertMembers(data.workspace_member_access);
    // SPEC POST /v2/lists: a new list needs full workspace access or a member with full access (GUESS: the code).
    if (
      data.workspace_access !== 'full-access' &&
      !data.workspace_member_access.some((m) => m.level === 'full-access')
    ) {
      throw badRequest(
        'validation_type',
        'New lists must have workspace_access "full-access" or at least one workspace member with "full-access".',
      );
    }
    const list: ListDef = {
      id: randomUUID(),
      api_slug: data.api_slug,
      name: data.name,
      parentObjectId: parent.id,
      workspace_access: data.workspace_access,
      workspace_member_access: data.workspace_member_access,
      created_by_actor: actor,
      created_at: this.now(),
    };
    this.lists.set(list.id, list);
    return { data: this.listBody(list) };
  }

  patchList(slugOrId: string, body: unknown) {
    const list = this.list(slugOrId);
    const { data } = parseBody(PatchListBody, body);
    if (data.workspace_member_access) this.assertMembers(data.workspace_member_access);
    if (data.api_slug !== undefined && data.api_slug !== list.api_slug) {
      this.assertSlug(data.api_slug, ['data', 'api_slug']);
      if ([...this.lists.values()].some((l) => l.api_slug === data.api_slug)) {
        throw slugConflict(`A list with api_slug "${data.api_slug}" already exists.`);
      }
    }
    Object.assign(list, data);
    return { data: this.listBody(list) };
  }

  private assertMembers(access: { workspace_member_id: string }[]) {
    for (const member of access) {
      if (member.workspace_member_id !== this.info.memberId) {
        throw badRequest('value_not_found', `Workspace member with ID "${member.workspace_member_id}" not found.`);
      }
    }
  }

  // ---- values ---------------------------------------------------------------------------------------------------

  /**
   * Validates a write of `input` onto `current` and returns the resulting values, changing nothing: every value is
   * checked before any is stored, so a rejected write leaves the row as it was.
   */
  private prepareWrite(
    attributes: AttributeDef[],
    current: Map<string, StoredValue[]> | undefined,
    input: Record<string, unknown>,
    options: WriteOptions,
  ): Map<string, StoredValue[]> {
    const next = new Map(current ?? []);
    const ctx = this.valueContext();
    const live = attributes.filter((a) => !a.is_archived);
    for (const [key, raw] of Object.entries(input)) {
      const attribute = live.find((a) => a.id === key || a.api_slug === key);
      if (!attribute) throw badRequest('value_not_found', `Cannot find attribute with slug/ID "${key}".`);
      if (!attribute.is_writable) {
        // GUESS: the code for writing a read-only system attribute (created_at, record_id) is not documented.
        throw badRequest('validation_type', `Attribute with slug "${attribute.api_slug}" is read-only.`);
      }
      // SPEC `values`: "a single value (for single-select attributes), or an array of values".
      if (!Array.isArray(raw) && attribute.is_multiselect) {
        throw badRequest(
          'validation_type',
          `Attribute with slug "${attribute.api_slug}" is multiselect: pass its values as an array.`,
        );
      }
      const inputs = Array.isArray(raw) ? raw : [raw];
      if (!attribute.is_multiselect && inputs.length > 1) {
        // GUESS: the code for several values on a single-select attribute.
        throw badRequest(
          'validation_type',
          `Attribute with slug "${attribute.api_slug}" is not multiselect and takes at most one value.`,
        );
      }
      const existing = next.get(attribute.id) ?? [];
      const written: StoredValue[] = [];
      const seen = new Set<string>();
      for (const item of inputs) {
        const fields = coerceValue(attribute, item, ctx);
        const keyOf = valueKey(attribute, fields);
        if (seen.has(keyOf)) continue;
        seen.add(keyOf);
        const kept = existing.find((v) => valueKey(attribute, v.fields) === keyOf && sameFields(v.fields, fields));
        written.push(kept ?? { fields, active_from: this.now(), created_by_actor: options.actor });
      }
      const append =
        attribute.is_multiselect && (options.mode === 'append' || options.appendAttributeId === attribute.id);
      next.set(attribute.id, append ? [...written.filter((v) => !existing.includes(v)), ...existing] : written);
    }
    for (const attribute of live) {
      const values = next.get(attribute.id) ?? [];
      if (attribute.is_unique) this.assertUnique(attribute, values, current?.get(attribute.id) ?? [], options);
      const touched =
        options.mode === 'create' || Object.keys(input).some((k) => k === attribute.id || k === attribute.api_slug);
      if (attribute.is_required && !attribute.computed && touched && values.length === 0) {
        // SPEC record PUT/PATCH 400 missing_value: "Required value for attribute with ID "…" was not provided."
        throw badRequest('missing_value', `Required value for attribute with ID "${attribute.id}" was not provided.`);
      }
    }
    return next;
  }

  /** FACTS §1 (3P effect-attio): a write that collides with another row's unique value is 400 uniqueness_conflict. */
  private assertUnique(attribute: AttributeDef, values: StoredValue[], before: StoredValue[], options: WriteOptions) {
    const fresh = values.filter((v) => !before.includes(v)).map((v) => valueKey(attribute, v.fields));
    if (fresh.length === 0) return;
    for (const peer of options.peers) {
      if (peer.id === options.selfId) continue;
      const held = (peer.values.get(attribute.id) ?? []).map((v) => valueKey(attribute, v.fields));
      const clash = fresh.find((key) => held.includes(key));
      if (clash !== undefined) {
        throw badRequest(
          'uniqueness_conflict',
          `The value for the unique attribute "${attribute.api_slug}" is already used by another record or entry.`,
        );
      }
    }
  }

  // ---- records --------------------------------------------------------------------------------------------------

  private recordsOf(objectId: string): RecordRow[] {
    return [...this.records.values()].filter((r) => r.objectId === objectId);
  }

  private recordBody(record: RecordRow) {
    return recordJson(record, this.attributesOf(record.objectId), this.serializeContext());
  }

  private newRecord(object: ObjectDef, values: Map<string, StoredValue[]>, actor: Actor): RecordRow {
    const record: RecordRow = {
      id: randomUUID(),
      objectId: object.id,
      created_at: this.now(),
      created_by_actor: actor,
      values,
    };
    for (const attribute of this.attributesOf(object.id)) {
      const envelope = { active_from: record.created_at, created_by_actor: actor };
      if (attribute.computed === 'record_id') values.set(attribute.id, [{ ...envelope, fields: { value: record.id } }]);
      if (attribute.computed === 'created_at')
        values.set(attribute.id, [{ ...envelope, fields: { value: record.created_at } }]);
      if (attribute.computed === 'created_by') {
        values.set(attribute.id, [
          { ...envelope, fields: { referenced_actor_type: actor.type, referenced_actor_id: actor.id } },
        ]);
      }
    }
    this.records.set(record.id, record);
    return record;
  }

  private recordIn(object: ObjectDef, recordId: string): RecordRow {
    const record = this.records.get(recordId);
    if (!record || record.objectId !== object.id) throw notFound(`Record with ID "${recordId}" not found.`);
    return record;
  }

  queryRecords(objectKey: string, body: unknown) {
    const object = this.object(objectKey);
    const query = parseBody(QueryBody, body ?? {});
    const resolve = (key: string) => this.findAttribute(object.id, key);
    const rows = this.runQuery(this.recordsOf(object.id), query, resolve);
    return { data: rows.map((r) => this.recordBody(r)) };
  }

  private runQuery<T extends { values: Values }>(
    rows: T[],
    query: {
      filter?: unknown;
      sorts?: { direction: 'asc' | 'desc'; attribute?: string; field?: string; path?: unknown }[];
      limit?: number;
      offset?: number;
    },
    resolve: (key: string) => AttributeDef | undefined,
  ): T[] {
    const predicate = compileFilter(query.filter, resolve);
    const comparator = compileSorts(query.sorts, resolve);
    const matched = rows.filter((r) => predicate(r.values));
    if (comparator) matched.sort((a, b) => comparator(a.values, b.values));
    const offset = query.offset ?? 0;
    return matched.slice(offset, offset + (query.limit ?? DEFAULT_QUERY_LIMIT));
  }

  createRecord(objectKey: string, body: unknown, actor: Actor) {
    const object = this.object(objectKey);
    const { data } = parseBody(RecordWriteBody, body);
    const values = this.prepareWrite(this.attributesOf(object.id), undefined, data.values, {
      mode: 'create',
      actor,
      peers: this.recordsOf(object.id),
    });
    return { data: this.recordBody(this.newRecord(object, values, actor)) };
  }

  /**
   * SPEC PUT /v2/objects/{object}/records: update the record with the same value for the (unique) matching attribute,
   * or create one. A multiselect matching attribute keeps its values and gains the new ones; other multiselect
   * attributes become exactly what was sent.
   */
  assertRecord(objectKey: string, matchingAttribute: string | undefined, body: unknown, actor: Actor) {
    const object = this.object(objectKey);
    if (!matchingAttribute) {
      throw badRequest('validation_type', 'Query parameter validation error.', [
        {
          code: 'invalid_type',
          path: ['matching_attribute'],
          message: 'Required',
          expected: 'string',
          received: 'undefined',
        },
      ]);
    }
    const { data } = parseBody(RecordWriteBody, body);
    const matching = this.findAttribute(object.id, matchingAttribute);
    if (!matching) {
      throw badRequest(
        'value_not_found',
        `No attribute was found for matching_attribute slug/ID "${matchingAttribute}".`,
      );
    }
    if (!matching.is_unique) {
      // SPEC: "The attribute must be unique." GUESS: answered like an unknown matching attribute.
      throw badRequest(
        'value_not_found',
        `The matching_attribute "${matching.api_slug}" is not a unique attribute; only unique attributes can be matched on.`,
      );
    }
    const supplied = Object.entries(data.values).find(([key]) => key === matching.id || key === matching.api_slug)?.[1];
    const suppliedList = supplied === undefined ? [] : Array.isArray(supplied) ? supplied : [supplied];
    if (suppliedList.length === 0) {
      // GUESS: the code when the body has no value for the matching attribute.
      throw badRequest('missing_value', `No value was provided for the matching attribute "${matching.api_slug}".`);
    }
    const ctx = this.valueContext();
    const keys = suppliedList.map((raw) => valueKey(matching, coerceValue(matching, raw, ctx)));
    const matches = this.recordsOf(object.id).filter((r) =>
      (r.values.get(matching.id) ?? []).some((v) => keys.includes(valueKey(matching, v.fields))),
    );
    if (matches.length > 1) {
      // ASSUMPTION (FACTS §1): records answer several matches as the entry assert does.
      throw badRequest(
        'multiple_match_results',
        `Multiple records were found for matching_attribute "${matching.api_slug}". Please remove duplicates or use the update or create record endpoints instead.`,
      );
    }
    const existing = matches[0];
    const attributes = this.attributesOf(object.id);
    if (!existing) {
      const values = this.prepareWrite(attributes, undefined, data.values, {
        mode: 'create',
        actor,
        peers: this.recordsOf(object.id),
      });
      return { data: this.recordBody(this.newRecord(object, values, actor)) };
    }
    existing.values = this.prepareWrite(attributes, existing.values, data.values, {
      mode: 'overwrite',
      appendAttributeId: matching.id,
      actor,
      peers: this.recordsOf(object.id),
      selfId: existing.id,
    });
    return { data: this.recordBody(existing) };
  }

  getRecord(objectKey: string, recordId: string) {
    return { data: this.recordBody(this.recordIn(this.object(objectKey), recordId)) };
  }

  /** SPEC: PATCH prepends multiselect values; PUT makes them exactly what was sent. */
  updateRecord(objectKey: string, recordId: string, body: unknown, mode: 'append' | 'overwrite', actor: Actor) {
    const object = this.object(objectKey);
    const record = this.recordIn(object, recordId);
    const { data } = parseBody(RecordWriteBody, body);
    record.values = this.prepareWrite(this.attributesOf(object.id), record.values, data.values, {
      mode,
      actor,
      peers: this.recordsOf(object.id),
      selfId: record.id,
    });
    return { data: this.recordBody(record) };
  }

  /** Deleting a record removes its list entries too (GUESS: Attio's docs do not say; an entry cannot outlive its parent). */
  deleteRecord(objectKey: string, recordId: string) {
    const record = this.recordIn(this.object(objectKey), recordId);
    this.records.delete(record.id);
    for (const entry of [...this.entries.values()])
      if (entry.parent_record_id === record.id) this.entries.delete(entry.id);
    // GUESS, as for entries: a note cannot outlive the record it is on.
    for (const note of [...this.notes.values()]) if (note.parentRecordId === record.id) this.notes.delete(note.id);
    return {};
  }

  recordEntries(objectKey: string, recordId: string, query: { limit?: number; offset?: number }) {
    const record = this.recordIn(this.object(objectKey), recordId);
    const limit = query.limit ?? RECORD_ENTRIES_LIMIT.default;
    if (limit > RECORD_ENTRIES_LIMIT.max) {
      throw badRequest('validation_type', `limit must be at most ${RECORD_ENTRIES_LIMIT.max}.`);
    }
    const offset = query.offset ?? 0;
    const memberships = [...this.entries.values()]
      .filter((e) => e.parent_record_id === record.id)
      .slice(offset, offset + limit)
      .map((e) => ({
        list_id: e.listId,
        list_api_slug: this.lists.get(e.listId)?.api_slug ?? e.listId,
        entry_id: e.id,
        created_at: e.created_at,
      }));
    return { data: memberships };
  }

  // ---- list entries ---------------------------------------------------------------------------------------------

  private entriesOf(listId: string): EntryRow[] {
    return [...this.entries.values()].filter((e) => e.listId === listId);
  }

  private entryBody(entry: EntryRow) {
    return entryJson(entry, this.attributesOf(entry.listId), this.serializeContext());
  }

  private entryIn(list: ListDef, entryId: string): EntryRow {
    const entry = this.entries.get(entryId);
    if (!entry || entry.listId !== list.id) throw notFound(`Entry with ID "${entryId}" not found.`);
    return entry;
  }

  /** The parent a new entry names must be a record of the list's parent object. */
  private parentFor(list: ListDef, parentObject: string, parentRecordId: string): ObjectDef {
    const object = this.findObject(parentObject);
    if (!object) throw badRequest('value_not_found', `Object with slug/ID "${parentObject}" not found.`);
    if (object.id !== list.parentObjectId) {
      // GUESS: the code when the parent object is not the list's.
      throw badRequest(
        'validation_type',
        `List "${list.api_slug}" holds ${this.objectSlug(list.parentObjectId)} records, not ${object.api_slug}.`,
      );
    }
    if (this.records.get(parentRecordId)?.objectId !== object.id) {
      throw badRequest('value_not_found', `Parent record with slug/ID "${parentRecordId}" not found.`);
    }
    return object;
  }

  private newEntry(
    list: ListDef,
    parent: ObjectDef,
    parentRecordId: string,
    values: Map<string, StoredValue[]>,
    actor: Actor,
  ) {
    const entry: EntryRow = {
      id: randomUUID(),
      listId: list.id,
      parent_record_id: parentRecordId,
      parentObjectId: parent.id,
      created_at: this.now(),
      created_by_actor: actor,
      values,
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  queryEntries(listKey: string, body: unknown) {
    const list = this.list(listKey);
    const query = parseBody(QueryBody, body ?? {});
    const rows = this.runQuery(this.entriesOf(list.id), query, (key) => this.findAttribute(list.id, key));
    return { data: rows.map((e) => this.entryBody(e)) };
  }

  /** SPEC POST /v2/lists/{list}/entries: "Multiple list entries are allowed for the same parent record". */
  createEntry(listKey: string, body: unknown, actor: Actor) {
    const list = this.list(listKey);
    const { data } = parseBody(EntryCreateBody, body);
    const parent = this.parentFor(list, data.parent_object, data.parent_record_id);
    const values = this.prepareWrite(this.attributesOf(list.id), undefined, data.entry_values, {
      mode: 'create',
      actor,
      peers: this.entriesOf(list.id),
    });
    return { data: this.entryBody(this.newEntry(list, parent, data.parent_record_id, values, actor)) };
  }

  /**
   * SPEC PUT /v2/lists/{list}/entries: update the one entry of the parent record, create one if there is none, 400
   * `multiple_match_results` if there are several. Multiselect values become exactly what was sent.
   */
  assertEntry(listKey: string, body: unknown, actor: Actor) {
    const list = this.list(listKey);
    const { data } = parseBody(EntryCreateBody, body);
    const parent = this.parentFor(list, data.parent_object, data.parent_record_id);
    const matches = this.entriesOf(list.id).filter((e) => e.parent_record_id === data.parent_record_id);
    if (matches.length > 1) {
      throw badRequest(
        'multiple_match_results',
        'Multiple entries were founds for the given parent record. Please remove duplicates or use the update or create entry endpoints instead.',
      );
    }
    const attributes = this.attributesOf(list.id);
    const existing = matches[0];
    if (!existing) {
      const values = this.prepareWrite(attributes, undefined, data.entry_values, {
        mode: 'create',
        actor,
        peers: this.entriesOf(list.id),
      });
      return { data: this.entryBody(this.newEntry(list, parent, data.parent_record_id, values, actor)) };
    }
    existing.values = this.prepareWrite(attributes, existing.values, data.entry_values, {
      mode: 'overwrite',
      actor,
      peers: this.entriesOf(list.id),
      selfId: existing.id,
    });
    return { data: this.entryBody(existing) };
  }

  getEntry(listKey: string, entryId: string) {
    return { data: this.entryBody(this.entryIn(this.list(listKey), entryId)) };
  }

  /** SPEC: PATCH prepends multiselect values, PUT overwrites them; the parent cannot change (400 immutable_value). */
  updateEntry(listKey: string, entryId: string, body: unknown, mode: 'append' | 'overwrite', actor: Actor) {
    const list = this.list(listKey);
    const entry = this.entryIn(list, entryId);
    const data = (body as { data?: Record<string, unknown> } | undefined)?.data;
    if (data && ('parent_record_id' in data || 'parent_object' in data)) {
      throw badRequest('immutable_value', 'The parent record for a list entry cannot be updated once created.');
    }
    const parsed = parseBody(EntryUpdateBody, body);
    entry.values = this.prepareWrite(this.attributesOf(list.id), entry.values, parsed.data.entry_values, {
      mode,
      actor,
      peers: this.entriesOf(list.id),
      selfId: entry.id,
    });
    return { data: this.entryBody(entry) };
  }

  deleteEntry(listKey: string, entryId: string) {
    const entry = this.entryIn(this.list(listKey), entryId);
    this.entries.delete(entry.id);
    return {};
  }

  // ---- self -----------------------------------------------------------------------------------------------------

  /** SPEC GET /v2/self (token introspection). */
  self(token: string, issuedAtSeconds: number) {
    return {
      active: true,
      scope: [
        'record_permission:read-write',
        'object_configuration:read-write',
        'list_entry:read-write',
        'list_configuration:read-write',
        'user_management:read',
        'webhook:read-write',
      ].join(' '),
      client_id: tokenActorId(`client:${token}`),
      token_type: 'Bearer',
      exp: null,
      iat: issuedAtSeconds,
      sub: tokenActorId(token),
      aud: tokenActorId(`client:${token}`),
      iss: 'attio.com',
      authorized_by_workspace_member_id: this.info.memberId,
      workspace_id: this.info.id,
      workspace_name: this.info.name,
      workspace_slug: this.info.slug,
      workspace_logo_url: null,
    };
  }

  // ---- notes (SPEC /v2/notes: create, list, get, delete; no update) ------------------------------------------------

  private noteBody(note: NoteRow) {
    return noteJson(note, this.info.id, this.objectSlug(note.parentObjectId));
  }

  private note(noteId: string): NoteRow {
    const note = this.notes.get(noteId);
    if (!note) throw notFound(`Note with ID "${noteId}" not found.`);
    return note;
  }

  createNote(body: unknown, actor: Actor) {
    const { data } = parseBody(CreateNoteBody, body);
    const object = this.object(data.parent_object);
    this.recordIn(object, data.parent_record_id);
    // GUESS: the stand-in has no meetings, so any meeting id is one that does not exist (SPEC: "must exist").
    if (data.meeting_id) throw notFound(`Meeting with ID "${data.meeting_id}" not found.`);
    const note = newNote({
      parentObjectId: object.id,
      parentRecordId: data.parent_record_id,
      title: data.title,
      format: data.format,
      content: data.content,
      createdAt: data.created_at ?? this.now(),
      createdBy: actor,
    });
    this.notes.set(note.id, note);
    return { data: this.noteBody(note) };
  }

  /** Newest first (GUESS: the order Attio's UI shows them; SPEC does not say). */
  listNotes(query: { limit?: number; offset?: number; parentObject?: string; parentRecordId?: string }) {
    const objectId = query.parentObject === undefined ? undefined : this.object(query.parentObject).id;
    const limit = Math.min(query.limit ?? NOTES_LIMIT.default, NOTES_LIMIT.max);
    const offset = query.offset ?? 0;
    const notes = [...this.notes.values()]
      .filter(
        (n) =>
          (objectId === undefined || n.parentObjectId === objectId) &&
          (query.parentRecordId === undefined || n.parentRecordId === query.parentRecordId),
      )
      .reverse()
      .slice(offset, offset + limit);
    return { data: notes.map((n) => this.noteBody(n)) };
  }

  getNote(noteId: string) {
    return { data: this.noteBody(this.note(noteId)) };
  }

  deleteNote(noteId: string) {
    this.notes.delete(this.note(noteId).id);
    return {};
  }

  /** The notes on a record, oldest first, for assertions. */
  plainNotes(parentRecordId: string) {
    return [...this.notes.values()]
      .filter((n) => n.parentRecordId === parentRecordId)
      .map((n) => ({
        noteId: n.id,
        title: n.title,
        markdown: n.contentMarkdown,
        plaintext: n.contentPlaintext,
        createdAt: n.createdAt,
      }));
  }

  // ---- inspection (in-process and /__control/state) -------------------------------------------------------------

  plainRecords(objectKey: string): PlainRecord[] {
    const object = this.object(objectKey);
    const attributes = this.attributesOf(object.id);
    return this.recordsOf(object.id).map((r) => ({
      recordId: r.id,
      object: object.api_slug,
      createdAt: r.created_at,
      values: plainValues(attributes, r.values),
    }));
  }

  plainEntries(listKey: string): PlainEntry[] {
    const list = this.list(listKey);
    const attributes = this.attributesOf(list.id);
    return this.entriesOf(list.id).map((e) => ({
      entryId: e.id,
      list: list.api_slug,
      parentRecordId: e.parent_record_id,
      parentObject: this.objectSlug(e.parentObjectId),
      createdAt: e.created_at,
      values: plainValues(attributes, e.values),
    }));
  }

  /** Everything, in Attio's shapes for the schema and plain values for the data. */
  dump() {
    const withAttributes = (parentId: string) =>
      this.attributesOf(parentId).map((a) => ({
        ...attributeJson(a, this.info.id),
        ...(a.type === 'select' ? { options: a.options.map((o) => optionJson(a, o, this.info.id)) } : {}),
        ...(a.type === 'status' ? { statuses: a.statuses.map((s) => statusJson(a, s, this.info.id)) } : {}),
      }));
    return {
      workspace: { id: this.info.id, name: this.info.name, slug: this.info.slug },
      objects: [...this.objects.values()].map((o) => ({
        ...objectJson(o, this.info.id),
        attributes: withAttributes(o.id),
      })),
      lists: [...this.lists.values()].map((l) => ({ ...this.listBody(l), attributes: withAttributes(l.id) })),
      records: Object.fromEntries([...this.objects.values()].map((o) => [o.api_slug, this.plainRecords(o.id)])),
      entries: Object.fromEntries([...this.lists.values()].map((l) => [l.api_slug, this.plainEntries(l.id)])),
    };
  }

  /** Whether an object or list with this slug or id exists (for the inspection helpers' error messages). */
  has(target: Target, slugOrId: string): boolean {
    return target === 'objects' ? !!this.findObject(slugOrId) : !!this.findList(slugOrId);
  }

  /** The select options or statuses of an attribute, archived ones included, by title. */
  choices(
    target: Target,
    identifier: string,
    attributeKey: string,
  ): { title: string; id: string; is_archived: boolean }[] {
    const attribute = this.attribute(target, identifier, attributeKey);
    return (attribute.type === 'status' ? attribute.statuses : attribute.options).map(({ id, title, is_archived }) => ({
      id,
      title,
      is_archived,
    }));
  }
}

function sameFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
