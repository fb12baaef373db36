/**
 * Filters and sorts of the records and entries query endpoints
 * (https://docs.attio.com/rest-api/guides/filtering-and-sorting; docs/attio.md §3):
 *  - shorthand: `{ "email_addresses": "john@smith.com" }`, `{ "asana_gid": "123" }` (equality on the value's main
 *    field; a multiselect attribute matches when any of its values does);
 *  - verbose: `{ "<attribute>": { "<field>": { "$eq": … } } }` or `{ "<attribute>": { "$eq": … } }`;
 *  - operators `$eq $in $contains $starts_with $ends_with $lt $lte $gt $gte $not_empty`, combined with `$and`, `$or`
 *    and `$not`.
 * Anything else (an unknown attribute, operator or field, path filters) is a 400 `filter_error`.
 */
import { badRequest } from './errors';
import type { AttributeDef, StoredValue } from './model';
import { normalizeDate, normalizeTimestamp } from './values';

export type Values = Map<string, StoredValue[]>;
export type Predicate = (values: Values) => boolean;

type Scalar = string | number | boolean | null;

const filterError = (message: string) => badRequest('filter_error', message);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/** The field a shorthand filter and a sort compare on. */
function primaryField(attribute: AttributeDef): string {
  switch (attribute.type) {
    case 'select':
      return 'option';
    case 'status':
      return 'status';
    case 'email-address':
      return 'email_address';
    case 'domain':
      return 'domain';
    case 'phone-number':
      return 'phone_number';
    case 'currency':
      return 'currency_value';
    case 'record-reference':
      return 'target_record_id';
    case 'personal-name':
      return 'full_name';
    case 'actor-reference':
      return 'referenced_actor_id';
    default:
      return 'value';
  }
}

/** The comparable forms of one field of a value (a select option matches by title or by id). */
function fieldCandidates(attribute: AttributeDef, value: StoredValue, field: string): Scalar[] {
  const raw = value.fields[field];
  if (attribute.type === 'select' && field === 'option') {
    const option = attribute.options.find((o) => o.id === raw);
    return [String(raw), ...(option ? [option.title] : [])];
  }
  if (attribute.type === 'status' && field === 'status') {
    const status = attribute.statuses.find((s) => s.id === raw);
    return [String(raw), ...(status ? [status.title] : [])];
  }
  if (raw === undefined) return [];
  return [raw as Scalar];
}

const FIELDS: Partial<Record<AttributeDef['type'], string[]>> = {
  'email-address': [
    'email_address',
    'original_email_address',
    'email_domain',
    'email_root_domain',
    'email_local_specifier',
  ],
  domain: ['domain', 'root_domain'],
  'phone-number': ['phone_number', 'original_phone_number', 'country_code'],
  'record-reference': ['target_record_id', 'target_object'],
  'personal-name': ['full_name', 'first_name', 'last_name'],
  'actor-reference': ['referenced_actor_id', 'referenced_actor_type'],
  currency: ['currency_value', 'currency_code'],
  location: ['line_1', 'line_2', 'line_3', 'line_4', 'locality', 'region', 'postcode', 'country_code'],
  select: ['option'],
  status: ['status'],
};

function normalizeOperand(attribute: AttributeDef, field: string, operand: unknown): unknown {
  if (typeof operand !== 'string') return operand;
  if (attribute.type === 'timestamp' && field === 'value') return normalizeTimestamp(operand) ?? operand;
  if (attribute.type === 'date' && field === 'value') return normalizeDate(operand) ?? operand;
  if (['email-address', 'domain'].includes(attribute.type)) return operand.toLowerCase();
  return operand;
}

function compare(op: string, candidate: Scalar, operand: unknown): boolean {
  switch (op) {
    case '$eq':
      return candidate === operand;
    case '$in':
      return Array.isArray(operand) && operand.includes(candidate);
    case '$contains':
      return typeof candidate === 'string' && typeof operand === 'string' && candidate.includes(operand);
    case '$starts_with':
      return typeof candidate === 'string' && typeof operand === 'string' && candidate.startsWith(operand);
    case '$ends_with':
      return typeof candidate === 'string' && typeof operand === 'string' && candidate.endsWith(operand);
    case '$lt':
      return candidate !== null && (operand as Scalar) !== null && candidate < (operand as number | string);
    case '$lte':
      return candidate !== null && (operand as Scalar) !== null && candidate <= (operand as number | string);
    case '$gt':
      return candidate !== null && (operand as Scalar) !== null && candidate > (operand as number | string);
    case '$gte':
      return candidate !== null && (operand as Scalar) !== null && candidate >= (operand as number | string);
    default:
      throw filterError(`Unknown filter operator "${op}".`);
  }
}

const OPERATORS = new Set(['$eq', '$in', '$contains', '$starts_with', '$ends_with', '$lt', '$lte', '$gt', '$gte']);

