/**
 * The secrets a delivery for a watched resource may be signed with (docs/decisions/0002 and 0008).
 *
 * Where they are read: the watch workflow keeps them in its memo (`WEBHOOK_SECRETS_MEMO`, encrypted by the payload
 * codec like every payload), and `describe()` returns the memo decoded through the client's data converter. The
 * Temporal server answers `describe` alone, so deliveries are verified while every worker is down; the
 * `webhookSecrets` query, which needs a worker, is asked only of a watch workflow that has no such memo (one started
 * before the memo existed).
 *
 * How often: a request that is not signed with a secret we know is free to send, so looking up costs must not grow
 * with forgeries. Answers are cached (found ones for `ttlMs`, "nothing watches this" for `unknownTtlMs`), a fresh
 * lookup (after a signature did not match) reuses any answer younger than `freshIntervalMs`, and concurrent lookups
 * of one resource share one call. A resource thus costs Temporal at most one lookup per `freshIntervalMs`, whatever
 * arrives for it. Forgeries spread over many invented gids are bounded too: lookups of resources with no known secrets
 * share a budget (`unknownLookupsPerSecond`); past it the request is answered 503 (Asana retries a real one), while
 * deliveries for resources already known go on unaffected.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { registerSecretValues } from '../common/logger';
import { webhookWorkflowId } from '../common/workflow-ids';
import { WEBHOOK_SECRETS_MEMO, type WebhookSecrets, webhookSecretsQuery } from '../workflows/definitions';

export interface WebhookSecretSource {
  /**
   * The watch workflow's secrets, or undefined when nothing watches this resource. `fresh` asks for an answer no
   * older than the source's fresh interval (a signature did not match the usual one).
   */
  get(resourceGid: string, options?: { fresh?: boolean }): Promise<WebhookSecrets | undefined>;
  /**
   * Marks what is known of a resource as outdated, so the next delivery looks again: its watch workflow just took a
   * new secret (a handshake this receiver recorded), so it is watched and its lookup is not throttled as unknown.
   */
  expire?(resourceGid: string): void;
}

/** Too many lookups of unknown resources just now: answer 503 (a real delivery is retried by Asana). */
export class SecretLookupsThrottled extends Error {
  constructor() {
    super('too many lookups of unknown webhook targets; retry later');
    this.name = 'SecretLookupsThrottled';
  }
}

/** One lookup in Temporal, uncached. */
export type LookUpWebhookSecrets = (resourceGid: string) => Promise<WebhookSecrets | undefined>;

const MemoSecrets = z.object({
  status: z.enum(['registering', 'active', 'unwatched']),
  secrets: z.array(z.string()),
});

/**
 * Reads a watch workflow's secrets: its memo through `describe()` (no worker needed), else its query.
 * @param timeoutMs gRPC deadline of each call. @default 5000
 */
