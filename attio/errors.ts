/**
 * Maps Attio HTTP outcomes to Temporal failures, in one place. Attio errors look like
 * `{ "status_code", "type", "code", "message" }`; 429 carries Retry-After as an HTTP date, usually the next second
 * (https://docs.attio.com/rest-api/guides/rate-limiting).
 */
import { ApplicationFailure } from '@temporalio/common';
import { ATTIO_ERRORS } from '../common/error-types';
import { parseRetryAfter } from '../common/retry-after';
import type { JsonResponse } from '../common/http-json';

export { ATTIO_ERRORS };

const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

function attioMessage(body: unknown): string {
  const error = body as { code?: string; message?: string } | undefined;
  if (error && typeof error === 'object' && (error.code || error.message)) return `${error.code ?? ''}: ${error.message ?? ''}`;
  return typeof body === 'string' ? body.slice(0, 300) : 'no error body';
}

export function attioFailure(response: JsonResponse, what: string, nowMs = Date.now()): ApplicationFailure {
  const { status } = response;
  const detail = `Attio ${status} on ${what}: ${attioMessage(response.body)}`;
  if (status === 429) {
    const waitMs = parseRetryAfter(response.headers['retry-after'], nowMs) ?? DEFAULT_RATE_LIMIT_WAIT_MS;
    return ApplicationFailure.create({ type: ATTIO_ERRORS.rateLimited, message: detail, nextRetryDelay: waitMs });
  }
  if (status === 401 || status === 403) {
    return ApplicationFailure.nonRetryable(
      `${detail}. Check ATTIO_TOKEN and its scopes.`,
      ATTIO_ERRORS.credentials,
    );
  }
  if (status === 404) return ApplicationFailure.nonRetryable(detail, ATTIO_ERRORS.notFound);
  if (status === 409) return ApplicationFailure.nonRetryable(detail, ATTIO_ERRORS.conflict);
  if (status >= 400 && status < 500) return ApplicationFailure.nonRetryable(detail, ATTIO_ERRORS.validation);
  return ApplicationFailure.retryable(detail, ATTIO_ERRORS.server);
}
