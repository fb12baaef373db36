/**
 * How the Attio stand-in normalizes written values and counts requests against the rate limits: the examples come
 * from attio_openapi.json's value descriptions and https://docs.attio.com/rest-api/guides/rate-limiting.
 */
import { RateLimiter, requestKind } from '../../stand-ins/attio/rate-limit';
import { attioTimestamp, normalizeDate, normalizeTimestamp } from '../../stand-ins/attio/values';

describe('dates and timestamps, as the spec describes their coercion', () => {
  test.each([
    ['2023', '2023-01-01'],
    ['2023-01', '2023-01-01'],
    ['2023-01-02', '2023-01-02'],
    ['2023-01-02T13:00', '2023-01-02'],
    ['2023-01-02T15:00:00.000000000+02:00', '2023-01-02'],
    ['2023-01-02T23:00:00-10:00', '2023-01-03'],
  ])('date %s is stored as %s', (input, stored) => {
    expect(normalizeDate(input)).toBe(stored);
  });

  test.each([
    ['2023', '2023-01-01T00:00:00.000000000Z'],
    ['2023-01-02T13:00', '2023-01-02T13:00:00.000000000Z'],
    ['2023-01-02T13:00:00.000000000+02:00', '2023-01-02T11:00:00.000000000Z'],
    ['2023-01-02T13:00:00.123Z', '2023-01-02T13:00:00.123000000Z'],
  ])('timestamp %s is stored as %s', (input, stored) => {
    expect(normalizeTimestamp(input)).toBe(stored);
  });

  test('impossible dates and other text are refused', () => {
    for (const input of ['2023-02-30', 'tomorrow', '2023-01-02T25:00', '']) {
      expect(normalizeDate(input)).toBeUndefined();
      expect(normalizeTimestamp(input)).toBeUndefined();
    }
  });

  test('responses carry nanosecond timestamps', () => {
    expect(attioTimestamp(Date.parse('2025-07-27T01:45:27.220Z'))).toBe('2025-07-27T01:45:27.220000000Z');
  });
});

describe('rate limits', () => {
  test('GET and the query endpoints are reads; every other call is a write', () => {
    expect(requestKind('GET', '/v2/objects')).toBe('read');
    expect(requestKind('POST', '/v2/objects/people/records/query')).toBe('read');
    expect(requestKind('POST', '/v2/lists/sales/entries/query')).toBe('read');
    expect(requestKind('POST', '/v2/objects/people/records')).toBe('write');
    expect(requestKind('PUT', '/v2/lists/sales/entries')).toBe('write');
    expect(requestKind('PATCH', '/v2/lists/sales/attributes/stage/statuses/x')).toBe('write');
  });

  test('a full second refuses more until the next second begins, and says when that is', () => {
    const limiter = new RateLimiter({ readsPerSecond: 2, writesPerSecond: 1 });
    const second = Date.parse('2026-11-23T10:00:00Z');
    expect(limiter.take('write', second + 100)).toBeUndefined();
    expect(limiter.take('write', second + 200)).toBe(second + 1000);
    expect(limiter.take('read', second + 300)).toBeUndefined();
    expect(limiter.take('read', second + 400)).toBeUndefined();
    expect(limiter.take('read', second + 500)).toBe(second + 1000);
    expect(limiter.take('write', second + 1000)).toBeUndefined();
  });
});
