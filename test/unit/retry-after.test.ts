import { parseRetryAfter } from '../../common/retry-after';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');

  test('reads Asana’s seconds', () => {
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter(['2'], now)).toBe(2_000);
  });

  test('reads Attio’s HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:01 GMT', now)).toBe(1_000);
  });

  test('gives 0 for a date already past and undefined for nothing readable', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
