/**
 * Attio values on the way in: what a client may write for each attribute type, normalized into the fields Attio
 * returns (attio_openapi.json `components.schemas.input-value` for input; the record response's value schemas for
 * output; docs/attio.md §4). A value the type does not accept is a 400 `validation_type` naming the
 * attribute; an unknown select option, status or referenced record is a 400 `value_not_found`.
 */
import { badRequest, invalidValue, typeIssue, type ValidationIssue } from './errors';
import type { AttributeDef, SelectOption, StatusDef } from './model';

/** What coercion needs to know about the workspace. */
export interface ValueContext {
  /** The id of the object with this slug or id, if any. */
  objectId(slugOrId: string): string | undefined;
  objectSlug(objectId: string): string;
  recordExists(objectId: string, recordId: string): boolean;
  /** Records of an object whose attribute (slug or id) holds a value with this primary key. */
  findRecordsBy(objectId: string, attribute: string, raw: unknown): string[] | undefined;
  memberIdByEmail(email: string): string | undefined;
  memberExists(memberId: string): boolean;
}

class ValueProblem extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super('invalid value');
  }
}

const fail = (issue: ValidationIssue): never => {
  throw new ValueProblem([issue]);
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/** `"x"` or `{ <key>: "x" }` (Attio accepts both for most types; input-value schema). */
function unwrap(raw: unknown, key: string, allowed: string[] = [key]): unknown {
  if (!isRecord(raw)) return raw;
  for (const extra of Object.keys(raw)) {
    if (!allowed.includes(extra))
      fail({ code: 'unrecognized_keys', path: [extra], message: `Unrecognized key: "${extra}"` });
  }
  return raw[key];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const TEMPORAL =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

interface Instant {
  /** Milliseconds since the epoch (UTC), whole seconds. */
  seconds: number;
  /** Nine digits of the fraction of a second. */
  nanos: string;
}

function parseInstant(text: string): Instant | undefined {
  const match = TEMPORAL.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo = '01', d = '01', h, mi, s = '00', fraction = '', zone] = match;
  if (zone && !h) return undefined;
  const parts = [Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s)] as const;
  const local = Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]);
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== parts[0] ||
    check.getUTCMonth() !== parts[1] - 1 ||
    check.getUTCDate() !== parts[2] ||
    check.getUTCHours() !== parts[3] ||
    check.getUTCMinutes() !== parts[4] ||
    check.getUTCSeconds() !== parts[5]
  ) {
    return undefined;
  }
  let offsetMs = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMs =
      (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
  }
  return { seconds: local - offsetMs, nanos: fraction.padEnd(9, '0') };
}

const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * Timestamps are stored and returned in UTC with nanosecond precision: "2023", "2023-01-02T13:00" and
 * "2023-01-02T13:00:00.000000000+02:00" are all accepted (UTC assumed without a zone); the output looks like
 * "2023-01-02T11:00:00.000000000Z" (spec, timestamp value description).
 */
export function normalizeTimestamp(text: string): string | undefined {
  const instant = parseInstant(text);
  if (!instant || instant.seconds > MAX_MS || instant.seconds < Date.UTC(0, 0, 1)) return undefined;
  return `${new Date(instant.seconds).toISOString().slice(0, 19)}.${instant.nanos}Z`;
}

/**
 * Dates drop time and zone; "2023" and "2023-01" become "2023-01-01"; a zone that moves the day in UTC moves it
 * ("2023-01-02T23:00:00-10:00" is "2023-01-03") (spec, date value description).
 */
