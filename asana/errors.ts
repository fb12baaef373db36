/**
 * Maps Asana HTTP outcomes to Temporal failures, in one place. Asana errors look like
 * `{ "errors": [{ "message", "help", "phrase" }] }` (ErrorResponse in asana_oas.yaml); 429 carries Retry-After in
 * seconds (https://developers.asana.com/docs/rate-limits).
 */
import { ApplicationFailure } from '@temporalio/common';
import { ASANA_ERRORS } from '../common/error-types';
import { parseRetryAfter } from '../common/retry-after';
import type { JsonResponse } from '../common/http-json';

export { ASANA_ERRORS };

/** When Asana sends 429 without a usable Retry-After (seen on concurrency limits: node-asana#210). */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

function asanaMessage(body: unknown): string {
  const errors = (body as { errors?: { message?: string }[] } | undefined)?.errors;
  if (Array.isArray(errors) && errors.length > 0) return errors.map((e) => e.message ?? '').join('; ');
  return typeof body === 'string' ? body.slice(0, 300) : 'no error body';
}

export function asanaFailure(response: JsonResponse, what: string): ApplicationFailure {
  const { status } = response;
  const detail = `Asana ${status} on ${what}: ${asanaMessage(response.body)}`;
  if (status === 429) {
    // `Retry-After: 0` must still wait a little: a zero nextRetryDelay ends the retries instead.
    const waitMs = Math.max(parseRetryAfter(response.headers['retry-after']) ?? DEFAULT_RATE_LIMIT_WAIT_MS, 250);
    return ApplicationFailure.create({ type: ASANA_ERRORS.rateLimited, message: detail, nextRetryDelay: waitMs });
  }
  if (status === 401) {
    return ApplicationFailure.nonRetryable(
      `${detail}. Check ASANA_TOKEN (expired, revoked or mistyped).`,
      ASANA_ERRORS.credentials,
    );
  }
  if (status === 402 || status === 403) return ApplicationFailure.nonRetryable(detail, ASANA_ERRORS.forbidden);
  if (status === 404) return ApplicationFailure.nonRetryable(detail, ASANA_ERRORS.notFound);
  if (status >= 400 && status < 500) return ApplicationFailure.nonRetryable(detail, ASANA_ERRORS.validation);
  return ApplicationFailure.retryable(detail, ASANA_ERRORS.server);
}
