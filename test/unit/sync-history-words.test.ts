import { errorInWords, syncStateValues } from '../../activities/attio-sync-history';

describe('the error a person reads on a record', () => {
  test('is the first line of the message, without the stack trace', () => {
    const message =
      'Attio 400 on PUT /v2/lists/sales_tasks/entries: value_not_found\n    at write (activities/attio.ts:12:3)';
    expect(errorInWords(message)).toBe('Attio 400 on PUT /v2/lists/sales_tasks/entries: value_not_found');
  });

  test('never carries a credential: bearer values, key=value secrets and long keys are redacted', () => {
    const words = errorInWords(
      'refused Bearer abc.def token=s3cr3t key: hunter2 attio_stand_in_demo_token_00000000000000000000000000000000000000',
    );
    expect(words).not.toMatch(/abc\.def|s3cr3t|hunter2|demo_token_0/);
    expect(words).toContain('[redacted]');
  });

  test('keeps ordinary words and record ids readable', () => {
    const id = '891dcbfc-9141-415d-9b2a-2238a6cc012d';
    expect(errorInWords(`Attio says this token is not active for record ${id}`)).toBe(
      `Attio says this token is not active for record ${id}`,
    );
  });

  test('is cut to a sentence or two, and is never empty', () => {
    expect(errorInWords('x'.repeat(2_000)).length).toBeLessThanOrEqual(400);
    expect(errorInWords('\n  at somewhere')).toBe('unknown error');
  });
});

describe('the sync attributes of a write', () => {
  test('name the outcome and the time, and empty the error unless there is one', () => {
    expect(syncStateValues('synced', '2026-12-01T10:00:00.000Z')).toEqual({
      asana_sync_status: ['synced'],
      asana_last_synced_at: ['2026-12-01T10:00:00.000Z'],
      asana_last_sync_error: [],
    });
    expect(syncStateValues('failed', '2026-12-01T10:00:00.000Z', 'Attio refused it').asana_last_sync_error).toEqual([
      'Attio refused it',
    ]);
  });
});