export function normalizeDate(text: string): string | undefined {
  const instant = parseInstant(text);
  if (!instant) return undefined;
  // Without a zone the parts were read as UTC already; with one, `seconds` is the UTC instant.
  const day = new Date(instant.seconds);
  const iso = `${pad(day.getUTCFullYear(), 4)}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
  return iso > '9999-12-31' ? undefined : iso;
}

/** Attio-format timestamp of a clock reading: "2025-07-27T01:45:27.220000000Z" (responses carry nanoseconds). */
export function attioTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

const rootDomain = (domain: string) => domain.split('.').slice(-2).join('.');

const EMAIL = /^([^\s@"]+)@((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})$/i;

/** Calling codes for the countries whose numbers the stand-in accepts without a leading "+". */
const CALLING_CODES: Record<string, string> = { US: '1', CA: '1', GB: '44', DE: '49', FR: '33', NL: '31', AU: '61' };
const COUNTRY_BY_PREFIX: [string, string][] = [
  ['44', 'GB'],
  ['49', 'DE'],
  ['33', 'FR'],
  ['31', 'NL'],
  ['61', 'AU'],
  ['1', 'US'],
];

function requireString(value: unknown, path: (string | number)[]): string {
  if (typeof value !== 'string') fail(typeIssue(path, 'string', value));
  return value as string;
}

/** Title or id of a select option / status; archived ones cannot be written. */
function findChoice<T extends SelectOption | StatusDef>(choices: T[], key: string): T | undefined {
  const live = choices.filter((c) => !c.is_archived);
  return live.find((c) => c.id === key) ?? live.find((c) => c.title === key);
}

/** The normalized fields of one written value, or a thrown 400. */
export function coerceValue(attribute: AttributeDef, raw: unknown, ctx: ValueContext): Record<string, unknown> {
  try {
    return coerce(attribute, raw, ctx);
  } catch (error) {
    if (error instanceof ValueProblem) throw invalidValue(attribute.api_slug, error.issues);
    throw error;
  }
}

function coerce(attribute: AttributeDef, raw: unknown, ctx: ValueContext): Record<string, unknown> {
  const slug = attribute.api_slug;
  switch (attribute.type) {
    case 'text': {
      return { value: requireString(unwrap(raw, 'value'), isRecord(raw) ? ['value'] : []) };
    }
    case 'number': {
      const value = unwrap(raw, 'value');
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(typeIssue(['value'], 'number', value));
      return { value };
    }
    case 'rating': {
      const value = unwrap(raw, 'value');
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 5) {
        fail({ code: 'invalid_rating', path: ['value'], message: 'A rating is a whole number from 0 to 5' });
      }
      return { value };
    }
    case 'checkbox': {
      // "The string values 'true' and 'false' are also accepted" (spec, checkbox value).
      const value = unwrap(raw, 'value');
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      if (typeof value !== 'boolean') fail(typeIssue(['value'], 'boolean', value));
      return { value };
    }
    case 'currency': {
      const value = unwrap(raw, 'currency_value');
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(typeIssue(['currency_value'], 'number', value));
      return { currency_value: value, currency_code: attribute.config.currency.default_currency_code };
    }
    case 'date': {
      const text = requireString(unwrap(raw, 'value'), ['value']);
      const value = normalizeDate(text);
      if (!value) fail({ code: 'invalid_date', path: ['value'], message: `Invalid date "${text}"` });
      return { value };
    }
    case 'timestamp': {
      const text = requireString(unwrap(raw, 'value'), ['value']);
      const value = normalizeTimestamp(text);
      if (!value) fail({ code: 'invalid_timestamp', path: ['value'], message: `Invalid timestamp "${text}"` });
      return { value };
    }
    case 'select': {
      const key = requireString(unwrap(raw, 'option'), ['option']);
      const option = findChoice(attribute.options, key);
      if (!option)
        throw badRequest('value_not_found', `Cannot find select attribute with select option title "${key}".`);
      return { option: option.id };
    }
    case 'status': {
      const key = requireString(unwrap(raw, 'status'), ['status']);
      const status = findChoice(attribute.statuses, key);
      if (!status)
        throw badRequest('value_not_found', `Cannot find status attribute with status option title "${key}".`);
      return { status: status.id };
    }
    case 'record-reference': {
      if (!isRecord(raw)) return fail(typeIssue([], 'object', raw));
      const targetObject = requireString(raw.target_object, ['target_object']);
      const objectId = ctx.objectId(targetObject);
      if (!objectId) throw badRequest('value_not_found', `Object with slug/ID "${targetObject}" not found.`);
      const allowed = attribute.config.record_reference.allowed_object_ids;
      if (allowed && allowed.length > 0 && !allowed.includes(objectId)) {
        fail({
          code: 'invalid_target_object',
          path: ['target_object'],
          message: `Records of "${targetObject}" cannot be referenced by this attribute`,
        });
      }
      const matchKeys = Object.keys(raw).filter((key) => key !== 'target_object' && key !== 'target_record_id');
      let recordId: string;
      if (raw.target_record_id !== undefined) {
        if (matchKeys.length > 0) {
          fail({ code: 'unrecognized_keys', path: [matchKeys[0]!], message: `Unrecognized key: "${matchKeys[0]}"` });
        }
        recordId = requireString(raw.target_record_id, ['target_record_id']);
        if (!ctx.recordExists(objectId, recordId)) {
          throw badRequest('value_not_found', `Record with ID "${recordId}" not found.`);
        }
      } else {
        // Reference by a unique attribute of the target (docs: linking-referenced-records), e.g.
        // { target_object: "people", email_addresses: [{ email_address: "ana@example.com" }] }.
        const [matchKey] = matchKeys;
        if (matchKeys.length !== 1 || !matchKey) return fail(typeIssue(['target_record_id'], 'string', undefined));
        const wanted = raw[matchKey];
        const found = ctx.findRecordsBy(objectId, matchKey, Array.isArray(wanted) ? wanted[0] : wanted);
        if (!found) throw badRequest('value_not_found', `Cannot find attribute with slug/ID "${matchKey}".`);
        if (found.length !== 1) {
          throw badRequest('value_not_found', `No single ${ctx.objectSlug(objectId)} record matches "${matchKey}".`);
        }
        recordId = found[0]!;
      }
      return { target_object: ctx.objectSlug(objectId), target_record_id: recordId };
    }
    case 'actor-reference': {
      if (!isRecord(raw)) return fail(typeIssue([], 'object', raw));
      if (typeof raw.workspace_member_email_address === 'string') {
        const memberId = ctx.memberIdByEmail(raw.workspace_member_email_address);
        if (!memberId) {
          throw badRequest(
            'value_not_found',
            `Workspace member with email "${raw.workspace_member_email_address}" not found.`,
          );
        }
        return { referenced_actor_type: 'workspace-member', referenced_actor_id: memberId };
      }
      if (raw.referenced_actor_type !== 'workspace-member') {
        fail(typeIssue(['referenced_actor_type'], "'workspace-member'", raw.referenced_actor_type));
      }
      const memberId = requireString(raw.referenced_actor_id, ['referenced_actor_id']);
      if (!ctx.memberExists(memberId))
        throw badRequest('value_not_found', `Workspace member with ID "${memberId}" not found.`);
      return { referenced_actor_type: 'workspace-member', referenced_actor_id: memberId };
    }
    case 'domain': {
      const text = requireString(unwrap(raw, 'domain'), ['domain']).trim().toLowerCase();
      const domain = text.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
      if (!/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(domain)) {
        fail({ code: 'invalid_string', path: ['domain'], message: 'Invalid domain' });
      }
      return { domain, root_domain: rootDomain(domain) };
    }
    case 'email-address': {
      const original = requireString(unwrap(raw, 'email_address'), ['email_address']).trim();
      const match = EMAIL.exec(original);
      if (!match) return fail({ code: 'invalid_string', path: ['email_address'], message: 'Invalid email' });
      const local = match[1]!.toLowerCase();
      const domain = match[2]!.toLowerCase();
      return {
        original_email_address: original,
        email_address: `${local}@${domain}`,
        email_domain: domain,
        email_root_domain: rootDomain(domain),
        email_local_specifier: local,
      };
    }
    case 'phone-number': {
      const input = isRecord(raw) ? raw : { original_phone_number: raw };
      const original = requireString(input.original_phone_number, ['original_phone_number']);
      const country = input.country_code;
      const digits = original.replace(/[^\d+]/g, '');
      let e164: string | undefined;
      if (/^\+\d{7,15}$/.test(digits)) e164 = digits;
      else if (typeof country === 'string' && CALLING_CODES[country] && /^\d{6,14}$/.test(digits)) {
        e164 = `+${CALLING_CODES[country]}${digits.replace(/^0/, '')}`;
      }
      const prefix = e164 && COUNTRY_BY_PREFIX.find(([code]) => e164.slice(1).startsWith(code));
      if (!e164 || !prefix) {
        return fail({ code: 'invalid', path: ['original_phone_number'], message: 'Invalid phone number' });
      }
      return {
        original_phone_number: original,
        country_code: typeof country === 'string' ? country : prefix[1],
        phone_number: e164,
      };
    }
    case 'location': {
      if (!isRecord(raw)) return fail(typeIssue([], 'object', raw));
      const keys = ['line_1', 'line_2', 'line_3', 'line_4', 'locality', 'region', 'postcode', 'country_code'];
      const fields: Record<string, unknown> = {};
      for (const key of [...keys, 'latitude', 'longitude']) {
        const value = raw[key];
        if (value !== null && typeof value !== 'string') fail(typeIssue([key], 'string | null', value));
        fields[key] = value;
      }
      return fields;
    }
    case 'personal-name': {
      // All three parts are required (a real 400 on `name` lists first_name, last_name and full_name as "Required").
      if (!isRecord(raw)) return fail(typeIssue([], 'object', raw));
      const issues: ValidationIssue[] = [];
      for (const key of ['first_name', 'last_name', 'full_name']) {
        if (typeof raw[key] !== 'string') issues.push(typeIssue([key], 'string', raw[key]));
      }
      if (issues.length > 0) throw new ValueProblem(issues);
      return { first_name: raw.first_name, last_name: raw.last_name, full_name: raw.full_name };
    }
    case 'interaction':
      return fail({ code: 'not_writable', path: [], message: `Attribute "${slug}" is computed by Attio` });
  }
}

/** The key two values of one attribute are equal by (dedupe, uniqueness, matching). */
export function valueKey(attribute: AttributeDef, fields: Record<string, unknown>): string {
  switch (attribute.type) {
    case 'email-address':
      return String(fields.email_address);
    case 'domain':
      return String(fields.domain);
    case 'phone-number':
      return String(fields.phone_number);
    case 'select':
      return String(fields.option);
    case 'status':
      return String(fields.status);
    case 'record-reference':
      return `${String(fields.target_object)}/${String(fields.target_record_id)}`;
    case 'actor-reference':
      return String(fields.referenced_actor_id);
    case 'currency':
      return String(fields.currency_value);
    case 'personal-name':
      return String(fields.full_name);
    case 'location':
      return JSON.stringify(fields);
    default:
      return JSON.stringify(fields.value);
  }
}
