/**
 * What the Attio stand-in stores: a workspace's objects, lists, attributes (with select options and statuses),
 * records and list entries. Values are kept in their normalized, type-specific form (the fields of attio_openapi.json's
 * value schemas, minus the envelope) and serialized into Attio's value objects on the way out (serialize.ts).
 */

/** The attribute types attio_openapi.json lists (`components.schemas.attribute.type`). */
export const ATTRIBUTE_TYPES = [
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
  'interaction',
  'personal-name',
] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** Types a client may create (the create-attribute body's enum leaves out interaction and personal-name). */
export const CREATABLE_ATTRIBUTE_TYPES = ATTRIBUTE_TYPES.filter(
  (type): type is Exclude<AttributeType, 'interaction' | 'personal-name'> =>
    type !== 'interaction' && type !== 'personal-name',
);

export interface Actor {
  type: 'api-token' | 'workspace-member' | 'system' | 'app';
  id: string;
}

export interface WorkspaceInfo {
  id: string;
  name: string;
  slug: string;
  /** The one workspace member: the person who "created" the demo token. */
  memberId: string;
}

export interface ObjectDef {
  id: string;
  api_slug: string;
  singular_noun: string;
  plural_noun: string;
  created_at: string;
  standard: boolean;
}

export interface ListDef {
  id: string;
  api_slug: string;
  name: string;
  /** The parent object's id. */
  parentObjectId: string;
  workspace_access: 'full-access' | 'read-and-write' | 'read-only' | null;
  workspace_member_access: { workspace_member_id: string; level: 'full-access' | 'read-and-write' | 'read-only' }[];
  created_by_actor: Actor;
  created_at: string;
}

export interface SelectOption {
  id: string;
  title: string;
  is_archived: boolean;
}

export interface StatusDef {
  id: string;
  title: string;
  is_archived: boolean;
  celebration_enabled: boolean;
  target_time_in_status: string | null;
}

export interface AttributeDef {
  id: string;
  /** The object's or list's id. */
  parentId: string;
  parentKind: 'objects' | 'lists';
  title: string;
  description: string | null;
  api_slug: string;
  type: AttributeType;
  is_system_attribute: boolean;
  is_writable: boolean;
  is_required: boolean;
  is_unique: boolean;
  is_multiselect: boolean;
  is_archived: boolean;
  created_at: string;
  config: {
    currency: { default_currency_code: string | null; display_type: string | null };
    record_reference: { allowed_object_ids: string[] | null };
  };
  options: SelectOption[];
  statuses: StatusDef[];
  /** Values computed by the stand-in rather than written (record_id, created_at, created_by). */
  computed?: 'record_id' | 'created_at' | 'created_by';
}

/** One active value: the type-specific fields (e.g. `{ value: "x" }`, `{ option: "<uuid>" }`) and its envelope. */
export interface StoredValue {
  fields: Record<string, unknown>;
  active_from: string;
  created_by_actor: Actor;
}

export interface RecordRow {
  id: string;
  objectId: string;
  created_at: string;
  created_by_actor: Actor;
  /** Active values by attribute id. */
  values: Map<string, StoredValue[]>;
}

export interface EntryRow {
  id: string;
  listId: string;
  parent_record_id: string;
  /** The parent object's id. */
  parentObjectId: string;
  created_at: string;
  created_by_actor: Actor;
  values: Map<string, StoredValue[]>;
}
