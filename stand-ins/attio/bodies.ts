/**
 * Request bodies the stand-in accepts, transcribed from attio_openapi.json (the `requestBody` of each operation):
 * required fields, enums and `additionalProperties: false` (a strict object here) exactly as the spec states them.
 * A body that fails is answered with 400 `validation_type` "Body payload validation error." (errors.ts).
 */
import { z } from 'zod';
import { bodyValidationError } from './errors';
import { CREATABLE_ATTRIBUTE_TYPES } from './model';

// prettier-ignore
const CURRENCIES = [
  'ARS', 'AUD', 'BRL', 'BEL', 'CAD', 'CLP', 'CNY', 'COP', 'CZK', 'DKK', 'EUR', 'HKD', 'ISK', 'INR', 'ILS', 'JPY',
  'KRW', 'MYR', 'MXN', 'NTD', 'NZD', 'NGN', 'NOK', 'XPF', 'PEN', 'PHP', 'PLN', 'GBP', 'RWF', 'SAR', 'SGD', 'ZAR',
  'SEK', 'CHF', 'AED', 'UYU', 'USD',
] as const;

const ACCESS = z.enum(['full-access', 'read-and-write', 'read-only']);
/** The spec types ids as `format: uuid`; any 8-4-4-4-12 hex id passes (Attio's own ids are v4). */
const UUID = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'Invalid uuid');
/** ISO 8601 duration, the pattern the statuses endpoints give for `target_time_in_status`. */
const DURATION = /P(?:(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(?:T(\d+(?:[.,]\d+)?H)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?S)?)?)/;

const AttributeConfig = z.object({
  currency: z
    .object({
      default_currency_code: z.enum(CURRENCIES),
      display_type: z.enum(['code', 'name', 'narrowSymbol', 'symbol']),
    })
    .optional(),
  record_reference: z.object({ allowed_objects: z.array(z.string()).min(1) }).optional(),
});

/** The values map of record and entry writes: each value an array (a single value is accepted for single-select). */
const Values = z.record(z.string(), z.unknown());

export const CreateObjectBody = z.object({
  data: z.object({ api_slug: z.string(), singular_noun: z.string().min(1), plural_noun: z.string().min(1) }),
});

export const PatchObjectBody = z.object({
  data: z.object({
    api_slug: z.string().optional(),
    singular_noun: z.string().min(1).optional(),
    plural_noun: z.string().min(1).optional(),
  }),
});

export const CreateAttributeBody = z.object({
  data: z.strictObject({
    title: z.string(),
    description: z.string().nullable(),
    api_slug: z.string(),
    type: z.enum(CREATABLE_ATTRIBUTE_TYPES),
    is_required: z.boolean(),
    is_unique: z.boolean(),
    is_multiselect: z.boolean(),
    default_value: z.unknown().optional(),
    config: AttributeConfig,
  }),
});

export const PatchAttributeBody = z.object({
  data: z.strictObject({
    title: z.string().optional(),
    description: z.string().nullable().optional(),
    api_slug: z.string().optional(),
    is_required: z.boolean().optional(),
    is_unique: z.boolean().optional(),
    default_value: z.unknown().optional(),
    config: AttributeConfig.optional(),
    is_archived: z.boolean().optional(),
  }),
});

export const CreateOptionBody = z.object({ data: z.object({ title: z.string().min(1) }) });

export const PatchOptionBody = z.object({
  data: z.object({ title: z.string().min(1).optional(), is_archived: z.boolean().optional() }),
});

export const CreateStatusBody = z.object({
  data: z.object({
    title: z.string().min(1),
    celebration_enabled: z.boolean().optional(),
    target_time_in_status: z.string().regex(DURATION).nullable().optional(),
  }),
});

export const PatchStatusBody = z.object({
  data: z.object({
    title: z.string().min(1).optional(),
    celebration_enabled: z.boolean().optional(),
    target_time_in_status: z.string().regex(DURATION).nullable().optional(),
    is_archived: z.boolean().optional(),
  }),
});

export const CreateListBody = z.object({
  data: z.object({
    name: z.string(),
    api_slug: z.string(),
    parent_object: z.string(),
    workspace_access: ACCESS.nullable(),
    workspace_member_access: z.array(z.object({ workspace_member_id: UUID, level: ACCESS })),
  }),
});

export const PatchListBody = z.object({
  data: z.object({
    name: z.string().optional(),
    api_slug: z.string().optional(),
    workspace_access: ACCESS.nullable().optional(),
    workspace_member_access: z.array(z.object({ workspace_member_id: UUID, level: ACCESS })).optional(),
  }),
});

/** POST and PUT (assert) records: `data` allows nothing but `values`. */
export const RecordWriteBody = z.object({ data: z.strictObject({ values: Values }) });

export const EntryCreateBody = z.object({
  data: z.object({ parent_record_id: UUID, parent_object: z.string(), entry_values: Values }),
});

export const EntryUpdateBody = z.object({ data: z.strictObject({ entry_values: Values }) });

const Sort = z.union([
  z.object({ direction: z.enum(['asc', 'desc']), attribute: z.string(), field: z.string().optional() }),
  z.object({
    direction: z.enum(['asc', 'desc']),
    path: z.array(z.array(z.string()).length(2)),
    field: z.string().optional(),
  }),
]);

export const QueryBody = z.object({
  filter: z.record(z.string(), z.unknown()).optional(),
  sorts: z.array(Sort).optional(),
  limit: z.number().int().min(0).optional(),
  offset: z.number().int().min(0).optional(),
});

/** Parses a body or throws Attio's 400. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? undefined, { reportInput: true });
  if (!result.success) throw bodyValidationError(result.error);
  return result.data;
}

/** SPEC `POST /v2/notes` requestBody: required parent, title, format and content; `created_at` may backdate. */
export const CreateNoteBody = z.object({
  data: z.object({
    parent_object: z.string(),
    parent_record_id: UUID,
    title: z.string(),
    format: z.enum(['plaintext', 'markdown']),
    content: z.string(),
    created_at: z.string().optional(),
    meeting_id: UUID.nullable().optional(),
  }),
});
