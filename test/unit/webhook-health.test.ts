/**
 * The watch workflow's decisions (workflows/webhook-health.ts), without a server: what an inspection means, how long
 * to wait before a retry, and which failures need a person.
 */
import { ApplicationFailure, ActivityFailure, RetryState } from '@temporalio/common';
import { ASANA_ERRORS } from '../../common/error-types';
import {
  describeFailure,
  HEALTH_DEFAULTS,
  healthVerdict,
  needsAttention,
  retryDelayMs,
  type WebhookInspection,
} from '../../workflows/webhook-health';

const HOUR = 3_600_000;
const base = Date.parse('2026-11-20T00:00:00Z');
const at = (hours: number) => new Date(base + hours * HOUR).toISOString();
const now = base + 30 * HOUR;
const recent = { lastHeartbeatAt: new Date(now - HOUR).toISOString() };

const failing = (
  lastSuccess: number,
  lastFailure: number,
  extra: Partial<WebhookInspection> = {},
): WebhookInspection => ({
  exists: true,
  last_success_at: at(lastSuccess),
  last_failure_at: at(lastFailure),
  ...extra,
});

describe('healthVerdict', () => {
  test('a webhook Asana deleted is re-created', () => {
    expect(healthVerdict({ exists: false }, recent, now, HEALTH_DEFAULTS)).toEqual({
      action: 'recreate',
      reason: 'Asana deleted the webhook',
    });
  });

  test('a webhook whose last attempt succeeded is confirmed healthy', () => {
    expect(healthVerdict(failing(2, 1), recent, now, HEALTH_DEFAULTS)).toEqual({
      action: 'confirm',
      health: 'healthy',
    });
  });

  test('a new webhook with no delivery yet is healthy, even though Asana shows active: false', () => {
    const created: WebhookInspection = { exists: true, active: false, created_at: at(0) };
    expect(healthVerdict(created, recent, now, HEALTH_DEFAULTS)).toMatchObject({
      action: 'confirm',
      health: 'healthy',
    });
  });

  test('a failing webhook Asana deactivated is re-created; a working one showing active: false is not', () => {
    expect(healthVerdict(failing(0, 1, { active: false }), recent, now, HEALTH_DEFAULTS)).toMatchObject({
      action: 'recreate',
    });
    expect(healthVerdict(failing(2, 1, { active: false }), recent, now, HEALTH_DEFAULTS)).toMatchObject({
      action: 'confirm',
    });
  });

  test('on a quiet project, a first failure hours after the last heartbeat counts as just started', () => {
    const verdict = healthVerdict(failing(0, 3), recent, now, HEALTH_DEFAULTS);
    expect(verdict).toEqual({
      action: 'wait',
      health: 'failing',
      reason: 'deliveries failing for 0 min',
      failingSince: at(3),
    });
  });

  test('failing time runs from the first failure remembered, and re-creates at the threshold', () => {
    const memory = { ...recent, failingSince: at(3) };
    expect(healthVerdict(failing(0, 4.5), memory, now, HEALTH_DEFAULTS)).toMatchObject({
      action: 'wait',
      failingSince: at(3),
    });
    expect(healthVerdict(failing(0, 5, { delivery_retry_count: 7 }), memory, now, HEALTH_DEFAULTS)).toEqual({
      action: 'recreate',
      reason: 'deliveries failing for 120 min, 7 retries',
      failingSince: at(3),
    });
  });

  test("a first check late in an outage measures from Asana's deletion deadline less 24 h", () => {
    const lateFirstLook = failing(0, 16, { failure_deletion_timestamp: at(25) });
    expect(healthVerdict(lateFirstLook, recent, now, HEALTH_DEFAULTS)).toEqual({
      action: 'recreate',
      reason: 'deliveries failing for 900 min',
      failingSince: at(1),
    });
  });

  test('on a quiet project, a deletion deadline 24 h after the first failure agrees that it just started', () => {
    const quiet = failing(0, 3, { failure_deletion_timestamp: at(27) });
    expect(healthVerdict(quiet, recent, now, HEALTH_DEFAULTS)).toMatchObject({ action: 'wait', failingSince: at(3) });
  });

  test('a remembered failure from before the last success belongs to an earlier outage and is forgotten', () => {
    const memory = { ...recent, failingSince: at(1) };
    expect(healthVerdict(failing(2, 3), memory, now, HEALTH_DEFAULTS)).toMatchObject({
      action: 'wait',
      failingSince: at(3),
    });
  });

  test('a failing webhook close to Asana deleting it is re-created, however short the failing seen', () => {
    const nearDeletion = failing(0, 20, { failure_deletion_timestamp: at(24) });
    expect(healthVerdict(nearDeletion, recent, now, HEALTH_DEFAULTS)).toEqual({
      action: 'recreate',
      reason: 'Asana will delete the webhook in 240 min',
      failingSince: at(20),
    });
  });

  test('a heartbeat missing for longer than 8 h plus the grace is overdue; the registration counts as one', () => {
    const registeredLongAgo = { registeredAt: new Date(now - 10 * HOUR).toISOString() };
    expect(healthVerdict(failing(2, 1), registeredLongAgo, now, HEALTH_DEFAULTS)).toEqual({
      action: 'confirm',
      health: 'heartbeat-overdue',
      reason: 'no heartbeat for 600 min',
    });
    const registeredRecently = { registeredAt: new Date(now - 8.5 * HOUR).toISOString() };
    expect(healthVerdict(failing(2, 1), registeredRecently, now, HEALTH_DEFAULTS)).toMatchObject({ health: 'healthy' });
  });
});

describe('retryDelayMs', () => {
  const settings = { retryInitialMs: 30_000, retryMaxMs: 600_000 };

  test('nothing failed: no wait', () => {
    expect(retryDelayMs(0, settings)).toBe(0);
  });

  test('doubles from the initial wait and stays at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((failures) => retryDelayMs(failures, settings))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000,
    ]);
  });
});

describe('needsAttention', () => {
  test('a revoked token, lost access and a resource gone need a person', () => {
    expect([ASANA_ERRORS.credentials, ASANA_ERRORS.forbidden, ASANA_ERRORS.notFound].map(needsAttention)).toEqual([
      true,
      true,
      true,
    ]);
  });

  test('outages, rate limits, refused handshakes and timeouts clear by themselves', () => {
    expect(
      [ASANA_ERRORS.server, ASANA_ERRORS.rateLimited, ASANA_ERRORS.validation, undefined].map(needsAttention),
    ).toEqual([false, false, false, false]);
  });
});

describe('describeFailure', () => {
  test("names an activity failure's Asana error type and its own message", () => {
    const cause = ApplicationFailure.nonRetryable(
      'Asana 401 on POST /webhooks: Not Authorized',
      ASANA_ERRORS.credentials,
    );
    const failure = new ActivityFailure(
      'Activity task failed',
      'createAsanaWebhook',
      '1',
      RetryState.NON_RETRYABLE_FAILURE,
      undefined,
      cause,
    );
    expect(describeFailure(failure)).toEqual({
      type: ASANA_ERRORS.credentials,
      message: 'Asana 401 on POST /webhooks: Not Authorized',
    });
  });

  test('an error without a type has only a message', () => {
    expect(describeFailure(new Error('boom'))).toEqual({ type: undefined, message: 'boom' });
  });
});
