import { asanaFailure } from '../../asana/errors';
import { attioFailure } from '../../attio/errors';

// A zero nextRetryDelay makes Temporal stop retrying (seen: a backfill write failed for good on its first 429 with a
// Retry-After date already past), so every 429 must come out as a retryable failure with a positive delay.
describe('429 failures', () => {
  const body = { code: 'rate_limit_exceeded', message: 'Rate limit exceeded' };

  test('Attio: waits until the Retry-After date, and at least a moment when the date is already past', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    const future = attioFailure(
      { status: 429, headers: { 'retry-after': 'Mon, 23 Nov 2026 10:00:02 GMT' }, body },
      'PUT /x',
      now,
    );
    expect([future.type, future.nonRetryable, future.nextRetryDelay]).toEqual(['AttioRateLimited', false, 2000]);
    const past = attioFailure(
      { status: 429, headers: { 'retry-after': 'Mon, 23 Nov 2026 09:59:00 GMT' }, body },
      'PUT /x',
      now,
    );
    expect(past.nextRetryDelay).toBeGreaterThan(0);
  });

  test('Asana: waits Retry-After seconds, and at least a moment for "0"', () => {
    const errors = { errors: [{ message: 'too many requests' }] };
    expect(asanaFailure({ status: 429, headers: { 'retry-after': '30' }, body: errors }, 'GET /x').nextRetryDelay).toBe(
      30_000,
    );
    expect(
      asanaFailure({ status: 429, headers: { 'retry-after': '0' }, body: errors }, 'GET /x').nextRetryDelay,
    ).toBeGreaterThan(0);
  });
});
