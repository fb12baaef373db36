/**
 * Maps Attio HTTP outcomes to Temporal failures, in one place. Attio errors look like
 * `{ "status_code", "type", "code", "message" }`, and 400 `validation_type` adds `validation_errors`
 * (docs/attio.md §7); 429 carries Retry-After as an HTTP date, usually the next second
 * (https://docs.attio.com/rest-api/guides/rate-limiting).
 *
 * Every failure carries `{ status, code }` as its first detail, so callers can tell a `slug_conflict` from another
 * 409 without parsing messages (`attioErrorOf`).
 */
import { ApplicationFailure } from '@temporalio/common';
import { ATTIO_ERRORS } from '../common/error-types';
import { parseRetryAfter } from '../common/retry-after';
import type { JsonResponse } from '../common/http-json';

export { ATTIO_ERRORS };

/** The shortest wait after a 429, whatever Retry-After says. */
const MIN_RATE_LIMIT_WAIT_MS = 250;

const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/**
 * The longest wait after a 429. Attio's limits are per second, so a Retry-After far ahead means this worker's clock
 * and Attio's disagree (or a proxy rewrote the header): waiting it out would park the sync for hours, unseen.
 */
export const MAX_RATE_LIMIT_WAIT_MS = 60_000;

/** What the failure's first detail holds. */
export interface AttioErrorDetail {
  status: number;
  /** Attio's `code` (e.g. `slug_conflict`, `value_not_found`), when the body had one. */
  code?: string;
}

interface AttioErrorBody {
  code?: string;
  message?: string;
  validation_errors?: { path?: unknown[]; message?: string }[];
}

/** What an operator can do about each 400 code (docs/attio.md §7 lists the codes). */
const HINTS: Record<string, string> = {
  value_not_found:
    'An attribute, select option, status or record named in the request does not exist in Attio: run the Attio provisioning again, or fix the field map.',
  validation_type: "A value does not fit its Attio attribute's type: check the attribute types in the field map.",
  missing_value: 'A required Attio attribute got no value: make the attribute optional in Attio, or map a field to it.',
  uniqueness_conflict: 'Another Attio record already holds this unique value: remove the duplicate in Attio.',
  multiple_match_results: 'Several Attio records or entries match: remove the duplicates in Attio.',
  filter_error: 'Attio rejected a query filter: this is a bug in the sync, please report it.',
  immutable_value: 'The request tried to change a value Attio does not allow to change.',
  system_edit_unauthorized: 'Attio system attributes cannot be changed.',
};

function bodyOf(body: unknown): AttioErrorBody | undefined {
  return body && typeof body === 'object' ? body : undefined;
}

function attioMessage(body: unknown): string {
  const error = bodyOf(body);
  if (!error || !(error.code || error.message)) return typeof body === 'string' ? body.slice(0, 300) : 'no error body';
  const issues = (error.validation_errors ?? [])
    .slice(0, 5)
    .map((issue) => `${(issue.path ?? []).join('.') || '(value)'}: ${issue.message ?? '?'}`);
  return `${error.code ?? ''}: ${error.message ?? ''}${issues.length > 0 ? ` (${issues.join('; ')})` : ''}`;
}

/** The `{ status, code }` of a failure made here, or undefined for anything else. */
export function attioErrorOf(error: unknown): AttioErrorDetail | undefined {
  if (!(error instanceof ApplicationFailure)) return undefined;
  const detail = error.details?.[0] as AttioErrorDetail | undefined;
  return detail && typeof detail.status === 'number' ? detail : undefined;
}

export function attioFailure(response: JsonResponse, what: string, nowMs = Date.now()): ApplicationFailure {
  const { status } = response;
  const code = bodyOf(response.body)?.code;
  const details: [AttioErrorDetail] = [{ status, ...(code ? { code } : {}) }];
  const detail = `Attio ${status} on ${what}: ${attioMessage(response.body)}`;
  if (status === 429) {
    // A Retry-After already past (clock skew) must still wait: a zero nextRetryDelay ends the retries instead.
    const asked = parseRetryAfter(response.headers['retry-after'], nowMs) ?? DEFAULT_RATE_LIMIT_WAIT_MS;
    const waitMs = Math.min(Math.max(asked, MIN_RATE_LIMIT_WAIT_MS), MAX_RATE_LIMIT_WAIT_MS);
    return ApplicationFailure.create({
      type: ATTIO_ERRORS.rateLimited,
      message: detail,
      nextRetryDelay: waitMs,
      details,
    });
  }
  if (status === 401 || status === 403) {
    return ApplicationFailure.create({
      type: ATTIO_ERRORS.credentials,
      message: `${detail}. Check ATTIO_TOKEN and its scopes.`,
      nonRetryable: true,
      details,
    });
  }
  if (status === 404) {
    return ApplicationFailure.create({ type: ATTIO_ERRORS.notFound, message: detail, nonRetryable: true, details });
  }
  if (status === 409) {
    // "The record was modified by another request while this write was being validated. Please try again."
    // (docs/attio.md §7): the one 409 worth retrying.
    const retry = code === 'concurrent_write_conflict';
    return ApplicationFailure.create({ type: ATTIO_ERRORS.conflict, message: detail, nonRetryable: !retry, details });
  }
  if (status >= 400 && status < 500) {
    const hint = (code && HINTS[code]) ?? 'Attio rejected the request: check the field map and the Attio workspace.';
    return ApplicationFailure.create({
      type: ATTIO_ERRORS.validation,
      message: `${detail}. ${hint}`,
      nonRetryable: true,
      details,
    });
  }
  return ApplicationFailure.create({ type: ATTIO_ERRORS.server, message: detail, nonRetryable: false, details });
}
