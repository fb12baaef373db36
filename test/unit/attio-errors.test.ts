import { ApplicationFailure } from '@temporalio/common';
import { MAX_RATE_LIMIT_WAIT_MS, attioErrorOf, attioFailure } from '../../attio/errors';
import { ATTIO_ERRORS } from '../../common/error-types';

const now = Date.parse('2026-11-23T10:00:00.400Z');
const error = (status: number, code: string, message = 'x', extra: Record<string, unknown> = {}) => ({
  status,
  headers: {},
  body: { status_code: status, type: 'invalid_request_error', code, message, ...extra },
});

describe('attioFailure', () => {
  test('a 429 waits until the HTTP date in Retry-After, and is retryable', () => {
    const failure = attioFailure(
      { ...error(429, 'rate_limit_exceeded'), headers: { 'retry-after': 'Mon, 23 Nov 2026 10:00:01 GMT' } },
      'PUT /v2/objects/people/records',
      now,
    );
    expect(failure).toMatchObject({ type: ATTIO_ERRORS.rateLimited, nonRetryable: false, nextRetryDelay: 600 });
  });

  test('a 429 whose Retry-After is hours ahead (clocks that disagree) waits at most a minute', () => {
    const failure = attioFailure(
      { ...error(429, 'rate_limit_exceeded'), headers: { 'retry-after': 'Mon, 23 Nov 2026 14:00:01 GMT' } },
      'PUT /v2/lists/sales_tasks/entries',
      now,
    );
    expect(failure.nextRetryDelay).toBe(MAX_RATE_LIMIT_WAIT_MS);
    expect(MAX_RATE_LIMIT_WAIT_MS).toBe(60_000);
  });

  test('a 429 without a readable Retry-After waits one second', () => {
    expect(attioFailure(error(429, 'rate_limit_exceeded'), 'GET /v2/self', now).nextRetryDelay).toBe(1_000);
  });

  test('a 400 is a non-retryable AttioValidationError naming the code, the problems and what to do', () => {
    const failure = attioFailure(
      error(400, 'validation_type', 'An invalid value was passed to attribute with slug "hours".', {
        validation_errors: [{ code: 'invalid_type', path: ['value'], message: 'Expected number, received string' }],
      }),
      'PUT /v2/objects/asana_tasks/records',
      now,
    );
    expect(failure.type).toBe(ATTIO_ERRORS.validation);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('Attio 400 on PUT /v2/objects/asana_tasks/records: validation_type');
    expect(failure.message).toContain('(value: Expected number, received string)');
    expect(failure.message).toContain('check the attribute types in the field map');
  });

  test('an unknown option or attribute points the operator at provisioning', () => {
    const failure = attioFailure(
      error(400, 'value_not_found', 'Cannot find select attribute with select option title "Urgent".'),
      'PUT x',
      now,
    );
    expect(failure.message).toMatch(/run the Attio provisioning again, or fix the field map/);
  });

  test('401 and 403 are credentials failures that name ATTIO_TOKEN', () => {
    for (const status of [401, 403]) {
      const failure = attioFailure(
        {
          ...error(status, 'unauthorized'),
          body: { status_code: status, type: 'auth_error', code: 'unauthorized', message: 'no' },
        },
        'GET /v2/self',
        now,
      );
      expect(failure).toMatchObject({ type: ATTIO_ERRORS.credentials, nonRetryable: true });
      expect(failure.message).toMatch(/Check ATTIO_TOKEN and its scopes/);
    }
  });

  test('slug_conflict is a final conflict; concurrent_write_conflict is retried', () => {
    expect(attioFailure(error(409, 'slug_conflict'), 'POST /v2/objects', now)).toMatchObject({
      type: ATTIO_ERRORS.conflict,
      nonRetryable: true,
    });
    expect(attioFailure(error(409, 'concurrent_write_conflict'), 'PUT x', now)).toMatchObject({
      type: ATTIO_ERRORS.conflict,
      nonRetryable: false,
    });
  });

  test('404 is AttioNotFound; 5xx and bodies that are not JSON are retryable server errors', () => {
    expect(attioFailure(error(404, 'not_found'), 'GET x', now)).toMatchObject({
      type: ATTIO_ERRORS.notFound,
      nonRetryable: true,
    });
    const html = attioFailure({ status: 502, headers: {}, body: '<html>Bad gateway</html>' }, 'GET x', now);
    expect(html).toMatchObject({ type: ATTIO_ERRORS.server, nonRetryable: false });
    expect(html.message).toContain('<html>Bad gateway</html>');
  });

  test('every failure carries Attio’s status and code for callers', () => {
    expect(attioErrorOf(attioFailure(error(409, 'slug_conflict'), 'POST x', now))).toEqual({
      status: 409,
      code: 'slug_conflict',
    });
    expect(attioErrorOf(attioFailure({ status: 500, headers: {}, body: '' }, 'GET x', now))).toEqual({ status: 500 });
    expect(attioErrorOf(ApplicationFailure.nonRetryable('other', 'Other'))).toBeUndefined();
    expect(attioErrorOf(new Error('plain'))).toBeUndefined();
  });
});