export function lookUpWebhookSecretsIn(client: Client, timeoutMs = 5_000): LookUpWebhookSecrets {
  return async (resourceGid) => {
    const handle = client.workflow.getHandle(webhookWorkflowId(resourceGid));
    try {
      const { memo } = await client.connection.withDeadline(Date.now() + timeoutMs, () => handle.describe());
      const fromMemo = memo?.[WEBHOOK_SECRETS_MEMO];
      const found =
        fromMemo !== undefined
          ? MemoSecrets.parse(fromMemo)
          : await client.connection.withDeadline(Date.now() + timeoutMs, () => handle.query(webhookSecretsQuery));
      // Scrubbed from every log line, should one ever carry it.
      registerSecretValues(found.secrets);
      return found;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  };
}

export interface CachedWebhookSecretsOptions {
  /** How long a found answer is reused. @default 30_000 */
  ttlMs?: number;
  /** How long "nothing watches this resource" is reused. @default the smaller of 5_000 and `ttlMs` */
  unknownTtlMs?: number;
  /** A fresh lookup reuses an answer younger than this: at most one Temporal call per resource per interval. @default 5_000 */
  freshIntervalMs?: number;
  /**
   * Lookups per second (and burst) of resources with no known secrets: what invented gids can cost Temporal.
   * @default 50
   */
  unknownLookupsPerSecond?: number;
  /**
   * Most "nothing watches this" answers remembered, the oldest dropped first. They are kept apart from found answers,
   * so a flood of invented gids never pushes a watched resource out. @default 10_000
   */
  maxUnknownEntries?: number;
  /** The clock (tests pass a fake one). @default Date.now */
  now?: () => number;
}

export class CachedWebhookSecrets implements WebhookSecretSource {
  /** Found answers, by resource gid: only real watch workflows put entries here. */
  private readonly found = new Map<string, { value: WebhookSecrets; at: number }>();
  /** When "nothing watches this" was last answered, by resource gid, oldest first. */
  private readonly missing = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<WebhookSecrets | undefined>>();
  private readonly ttlMs: number;
  private readonly unknownTtlMs: number;
  private readonly freshIntervalMs: number;
  private readonly maxUnknownEntries: number;
  private readonly now: () => number;
  private readonly unknownLookupsPerSecond: number;
  /** Token bucket of lookups of unknown resources. */
  private unknownBudget: { tokens: number; at: number };

  constructor(
    private readonly lookUp: LookUpWebhookSecrets,
    options: CachedWebhookSecretsOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.unknownTtlMs = options.unknownTtlMs ?? Math.min(5_000, this.ttlMs);
    this.freshIntervalMs = options.freshIntervalMs ?? 5_000;
    this.maxUnknownEntries = options.maxUnknownEntries ?? 10_000;
    this.now = options.now ?? Date.now;
    this.unknownLookupsPerSecond = options.unknownLookupsPerSecond ?? 50;
    this.unknownBudget = { tokens: this.unknownLookupsPerSecond, at: this.now() };
  }

  async get(resourceGid: string, options: { fresh?: boolean } = {}): Promise<WebhookSecrets | undefined> {
    const maxAge = (ttl: number) => (options.fresh ? Math.min(ttl, this.freshIntervalMs) : ttl);
    const found = this.found.get(resourceGid);
    if (found && this.now() - found.at < maxAge(this.ttlMs)) return found.value;
    const missingAt = this.missing.get(resourceGid);
    if (missingAt !== undefined && this.now() - missingAt < maxAge(this.unknownTtlMs)) return undefined;
    return this.lookUpOnce(resourceGid, found !== undefined);
  }

  expire(resourceGid: string): void {
    const value = this.found.get(resourceGid)?.value ?? { status: 'registering', secrets: [] };
    this.found.set(resourceGid, { value, at: Number.NEGATIVE_INFINITY });
    this.missing.delete(resourceGid);
  }

  private lookUpOnce(resourceGid: string, known: boolean): Promise<WebhookSecrets | undefined> {
    const pending = this.inFlight.get(resourceGid);
    if (pending) return pending;
    if (!known && !this.takeUnknownLookup()) return Promise.reject(new SecretLookupsThrottled());
    const lookup = this.lookUp(resourceGid)
      .then((value) => {
        this.remember(resourceGid, value);
        return value;
      })
      .finally(() => this.inFlight.delete(resourceGid));
    this.inFlight.set(resourceGid, lookup);
    return lookup;
  }

  private takeUnknownLookup(): boolean {
    const now = this.now();
    const rate = this.unknownLookupsPerSecond;
    const tokens = Math.min(rate, this.unknownBudget.tokens + ((now - this.unknownBudget.at) * rate) / 1000);
    this.unknownBudget = { tokens: tokens >= 1 ? tokens - 1 : tokens, at: now };
    return tokens >= 1;
  }

  private remember(resourceGid: string, value: WebhookSecrets | undefined): void {
    if (value) {
      this.found.set(resourceGid, { value, at: this.now() });
      this.missing.delete(resourceGid);
      return;
    }
    this.found.delete(resourceGid);
    // Re-inserted, so the Map's order is the order of answers and the first key is the oldest.
    this.missing.delete(resourceGid);
    this.missing.set(resourceGid, this.now());
    if (this.missing.size > this.maxUnknownEntries) this.missing.delete(this.missing.keys().next().value!);
  }
}

/** The receiver's secret source: memo-first lookups in Temporal behind the cache. */
export class TemporalWebhookSecrets extends CachedWebhookSecrets {
  /** @param ttlMs how long a found answer is reused. @default 30_000 */
  constructor(client: Client, ttlMs = 30_000, options: Omit<CachedWebhookSecretsOptions, 'ttlMs'> = {}) {
    super(lookUpWebhookSecretsIn(client), { ttlMs, ...options });
  }
}
