/**
 * The Asana stand-in's webhooks: registration with the handshake performed while the create request is in flight,
 * event routing, signed batched deliveries, retries with backoff, heartbeats, and deletion after 24 h of failures.
 * Sources: docs/asana.md §1. Where Asana documents nothing, the fact sheet's guess is followed and marked.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { signDelivery } from '../../asana/webhook-signature';
import type { StandInClock } from '../kit/clock';
import type { AsanaEvent, AsanaStore, Compact } from './store';

export interface WebhookFilter {
  resource_type?: string;
  resource_subtype?: string;
  action?: string;
  fields?: string[];
}

export interface Webhook {
  gid: string;
  resource: Compact;
  /** The workspace of the resource: GET /webhooks lists one workspace's webhooks (stand-in internal). */
  workspace: string;
  target: string;
  filters: WebhookFilter[];
  active: boolean;
  secret: string;
  created_at: string;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_failure_content: string | null;
  delivery_retry_count: number;
  next_attempt_after: string | null;
  failure_deletion_timestamp: string | null;
  /** Events waiting for the next delivery (stand-in internal). */
  queue: AsanaEvent[];
  /** A heartbeat is due (stand-in internal). */
  heartbeatDue: boolean;
  firstFailureAtMs: number | null;
  inFlight: boolean;
  cancelTimers: (() => void)[];
}

export interface WebhookSettings {
  /** Asana waits 10 s for an answer (docs/asana.md 1.6). */
  deliveryTimeoutMs: number;
  /** Heartbeats every 8 h (stand-in clock). */
  heartbeatIntervalMs: number;
  /** Events of one burst travel in one delivery: this long after the first (real ms). Batching is undocumented (1.4). */
  batchWindowMs: number;
  /** First retry after this long; then doubling, but never longer than the outage so far (1.6, inferred). */
  initialRetryMs: number;
  /** Asana deletes the webhook after 24 h of failures. */
  deleteAfterFailingMs: number;
  allowLoopbackTargets: boolean;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  deliveryTimeoutMs: 10_000,
  heartbeatIntervalMs: 8 * 3_600_000,
  batchWindowMs: 100,
  initialRetryMs: 60_000,
  deleteAfterFailingMs: 24 * 3_600_000,
  allowLoopbackTargets: false,
};

export class WebhookError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Asana's machine-readable `error` next to the message, where it sends one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Resources whose webhooks Asana calls higher-level (or larger scoped): they need whitelisted filters (1.3). */
const HIGHER_LEVEL = new Set(['workspace', 'team', 'portfolio', 'goal']);

/**
 * What a higher-level webhook may filter on (WH:L105-119, docs/asana.md 1.3): project events, and team and workspace
 * membership changes; never tasks, subtasks or stories.
 */
const HIGHER_LEVEL_WHITELIST: Record<string, readonly string[]> = {
  project: ['added', 'removed', 'deleted', 'undeleted', 'changed'],
  team_membership: ['added', 'removed'],
  workspace_membership: ['added', 'removed'],
};

/**
 * Asana's answer to a higher-level webhook without filters, or with one outside the whitelist (observed body,
 * docs/asana.md 1.3). A filter must name its resource type and action to be checked against the whitelist; one
 * without them would pass every event, which is what the rule forbids, so it is refused too.
 */
