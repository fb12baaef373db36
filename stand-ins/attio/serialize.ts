/**
 * The stand-in's state in Attio's response shapes (attio_openapi.json `components.schemas` object, attribute, list,
 * select-option, status, and the record and entry schemas of the records/entries operations), plus the plain form the
 * in-process inspection helpers and `/__control/state` use.
 */
import type {
  AttributeDef,
  EntryRow,
  ListDef,
  ObjectDef,
  RecordRow,
  SelectOption,
  StatusDef,
  StoredValue,
} from './model';

export interface SerializeContext {
  workspaceId: string;
  workspaceSlug: string;
  attribute(attributeId: string): AttributeDef | undefined;
  objectSlug(objectId: string): string;
  listSlug(listId: string): string;
}

export function objectJson(object: ObjectDef, workspaceId: string) {
  return {
    id: { workspace_id: workspaceId, object_id: object.id },
    api_slug: object.api_slug,
    singular_noun: object.singular_noun,
    plural_noun: object.plural_noun,
    created_at: object.created_at,
  };
}

export function attributeJson(attribute: AttributeDef, workspaceId: string) {
  return {
    id: { workspace_id: workspaceId, object_id: attribute.parentId, attribute_id: attribute.id },
    title: attribute.title,
    description: attribute.description,
    api_slug: attribute.api_slug,
    type: attribute.type,
    is_system_attribute: attribute.is_system_attribute,
    is_writable: attribute.is_writable,
    is_required: attribute.is_required,
    is_unique: attribute.is_unique,
    is_multiselect: attribute.is_multiselect,
    is_default_value_enabled: false,
    is_archived: attribute.is_archived,
    default_value: null,
    relationship: null,
    created_at: attribute.created_at,
    config: attribute.config,
  };
}

export function optionJson(attribute: AttributeDef, option: SelectOption, workspaceId: string) {
  return {
    id: { workspace_id: workspaceId, object_id: attribute.parentId, attribute_id: attribute.id, option_id: option.id },
    title: option.title,
    is_archived: option.is_archived,
  };
}

export function statusJson(attribute: AttributeDef, status: StatusDef, workspaceId: string) {
  return {
    id: { workspace_id: workspaceId, object_id: attribute.parentId, attribute_id: attribute.id, status_id: status.id },
    title: status.title,
    is_archived: status.is_archived,
    celebration_enabled: status.celebration_enabled,
    target_time_in_status: status.target_time_in_status,
  };
}

export function listJson(list: ListDef, workspaceId: string, parentSlug: string) {
  return {
    id: { workspace_id: workspaceId, list_id: list.id },
    api_slug: list.api_slug,
    name: list.name,
    parent_object: [parentSlug],
    workspace_access: list.workspace_access,
    workspace_member_access: list.workspace_member_access,
    created_by_actor: list.created_by_actor,
    created_at: list.created_at,
  };
}

/** Select and status values are returned with the whole option/status object, as the record schemas require. */
function valueJson(attribute: AttributeDef, value: StoredValue, workspaceId: string) {
  let fields = value.fields;
  if (attribute.type === 'select') {
    const option = attribute.options.find((o) => o.id === value.fields.option);
    if (option) fields = { option: optionJson(attribute, option, workspaceId) };
  } else if (attribute.type === 'status') {
    const status = attribute.statuses.find((s) => s.id === value.fields.status);
    if (status) fields = { status: statusJson(attribute, status, workspaceId) };
  }
  return {
    active_from: value.active_from,
    active_until: null,
    created_by_actor: value.created_by_actor,
    ...fields,
    attribute_type: attribute.type,
  };
}

function valuesJson(attributes: AttributeDef[], values: Map<string, StoredValue[]>, workspaceId: string) {
  const out: Record<string, unknown[]> = {};
  for (const attribute of attributes) {
    if (attribute.is_archived) continue;
    out[attribute.api_slug] = (values.get(attribute.id) ?? []).map((v) => valueJson(attribute, v, workspaceId));
  }
  return out;
}

export function recordJson(record: RecordRow, attributes: AttributeDef[], ctx: SerializeContext) {
  const objectSlug = ctx.objectSlug(record.objectId);
  return {
    id: { workspace_id: ctx.workspaceId, object_id: record.objectId, record_id: record.id },
    created_at: record.created_at,
    web_url: `https://app.attio.com/${ctx.workspaceSlug}/${objectSlug}/${record.id}`,
    values: valuesJson(attributes, record.values, ctx.workspaceId),
  };
}

export function entryJson(entry: EntryRow, attributes: AttributeDef[], ctx: SerializeContext) {
  return {
    id: { workspace_id: ctx.workspaceId, list_id: entry.listId, entry_id: entry.id },
    parent_record_id: entry.parent_record_id,
    parent_object: ctx.objectSlug(entry.parentObjectId),
    created_at: entry.created_at,
    entry_values: valuesJson(attributes, entry.values, ctx.workspaceId),
  };
}

/**
 * One value without Attio's envelope, for assertions: text/number/checkbox/date/timestamp/rating → the value; select →
 * option title; status → status title; email → normalized address; domain → domain; phone → E.164 number;
 * currency → amount; record-reference → `{ target_object, target_record_id }`; personal-name → full name;
 * actor-reference → actor id; location → the location fields.
 */
export function plainValue(attribute: AttributeDef, fields: Record<string, unknown>): unknown {
  switch (attribute.type) {
    case 'select':
      return attribute.options.find((o) => o.id === fields.option)?.title ?? fields.option;
    case 'status':
      return attribute.statuses.find((s) => s.id === fields.status)?.title ?? fields.status;
    case 'email-address':
      return fields.email_address;
    case 'domain':
      return fields.domain;
    case 'phone-number':
      return fields.phone_number;
    case 'currency':
      return fields.currency_value;
    case 'record-reference':
      return { target_object: fields.target_object, target_record_id: fields.target_record_id };
    case 'personal-name':
      return fields.full_name;
    case 'actor-reference':
      return fields.referenced_actor_id;
    case 'location':
      return fields;
    default:
      return fields.value;
  }
}

/** Plain values by attribute slug, always arrays as in Attio (`[]` when empty): `{ name: ["Ana"], stage: ["Won"] }`. */
export function plainValues(attributes: AttributeDef[], values: Map<string, StoredValue[]>) {
  const out: Record<string, unknown[]> = {};
  for (const attribute of attributes) {
    if (attribute.is_archived) continue;
    out[attribute.api_slug] = (values.get(attribute.id) ?? []).map((v) => plainValue(attribute, v.fields));
  }
  return out;
}