/** A condition on one field: a scalar (equality) or `{ $op: operand, … }` (all must hold). */
function fieldCondition(attribute: AttributeDef, field: string, condition: unknown): (value: StoredValue) => boolean {
  const allowed = FIELDS[attribute.type] ?? ['value'];
  if (!allowed.includes(field)) {
    throw filterError(
      `Attribute "${attribute.api_slug}" of type "${attribute.type}" has no field "${field}" to filter on.`,
    );
  }
  const checks: [string, unknown][] = isPlainObject(condition) ? Object.entries(condition) : [['$eq', condition]];
  for (const [op, operand] of checks) {
    if (!OPERATORS.has(op)) throw filterError(`Unknown filter operator "${op}" on attribute "${attribute.api_slug}".`);
    if (op === '$in' && !Array.isArray(operand)) throw filterError(`"$in" on "${attribute.api_slug}" needs an array.`);
  }
  const normalized = checks.map(([op, operand]) => {
    const value = Array.isArray(operand)
      ? operand.map((o) => normalizeOperand(attribute, field, o))
      : normalizeOperand(attribute, field, operand);
    return [op, value] as const;
  });
  return (value) => {
    const candidates = fieldCandidates(attribute, value, field);
    return normalized.every(([op, operand]) => candidates.some((candidate) => compare(op, candidate, operand)));
  };
}

function attributeCondition(attribute: AttributeDef, condition: unknown): Predicate {
  const valuesOf = (values: Values) => values.get(attribute.id) ?? [];
  if (isPlainObject(condition)) {
    const keys = Object.keys(condition);
    if (keys.length === 0) throw filterError(`Empty condition on attribute "${attribute.api_slug}".`);
    const checks: Predicate[] = [];
    const operatorPart: Record<string, unknown> = {};
    for (const key of keys) {
      if (key === '$not_empty') {
        const wanted = condition[key];
        if (typeof wanted !== 'boolean') throw filterError('"$not_empty" takes true or false.');
        checks.push((values) => valuesOf(values).length > 0 === wanted);
      } else if (key.startsWith('$')) {
        operatorPart[key] = condition[key];
      } else {
        const test = fieldCondition(attribute, key, condition[key]);
        checks.push((values) => valuesOf(values).some(test));
      }
    }
    if (Object.keys(operatorPart).length > 0) {
      const test = fieldCondition(attribute, primaryField(attribute), operatorPart);
      checks.push((values) => valuesOf(values).some(test));
    }
    return (values) => checks.every((check) => check(values));
  }
  if (Array.isArray(condition)) throw filterError(`Use "$in" to match "${attribute.api_slug}" against several values.`);
  const test = fieldCondition(attribute, primaryField(attribute), condition);
  return (values) => valuesOf(values).some(test);
}

/** Compiles a query's `filter` against the attributes of the object or list queried. */
export function compileFilter(filter: unknown, resolve: (key: string) => AttributeDef | undefined): Predicate {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw filterError('The filter must be an object.');
  const parts: Predicate[] = [];
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition) || condition.length === 0) throw filterError(`"${key}" needs a non-empty array.`);
      const inner = condition.map((c) => compileFilter(c, resolve));
      parts.push(key === '$and' ? (values) => inner.every((p) => p(values)) : (values) => inner.some((p) => p(values)));
    } else if (key === '$not') {
      const inner = compileFilter(condition, resolve);
      parts.push((values) => !inner(values));
    } else if (key === 'path') {
      throw filterError('Path filters (across record references) are not supported by the stand-in.');
    } else {
      const attribute = resolve(key);
      if (!attribute) throw filterError(`Unknown attribute slug or ID "${key}" in filter.`);
      parts.push(attributeCondition(attribute, condition));
    }
  }
  return (values) => parts.every((p) => p(values));
}

export interface Sort {
  direction: 'asc' | 'desc';
  attribute?: string;
  field?: string;
  path?: unknown;
}

/** A comparator for `sorts`; rows without a value sort last. Unsorted queries keep creation order. */
export function compileSorts(
  sorts: Sort[] | undefined,
  resolve: (key: string) => AttributeDef | undefined,
): ((a: Values, b: Values) => number) | undefined {
  if (!sorts || sorts.length === 0) return undefined;
  const keys = sorts.map((sort) => {
    if (sort.path !== undefined || !sort.attribute) {
      throw filterError('Path sorts (across record references) are not supported by the stand-in.');
    }
    const attribute = resolve(sort.attribute);
    if (!attribute) throw filterError(`Unknown attribute slug or ID "${sort.attribute}" in sorts.`);
    const field = sort.field ?? primaryField(attribute);
    const sign = sort.direction === 'desc' ? -1 : 1;
    return (values: Values): [Scalar | undefined, number] => {
      const first = values.get(attribute.id)?.[0];
      const candidates = first ? fieldCandidates(attribute, first, field) : [];
      return [candidates[candidates.length - 1], sign];
    };
  });
  return (a, b) => {
    for (const key of keys) {
      const [left, sign] = key(a);
      const [right] = key(b);
      if (left === right) continue;
      if (left === undefined || left === null) return 1;
      if (right === undefined || right === null) return -1;
      return (left < right ? -1 : 1) * sign;
    }
    return 0;
  };
}