function assertWhitelisted(filters: WebhookFilter[] | undefined): void {
  const whitelisted = (f: WebhookFilter) =>
    !!f.resource_type &&
    !!f.action &&
    !f.fields &&
    !f.resource_subtype &&
    (HIGHER_LEVEL_WHITELIST[f.resource_type] ?? []).includes(f.action);
  if (!filters || filters.length === 0 || !filters.every(whitelisted)) {
    throw new WebhookError(
      400,
      'Webhooks for larger scoped resources must have at least one filter and all filters must be in our whitelist.',
      'invalid_filters_for_larger_scoped_webhooks',
    );
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|0\.0\.0\.0)$/i;

export interface DeliveryRecord {
  webhookGid: string;
  at: string;
  events: number;
  /** The gids of the resources its events name, in order (a chaos run checks each acknowledged one reached Attio). */
  resourceGids: string[];
  status: number | 'timeout' | 'error';
}

/** A delivery outage as the control API starts it: the target is down until `until` (stand-in time). */
export interface Outage {
  until: number;
  /** A target that is really down refuses handshakes too, so re-creating the webhook fails until the outage ends. */
  refuseHandshakes: boolean;
}

export class Webhooks {
  readonly all = new Map<string, Webhook>();
  readonly deliveries: DeliveryRecord[] = [];
  private closed = false;
  /** Until this stand-in time, every delivery fails as if the target were down (control API: an outage). */
  outageUntil = 0;
  /** Until this stand-in time, every handshake fails too (an outage that refuses handshakes). */
  handshakesRefusedUntil = 0;

  constructor(
    private readonly store: AsanaStore,
    private readonly clock: StandInClock,
    readonly settings: WebhookSettings,
  ) {
    store.onEvent((event) => this.route(event));
  }

  private webhookCount = 0;

  /**
   * Webhook gids never repeat, not even across stand-in restarts (Asana's gids are global): a watch workflow that
   * outlived a restarted demo must find its old webhook gone, not someone else's webhook under the same gid.
   */
  private webhookGid(): string {
    this.webhookCount += 1;
    return String(BigInt(Date.now()) * 1000n + BigInt(this.webhookCount % 1000));
  }

  /** Starts a delivery outage of `ms` (stand-in time) from now; by default handshakes are refused too. */
  startOutage(ms: number, options: { refuseHandshakes?: boolean } = {}): Outage {
    if (!(Number.isFinite(ms) && ms > 0)) throw new WebhookError(400, 'ms: a positive number of milliseconds');
    const outage = { until: this.clock.now() + ms, refuseHandshakes: options.refuseHandshakes ?? true };
    this.outageUntil = outage.until;
    this.handshakesRefusedUntil = outage.refuseHandshakes ? outage.until : 0;
    return outage;
  }

  /** Ends an outage now; queued deliveries go out at their next attempt. */
  endOutage(): void {
    this.outageUntil = 0;
    this.handshakesRefusedUntil = 0;
  }

  outage(): Outage | null {
    if (this.clock.now() >= this.outageUntil) return null;
    return { until: this.outageUntil, refuseHandshakes: this.clock.now() < this.handshakesRefusedUntil };
  }

  /** POST /webhooks: validates, performs the handshake (awaited: the create request stays open), then creates. */
  async create(input: { resource: string; target: string; filters?: WebhookFilter[] }): Promise<Webhook> {
    const resource = this.resourceOf(input.resource);
    const workspace = this.workspaceOf(resource);
    let url: URL;
    try {
      url = new URL(input.target);
    } catch {
      throw new WebhookError(400, 'target: Not a valid URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookError(400, 'target: Not a valid URL');
    // "Invalid hostnames like localhost will receive a 403 Forbidden status code" (OAS:L64248).
    if (LOOPBACK.test(url.hostname) && !this.settings.allowLoopbackTargets) {
      throw new WebhookError(403, 'Invalid hostname for webhook target');
    }
    if (HIGHER_LEVEL.has(resource.resource_type)) assertWhitelisted(input.filters);
    for (const existing of this.all.values()) {
      if (existing.resource.gid === input.resource && existing.target === input.target) {
        throw new WebhookError(
          403,
          'Duplicated webhook. You already have an existing webhook for the given resource and target. Delete the old one before creating another.',
        );
      }
    }

    const secret = randomBytes(32).toString('hex');
    // The handshake: a POST to the target while our caller's create request is still waiting (1.2).
    let echoed: string | null = null;
    let status: number;
    if (this.clock.now() < this.handshakesRefusedUntil) {
      status = 0; // connection refused: the target is down
    } else
      try {
        const response = await request(input.target, {
          method: 'POST',
          headers: { 'x-hook-secret': secret, 'content-type': 'application/json' },
          body: '',
          headersTimeout: this.settings.deliveryTimeoutMs,
          bodyTimeout: this.settings.deliveryTimeoutMs,
        });
        status = response.statusCode;
        echoed = typeof response.headers['x-hook-secret'] === 'string' ? response.headers['x-hook-secret'] : null;
        await response.body.dump();
      } catch {
        status = 0;
      }
    if ((status !== 200 && status !== 204) || echoed !== secret) {
      // The status of a failed handshake is UNDOCUMENTED; the fact sheet's choice is 400 with an ErrorResponse (1.2).
      throw new WebhookError(400, 'The remote server did not respond with the handshake secret.');
    }
    const now = this.clock.nowIso();
    const webhook: Webhook = {
      gid: this.webhookGid(),
      resource,
      workspace,
      target: input.target,
      filters: input.filters ?? [],
      active: true,
      secret,
      created_at: now,
      // The handshake counts as the first heartbeat (1.6).
      last_success_at: now,
      last_failure_at: null,
      last_failure_content: null,
      delivery_retry_count: 0,
      next_attempt_after: null,
      failure_deletion_timestamp: null,
      queue: [],
      heartbeatDue: false,
      firstFailureAtMs: null,
      inFlight: false,
      cancelTimers: [],
    };
    this.all.set(webhook.gid, webhook);
    this.scheduleHeartbeat(webhook);
    return webhook;
  }

  /** PUT /webhooks/{gid}: the filters are replaced whole (OAS:L64685-64691), under the same rules as at creation. */
  replaceFilters(gid: string, filters: WebhookFilter[]): Webhook {
    const webhook = this.get(gid);
    if (HIGHER_LEVEL.has(webhook.resource.resource_type)) assertWhitelisted(filters);
    webhook.filters = filters;
    return webhook;
  }

  delete(gid: string): void {
    const webhook = this.all.get(gid);
    if (!webhook) throw new WebhookError(404, `webhook ${gid} does not exist`);
    this.remove(webhook);
  }

  get(gid: string): Webhook {
    const webhook = this.all.get(gid);
    if (!webhook) throw new WebhookError(404, `webhook ${gid} does not exist`);
    return webhook;
  }

  /** Sends a heartbeat now (control API). */
  heartbeat(gid: string): void {
    const webhook = this.get(gid);
    webhook.heartbeatDue = true;
    void this.deliver(webhook);
  }

  close(): void {
    this.closed = true;
    for (const webhook of this.all.values()) webhook.cancelTimers.forEach((cancel) => cancel());
  }

  private remove(webhook: Webhook): void {
    webhook.cancelTimers.forEach((cancel) => cancel());
    // At most once: whatever was queued is gone with the webhook (1.6).
    webhook.queue = [];
    this.all.delete(webhook.gid);
  }

  private resourceOf(gid: string): Compact {
    if (this.store.projects.get(gid) && !this.store.projects.get(gid)!.deleted)
      return this.store.compact('project', gid);
    if (this.store.tasks.get(gid) && !this.store.tasks.get(gid)!.deleted) return this.store.compact('task', gid);
    const workspace = this.store.workspaces.get(gid);
    if (workspace) return { gid, resource_type: 'workspace', name: workspace.name };
    const team = this.store.teams.get(gid);
    if (team) return { gid, resource_type: 'team', name: team.name };
    throw new WebhookError(404, `resource: Unknown object: ${gid}`);
  }

  private workspaceOf(resource: Compact): string {
    if (resource.resource_type === 'workspace') return resource.gid;
    if (resource.resource_type === 'project') return this.store.projects.get(resource.gid)!.workspace;
    return this.store.tasks.get(resource.gid)!.workspace;
  }

  private matches(webhook: Webhook, event: AsanaEvent): boolean {
    const { resource } = webhook;
    let concerned: boolean;
    if (resource.resource_type === 'workspace') {
      // Higher-level webhooks never carry task, subtask or story events (1.3).
      concerned = event.workspace === resource.gid && event.resource.resource_type === 'project';
    } else if (resource.resource_type === 'team') {
      concerned =
        event.resource.resource_type === 'project' &&
        this.store.projects.get(event.resource.gid)?.team === resource.gid;
    } else if (resource.resource_type === 'project') {
      concerned = event.projects.includes(resource.gid);
    } else {
      concerned = event.resource.gid === resource.gid;
    }
    if (!concerned) return false;
    if (webhook.filters.length === 0) return true;
    // A delivery passes if it matches any filter (1.3).
    return webhook.filters.some(
      (f) =>
        (!f.resource_type || f.resource_type === event.resource.resource_type) &&
        (!f.resource_subtype || f.resource_subtype === event.resource.resource_subtype) &&
        (!f.action || f.action === event.action) &&
        (!f.fields || (event.action === 'changed' && !!event.change && f.fields.includes(event.change.field))),
    );
  }

  private route(event: AsanaEvent): void {
    for (const webhook of this.all.values()) {
      if (!webhook.active || !this.matches(webhook, event)) continue;
      webhook.queue.push(event);
      if (webhook.queue.length === 1 && !webhook.next_attempt_after) {
        const timer = setTimeout(() => void this.deliver(webhook), this.settings.batchWindowMs);
        timer.unref();
      }
    }
  }

  private scheduleHeartbeat(webhook: Webhook): void {
    const cancel = this.clock.after(this.settings.heartbeatIntervalMs, () => {
      if (!this.all.has(webhook.gid)) return;
      webhook.heartbeatDue = true;
      void this.deliver(webhook);
      this.scheduleHeartbeat(webhook);
    });
    webhook.cancelTimers.push(cancel);
  }

  /** One delivery attempt of everything queued (or a heartbeat). */
  private async deliver(webhook: Webhook): Promise<void> {
    if (this.closed || webhook.inFlight || !this.all.has(webhook.gid)) return;
    if (webhook.next_attempt_after && Date.parse(webhook.next_attempt_after) > this.clock.now()) return;
    if (webhook.queue.length === 0 && !webhook.heartbeatDue) return;
    // A heartbeat that falls due while this attempt is in flight is sent after it, not lost with it.
    const carriesHeartbeat = webhook.heartbeatDue;
    webhook.inFlight = true;
    const batch = [...webhook.queue];
    // Compact JSON, signed over these exact bytes (1.5).
    const body = JSON.stringify({
      events: batch.map(({ seq: _seq, projects: _projects, workspace: _workspace, ...event }) => event),
    });
    let outcome: DeliveryRecord['status'];
    let failure: string | null = null;
    if (this.clock.now() < this.outageUntil) {
      outcome = 'error';
      failure = 'Connection failed: the target is down (stand-in outage)';
    } else
      try {
        const response = await request(webhook.target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hook-signature': signDelivery(body, webhook.secret) },
          body,
          headersTimeout: this.settings.deliveryTimeoutMs,
          bodyTimeout: this.settings.deliveryTimeoutMs,
        });
        outcome = response.statusCode;
        const text = await response.body.text();
        if (outcome !== 200 && outcome !== 204) failure = `${outcome} ${text}`.slice(0, 500);
      } catch (error) {
        outcome = /timeout/i.test(String(error)) ? 'timeout' : 'error';
        failure =
          outcome === 'timeout'
            ? 'Timed out waiting for a response'
            : `Connection failed: ${String(error)}`.slice(0, 500);
      }
    webhook.inFlight = false;
    this.deliveries.push({
      webhookGid: webhook.gid,
      at: this.clock.nowIso(),
      events: batch.length,
      resourceGids: batch.map((event) => event.resource.gid),
      status: outcome,
    });
    if (!this.all.has(webhook.gid)) return;
    const now = this.clock.now();
    if (failure === null) {
      webhook.queue.splice(0, batch.length);
      if (carriesHeartbeat) webhook.heartbeatDue = false;
      Object.assign(webhook, {
        last_success_at: new Date(now).toISOString(),
        delivery_retry_count: 0,
        next_attempt_after: null,
        failure_deletion_timestamp: null,
        firstFailureAtMs: null,
      });
      if (webhook.queue.length > 0 || webhook.heartbeatDue) void this.deliver(webhook);
      return;
    }
    webhook.firstFailureAtMs ??= now;
    webhook.delivery_retry_count += 1;
    webhook.last_failure_at = new Date(now).toISOString();
    webhook.last_failure_content = failure;
    const deletionAt = webhook.firstFailureAtMs + this.settings.deleteAfterFailingMs;
    webhook.failure_deletion_timestamp = new Date(deletionAt).toISOString();
    if (now >= deletionAt) {
      // After 24 h of failed deliveries the webhook is deleted (1.6).
      this.remove(webhook);
      return;
    }
    // The retry schedule is UNDOCUMENTED; doubling, capped so the gap never exceeds the outage so far (1.6).
    const outage = now - webhook.firstFailureAtMs;
    const gap = Math.min(
      this.settings.initialRetryMs * 2 ** (webhook.delivery_retry_count - 1),
      Math.max(this.settings.initialRetryMs, outage),
    );
    const nextAt = Math.min(now + gap, deletionAt);
    webhook.next_attempt_after = new Date(nextAt).toISOString();
    webhook.cancelTimers.push(
      this.clock.at(nextAt, () => {
        webhook.next_attempt_after = null;
        void this.deliver(webhook);
      }),
    );
  }

  /**
   * The webhook as Asana's API shows it. Failure fields that have no value yet are left out: the spec types them as
   * strings (WebhookResponse, asana_oas.yaml), although its example shows nulls.
   */
  static view(webhook: Webhook) {
    const optional = {
      last_failure_at: webhook.last_failure_at,
      last_failure_content: webhook.last_failure_content,
      last_success_at: webhook.last_success_at,
      next_attempt_after: webhook.next_attempt_after,
      failure_deletion_timestamp: webhook.failure_deletion_timestamp,
    };
    return {
      gid: webhook.gid,
      resource_type: 'webhook',
      active: webhook.active,
      resource: webhook.resource,
      target: webhook.target,
      created_at: webhook.created_at,
      ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== null)),
      delivery_retry_count: webhook.delivery_retry_count,
      filters: webhook.filters,
    };
  }
}
