/**
 * The watch workflow's decisions, as pure functions of what Asana reported, what the workflow remembers and the time:
 * no I/O and no Temporal API, so they are unit-tested without a server (test/unit/webhook-health.test.ts) and the
 * workflow function (watch-asana-resource.ts) only carries them out. Safe to import from workflow code.
 */
import { ASANA_ERRORS } from '../common/error-types';
import type { WebhookHealthSettings } from './definitions';

export const HEALTH_DEFAULTS = {
  intervalMs: 10 * 60 * 1000,
  failingThresholdMs: 2 * 60 * 60 * 1000,
  deletionMarginMs: 6 * 60 * 60 * 1000,
  heartbeatGraceMs: 60 * 60 * 1000,
  retryInitialMs: 30 * 1000,
  retryMaxMs: 10 * 60 * 1000,
} as const satisfies Required<WebhookHealthSettings>;

export type HealthSettings = Required<WebhookHealthSettings>;

/** Asana deletes a webhook whose deliveries failed for 24 hours (docs/asana.md 1.6, 1.7). */
const ASANA_DELETES_AFTER_MS = 24 * 60 * 60 * 1000;

/** Asana sends a heartbeat every 8 hours (docs/asana.md 1.6). */
export const HEARTBEAT_INTERVAL_MS = 8 * 60 * 60 * 1000;

/** A webhook's delivery health, as GET /webhooks/{gid} reports it (times are Asana's, ISO 8601). */
export type WebhookInspection =
  | { exists: false }
  | {
      exists: true;
      active?: boolean | null;
      created_at?: string | null;
      last_success_at?: string | null;
      last_failure_at?: string | null;
      last_failure_content?: string | null;
      delivery_retry_count?: number | null;
      next_attempt_after?: string | null;
      failure_deletion_timestamp?: string | null;
      /**
       * Set when the webhook posts to another receiver than the one configured now (RECEIVER_PUBLIC_URL changed: a
       * domain move): the base URLs, without the registration's query.
       */
      targetMoved?: { from: string; to: string };
    };

/** What a verdict needs to remember from earlier checks. */
export interface HealthMemory {
  /**
   * When the current run of failures began (Asana's clock): the earliest of `last_failure_at` at the first check that
   * saw it and `failure_deletion_timestamp` − 24 h. How long deliveries have been failing is measured from here, never
   * from the last success, which on a quiet project can be one heartbeat (8 h) old.
   */
  failingSince?: string;
  /** Our clock: the last heartbeat received, else the registration. */
  lastHeartbeatAt?: string;
  registeredAt?: string;
}

export type HealthVerdict =
  | { action: 'recreate'; reason: string; failingSince?: string }
  | { action: 'wait'; health: 'failing'; reason: string; failingSince: string }
  | { action: 'confirm'; health: 'healthy' | 'heartbeat-overdue'; reason?: string };

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : undefined);
const minutes = (duration: number) => `${Math.round(duration / 60_000)} min`;

/**
 * What to do after an inspection. `recreate` when Asana deleted or deactivated the webhook, when deliveries have
 * failed for `failingThresholdMs` since the first failure seen, or when Asana's deletion deadline is within
 * `deletionMarginMs`; `wait` while deliveries fail for less; `confirm` when deliveries succeed (the point up to which
 * changes are known delivered moves on). Asana's timestamps are compared with each other, and our heartbeat times
 * with our clock, so neither clock needs to agree with the other.
 */
export function healthVerdict(
  inspection: WebhookInspection,
  memory: HealthMemory,
  now: number,
  settings: HealthSettings,
): HealthVerdict {
  if (!inspection.exists) return { action: 'recreate', reason: 'Asana deleted the webhook' };
  const lastFailure = ms(inspection.last_failure_at);
  const lastSuccess = ms(inspection.last_success_at) ?? ms(inspection.created_at);
  const failing = lastFailure !== undefined && (lastSuccess === undefined || lastFailure > lastSuccess);
  if (failing && inspection.active === false) {
    // Asana shows `active: false` even on a working webhook (docs/asana.md 1.1): only a failing one counts as dead.
    return { action: 'recreate', reason: 'Asana deactivated the webhook after failed deliveries' };
  }
  if (failing) {
    const deletion = ms(inspection.failure_deletion_timestamp);
    // Asana deletes a webhook after 24 h of failures, so its deadline names the first failure; a start remembered
    // from before the last success belongs to an earlier run of failures.
    const starts = [ms(memory.failingSince), deletion === undefined ? undefined : deletion - ASANA_DELETES_AFTER_MS];
    const since = Math.min(
      lastFailure,
      ...starts.filter(
        (start): start is number => start !== undefined && (lastSuccess === undefined || start > lastSuccess),
      ),
    );
    const failingSince = new Date(since).toISOString();
    const failingFor = lastFailure - since;
    const retries = inspection.delivery_retry_count ? `, ${inspection.delivery_retry_count} retries` : '';
    if (failingFor >= settings.failingThresholdMs) {
      return { action: 'recreate', reason: `deliveries failing for ${minutes(failingFor)}${retries}`, failingSince };
    }
    if (deletion !== undefined && deletion - lastFailure <= settings.deletionMarginMs) {
      return {
        action: 'recreate',
        reason: `Asana will delete the webhook in ${minutes(deletion - lastFailure)}${retries}`,
        failingSince,
      };
    }
    return {
      action: 'wait',
      health: 'failing',
      reason: `deliveries failing for ${minutes(failingFor)}${retries}`,
      failingSince,
    };
  }
  const heartbeatAt = ms(memory.lastHeartbeatAt) ?? ms(memory.registeredAt);
  if (heartbeatAt !== undefined && now - heartbeatAt > HEARTBEAT_INTERVAL_MS + settings.heartbeatGraceMs) {
    return { action: 'confirm', health: 'heartbeat-overdue', reason: `no heartbeat for ${minutes(now - heartbeatAt)}` };
  }
  return { action: 'confirm', health: 'healthy' };
}

/** How long to wait before attempt `failures + 1` of something that failed `failures` times in a row: doubling, capped. */
export function retryDelayMs(
  failures: number,
  settings: Pick<HealthSettings, 'retryInitialMs' | 'retryMaxMs'>,
): number {
  if (failures <= 0) return 0;
  const doubled = settings.retryInitialMs * 2 ** Math.min(failures - 1, 30);
  return Math.min(doubled, settings.retryMaxMs);
}

/**
 * Whether a failure needs a person: a revoked or wrong token (401), a token without access (402/403 on the
 * resource), or a resource Asana no longer has (404). Anything else (5xx, 429, a refused handshake while the
 * receiver is down, timeouts) clears by itself, so it is retried.
 */
export function needsAttention(failureType: string | undefined): boolean {
  return (
    failureType === ASANA_ERRORS.credentials ||
    failureType === ASANA_ERRORS.forbidden ||
    failureType === ASANA_ERRORS.notFound
  );
}

/**
 * The failure type (an ApplicationFailure's `type`, from the Asana client's errors) and the innermost message of an
 * activity or child workflow failure, for the health reason and `needsAttention`.
 */
export function describeFailure(error: unknown): { type?: string; message: string } {
  let type: string | undefined;
  let message = error instanceof Error ? error.message : String(error);
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const candidate = (current as { type?: unknown }).type;
    if (typeof candidate === 'string' && candidate) type = candidate;
    if (current.message) message = current.message;
  }
  return { type, message };
}
