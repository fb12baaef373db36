/**
 * One long-lived workflow per watched Asana resource (`asana-webhook-<gid>`). It owns the resource's webhook:
 * creates it, keeps its secret (in workflow state and the encrypted memo, never in a process), keeps it healthy,
 * installs the resource's reconciliation Schedules, and deletes both when the resource is unwatched.
 *
 * It never ends on a failure (docs/decisions/0009-watch-never-dies.md): every step (registration, check, repair) that
 * fails is shown in the status and the `WebhookHealth` search attribute and retried with capped backoff; a failure
 * only a person can fix is reported once with `log.error` and looked at again every `retryMaxMs` or on `checkHealth`.
 *
 * Registration: only the secret in the 201 body of POST /webhooks is trusted. Asana's handshake reaches the receiver
 * while that request is in flight; the `recordHandshake` update only lets the receiver echo it, and only for the
 * registration in flight (same generation, and the single-use random token of its target URL).
 *
 * Health: Asana retries failed deliveries for 24 h and then deletes the webhook; deliveries are at most once
 * (docs/asana.md 1.6). The decisions are pure functions (webhook-health.ts); this function carries them out.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { WebhookHealth as WebhookHealthAttribute } from '../common/search-attributes';
import { gapRepairSummary } from '../common/workflow-summaries';
import { asanaActivities, temporalActivities } from './activity-queues';
import { operatorAlerts, webhookHealthAlert } from './alerts';
import {
  type AsanaResourceRef,
  checkHealthSignal,
  type DeliveryReceived,
  deliveryReceivedSignal,
  type HandshakeRequest,
  recordHandshakeUpdate,
  unwatchSignal,
  type WatchAsanaResourceInput,
  WEBHOOK_SECRETS_MEMO,
  type WebhookHealth,
  type WebhookSecrets,
  webhookSecretsQuery,
  type WebhookState,
  type WebhookStatus,
  webhookStatusQuery,
} from './definitions';
import { watchAsanaResourceInput, validateWorkflowInput } from './inputs';
import { reconcileProject } from './reconcile-project';
import { ASANA_RETRY } from './retry-policies';
import { describeFailure, HEALTH_DEFAULTS, healthVerdict, needsAttention, retryDelayMs } from './webhook-health';

export { HEALTH_DEFAULTS } from './webhook-health';

/**
 * Runs from before receiver moves were noticed replay without the move (the inspection they recorded has no
 * `targetMoved`, and the marker keeps newer runs from replaying on older code unnoticed).
 */
export const RECEIVER_MOVE_PATCH = 'reregister-on-receiver-move';

/** Runs from before an unwatch arriving during the final task of a run was carried out replay without it. */
export const SIGNALS_AT_CONTINUE_AS_NEW_PATCH = 'signals-at-continue-as-new';

/**
 * Runs from before the Events API was read one page per activity replay with the pages read inside one activity (up
 * to 50 Asana requests that the task-queue rate limit counted as one, decision 0016).
 */
export const ONE_EVENTS_PAGE_PER_ACTIVITY_PATCH = 'one-events-page-per-activity';

/** Events API pages a gap repair reads at most before it signals what it found (as before: 20 rounds of 50). */
const REPAIR_EVENTS_PAGES = 1000;

/** Events API pages a health check reads at most to move its token to the head of the stream. */
const ADVANCE_EVENTS_PAGES = 20;

/** How long a run keeps going before it continues as new, if the server does not suggest it sooner. */
const RUN_LENGTH_MS = 24 * 60 * 60 * 1000;

type Step = 'registration' | 'check' | 'repair';
const FAILED_HEALTH: Record<Step, WebhookHealth> = {
  registration: 'recreate-failed',
  check: 'check-failed',
  repair: 'repair-failed',
};

export async function watchAsanaResource(input: WatchAsanaResourceInput): Promise<void> {
  validateWorkflowInput('watchAsanaResource', watchAsanaResourceInput, input);
  const settings = { ...HEALTH_DEFAULTS, ...input.health };
  const asana = asanaActivities({
    // Creating a webhook waits for the handshake, which Asana gives about 10 s (docs/asana.md 1.2). The workflow
    // retries on its own schedule after these attempts, so a long outage never ends it.
    startToCloseTimeout: '45s',
    retry: { ...ASANA_RETRY, maximumAttempts: 3 },
  });
  const internal = temporalActivities({
    startToCloseTimeout: '5m',
    heartbeatTimeout: '1m',
    retry: { maximumAttempts: 3 },
  });
  const schedules = temporalActivities({ scheduleToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });
  const state: WebhookState = input.state ?? { generation: 0, secrets: [] };
  const isProject = input.resourceType === 'project';
  let status: WebhookSecrets['status'] = state.webhookGid ? 'active' : 'registering';
  let registering: { generation: number; registration: string; answered: boolean } | undefined;
  let unwatched = false;
  let checkRequested = state.checkRequested === true;
  delete state.checkRequested;
  let publishedSecrets: string | undefined;
  const alerts = operatorAlerts();

  setHandler(
    recordHandshakeUpdate,
    () => {
      // The token is single use: a second handshake for the same registration is refused.
      if (registering) registering.answered = true;
    },
    {
      validator: ({ generation, registration, secret }: HandshakeRequest) => {
        if (
          !registering ||
          registering.answered ||
          generation !== registering.generation ||
          registration !== registering.registration
        ) {
          throw new Error(`no registration of generation ${generation} with that token is in flight`);
        }
        if (typeof secret !== 'string' || secret.length < 16) throw new Error('the handshake secret is malformed');
      },
    },
  );
  setHandler(webhookSecretsQuery, (): WebhookSecrets => ({ status, secrets: [...state.secrets] }));
  setHandler(webhookStatusQuery, (): WebhookStatus => {
    const { secrets: _secrets, eventsSync: _sync, eventsSyncNext: _next, ...visible } = state;
    return { ...visible, resourceGid: input.resourceGid, workspaceGid: input.workspaceGid, status };
  });
  setHandler(deliveryReceivedSignal, (delivery: DeliveryReceived) => {
    state.lastDeliveryAt = delivery.at;
    if (delivery.heartbeat) state.lastHeartbeatAt = delivery.at;
  });
  setHandler(unwatchSignal, () => {
    unwatched = true;
  });
  setHandler(checkHealthSignal, () => {
    checkRequested = true;
  });

  if (!state.webhookGid) setHealth('registering');
  publishSecrets();
  const runStartedAt = Date.now();
  while (!unwatched) {
    const waitMs = nextStepInMs();
    state.nextStepAt = new Date(Date.now() + waitMs).toISOString();
    if (waitMs > 0) await condition(() => unwatched || checkRequested, waitMs);
    checkRequested = false;
    if (unwatched) break;
    await step();
    publishSecrets();
    if (workflowInfo().continueAsNewSuggested || Date.now() - runStartedAt > (input.runLengthMs ?? RUN_LENGTH_MS)) {
      await alerts.delivered();
      await condition(allHandlersFinished);
      // A signal that arrived during this last task is not lost with the run: an unwatch is carried out here, a
      // checkHealth is handed to the next run.
      if (unwatched && patched(SIGNALS_AT_CONTINUE_AS_NEW_PATCH)) break;
      await continueAsNew<typeof watchAsanaResource>({
        ...input,
        state: { ...state, ...(checkRequested ? { checkRequested: true } : {}) },
      });
    }
  }
  await stopWatching();

  /** Now when a registration or a repair is owed, after the backoff when the last step failed. Old webhooks
   * whose delete failed are retried at the next check. */
  function nextStepInMs(): number {
    if (state.health === 'needs-attention') return settings.retryMaxMs;
    if (state.failedAttempts) return retryDelayMs(state.failedAttempts, settings);
    const owed = !state.webhookGid || state.pendingRecreation !== undefined || state.repairPending;
    return owed ? 0 : settings.intervalMs;
  }

  /** One round: check (unless something is owed), re-create if needed, clean up, repair. Never throws. */
  async function step(): Promise<void> {
    let current: Step = 'check';
    try {
      if (state.webhookGid && state.pendingRecreation === undefined && !state.repairPending) await check();
      if (!state.webhookGid || state.pendingRecreation !== undefined) {
        current = 'registration';
        await register();
      }
      await deleteOldWebhooks();
      if (state.repairPending) {
        current = 'repair';
        await repairGap();
      }
      state.failedAttempts = 0;
    } catch (error) {
      reportFailure(current, error);
    }
    await ensureSchedules();
  }

  async function check(): Promise<void> {
    const inspection = await asana.inspectAsanaWebhook({ webhookGid: state.webhookGid! });
    if (inspection.exists && inspection.targetMoved && patched(RECEIVER_MOVE_PATCH)) {
      // A domain move: register at the new receiver, keep the old webhook until the new one is confirmed by its
      // handshake, then delete it and replay from the last confirmed point (register → deleteOldWebhooks → repair).
      state.movingTo = inspection.targetMoved.to;
      state.pendingRecreation = `the receiver moved from ${inspection.targetMoved.from} to ${inspection.targetMoved.to}`;
      log.info('re-registering the webhook at the moved receiver', {
        resourceGid: input.resourceGid,
        ...inspection.targetMoved,
      });
      state.lastCheckAt = new Date().toISOString();
      return;
    }
    const verdict = healthVerdict(inspection, state, Date.now(), settings);
    switch (verdict.action) {
      case 'recreate':
        state.failingSince = verdict.failingSince;
        state.pendingRecreation = verdict.reason;
        log.warn('re-creating webhook', { resourceGid: input.resourceGid, reason: verdict.reason });
        break;
      case 'wait':
        // The replay point stays where deliveries were last confirmed, so a later repair covers the whole outage.
        state.failingSince = verdict.failingSince;
        setHealth('failing', verdict.reason);
        break;
      case 'confirm': {
        const recovered = state.failingSince !== undefined;
        state.failingSince = undefined;
        if (recovered) {
          log.info('webhook deliveries recovered; replaying the outage', { resourceGid: input.resourceGid });
          state.repairPending = true;
        } else {
          await advanceEventsToken();
        }
        if (verdict.health === 'heartbeat-overdue') {
          log.warn('webhook heartbeat overdue', {
            resourceGid: input.resourceGid,
            lastHeartbeatAt: state.lastHeartbeatAt,
          });
        }
        setHealth(verdict.health, verdict.reason);
      }
    }
    state.lastCheckAt = new Date().toISOString();
  }

  /**
   * Registers a webhook: the first one, or a replacement next to a failing one (next generation, so both targets
   * differ and both secrets stay valid during the overlap). Webhooks an earlier attempt left at this resource's
   * target, whose 201 never reached us, are deleted first; the one being replaced is kept until its successor works.
   */
  async function register(): Promise<void> {
    const replacing = state.webhookGid;
    state.generation += 1;
    registering = { generation: state.generation, registration: uuid4(), answered: false };
    try {
      const created = await asana.createAsanaWebhook({
        resourceGid: input.resourceGid,
        workspaceGid: input.workspaceGid,
        generation: registering.generation,
        registration: registering.registration,
        filters: input.filters,
        replaceStale: true,
        ...(replacing ? { keepWebhookGid: replacing } : {}),
      });
      // The only trusted secret: Asana's own answer. The previous one stays valid while the old webhook delivers.
      state.secrets = [created.secret, ...state.secrets.slice(0, 1).filter((s) => s !== created.secret)];
      state.webhookGid = created.webhookGid;
      state.registeredAt = new Date().toISOString();
      state.failingSince = undefined;
      status = 'active';
      publishSecrets();
      log.info('webhook registered', {
        resourceGid: input.resourceGid,
        webhookGid: created.webhookGid,
        generation: state.generation,
      });
      if (replacing && state.movingTo !== undefined) {
        // Not an incident: the old webhook was working; the overlap is replayed all the same.
        state.webhooksToDelete = [...(state.webhooksToDelete ?? []), replacing];
        state.repairPending = true;
        setHealth('healthy', `moved to ${state.movingTo}`);
        state.movingTo = undefined;
      } else if (replacing) {
        state.webhooksToDelete = [...(state.webhooksToDelete ?? []), replacing];
        state.recreations = (state.recreations ?? 0) + 1;
        state.repairPending = true;
        setHealth('recreated', state.pendingRecreation);
      } else {
        await takeFreshEventsToken();
        setHealth('healthy');
      }
      state.pendingRecreation = undefined;
    } finally {
      registering = undefined;
    }
  }

  async function deleteOldWebhooks(): Promise<void> {
    for (const webhookGid of [...(state.webhooksToDelete ?? [])]) {
      try {
        await asana.deleteAsanaWebhook({ webhookGid });
        state.webhooksToDelete = state.webhooksToDelete?.filter((gid) => gid !== webhookGid);
      } catch (error) {
        log.warn('could not delete an old webhook; retried at the next check', {
          webhookGid,
          error: describeFailure(error).message,
        });
      }
    }
  }

  /**
   * Replays what the webhook may have missed since the last confirmed point: from the Events API, or, if that token
   * expired (they live at most 24 h), by a reconciliation of everything modified since. Retried until it succeeds.
   */
  async function repairGap(): Promise<void> {
    if (!isProject) {
      state.lastRepair = 'no repair for a non-project resource: the scheduled reconciliation covers it';
      state.repairPending = false;
      return;
    }
    const startedAt = new Date().toISOString();
    const since = state.confirmedAt ?? state.registeredAt ?? startedAt;
    const refs = new Map<string, AsanaResourceRef>();
    let sync = state.eventsSync;
    let expired = sync === undefined;
    if (sync !== undefined && patched(ONE_EVENTS_PAGE_PER_ACTIVITY_PATCH)) {
      const events = await readEventsPages(sync, REPAIR_EVENTS_PAGES);
      sync = events.sync;
      expired = events.expired;
      for (const ref of events.refs) refs.set(`${ref.resource_type}:${ref.gid}`, ref);
    } else {
      for (let round = 0; sync !== undefined && round < 20; round += 1) {
        const events = await asana.readAsanaEvents({ resourceGid: input.resourceGid, sync, maxPages: 50 });
        sync = events.sync;
        if (events.expired) {
          expired = true;
          break;
        }
        for (const ref of events.refs) refs.set(`${ref.resource_type}:${ref.gid}`, ref);
        if (!events.hasMore) break;
      }
    }
    if (expired) {
      const report = await executeChild(reconcileProject, {
        workflowId: `reconcile-gap-${input.resourceGid}-${state.generation}-${uuid4().slice(0, 8)}`,
        args: [{ projectGid: input.resourceGid, modifiedSince: since, mode: 'incremental' }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        ...gapRepairSummary(input.resourceGid, since),
      });
      state.lastRepair = `reconciliation since ${since}: ${report.signalled} resources re-synced`;
      log.info('gap repaired by reconciliation', { resourceGid: input.resourceGid, resources: report.signalled });
    } else {
      const signalled = await internal.signalAsanaResources({
        refs: [...refs.values()],
        source: 'reconcile',
        taskQueue: workflowInfo().taskQueue,
      });
      state.lastRepair = `events API since ${since}: ${signalled} resources re-synced`;
      log.info('gap repaired from the Events API', { resourceGid: input.resourceGid, resources: signalled });
    }
    keepEventsToken(sync, startedAt);
    state.repairPending = false;
  }

  /** At a healthy check: the token of the previous check becomes the replay point, and a new one is taken. */
  async function advanceEventsToken(): Promise<void> {
    if (!isProject) return;
    try {
      const events = patched(ONE_EVENTS_PAGE_PER_ACTIVITY_PATCH)
        ? await readEventsPages(state.eventsSyncNext, ADVANCE_EVENTS_PAGES)
        : await asana.readAsanaEvents({ resourceGid: input.resourceGid, sync: state.eventsSyncNext, maxPages: 20 });
      // These events reached us already by webhook; only the tokens matter.
      if (!events.expired && state.eventsSyncNext) {
        state.eventsSync = state.eventsSyncNext;
        state.confirmedAt = state.eventsSyncNextAt;
      }
      state.eventsSyncNext = events.sync;
      state.eventsSyncNextAt = new Date().toISOString();
    } catch (error) {
      log.warn('could not advance the Events API token', { error: describeFailure(error).message });
    }
  }

  /**
   * Up to `maxPages` pages of the resource's Events API stream from `sync`, one page per activity: one Asana request
   * each, as the Asana queue's rate limit counts them (common/rate-limits.ts). Stops at the head of the stream, or at
   * an expired token (its fresh token returned, the events in between lost, as readAsanaEvents says).
   */
  async function readEventsPages(sync: string | undefined, maxPages: number) {
    const refs = new Map<string, AsanaResourceRef>();
    let page = await asana.readAsanaEvents({ resourceGid: input.resourceGid, sync, maxPages: 1 });
    for (let read = 1; ; read += 1) {
      for (const ref of page.refs) refs.set(`${ref.resource_type}:${ref.gid}`, ref);
      if (page.expired || !page.hasMore || read >= maxPages) break;
      page = await asana.readAsanaEvents({ resourceGid: input.resourceGid, sync: page.sync, maxPages: 1 });
    }
    return { ...page, refs: page.expired ? [] : [...refs.values()] };
  }

  async function takeFreshEventsToken(): Promise<void> {
    if (!isProject) return;
    const takenAt = new Date().toISOString();
    try {
      const events = await asana.readAsanaEvents({ resourceGid: input.resourceGid, maxPages: 1 });
      keepEventsToken(events.sync, takenAt);
    } catch (error) {
      // Without a token, a repair reconciles from the registration instead.
      log.warn('could not take an Events API token', { error: describeFailure(error).message });
    }
  }

  function keepEventsToken(sync: string | undefined, takenAt: string): void {
    state.eventsSync = state.eventsSyncNext = sync;
    state.confirmedAt = state.eventsSyncNextAt = takenAt;
  }

  /** Installs (idempotently) the resource's reconciliation Schedules; retried at the next step if it fails. */
  async function ensureSchedules(): Promise<void> {
    if (!isProject || state.schedules) return;
    try {
      state.schedules = await schedules.installReconcileSchedules({
        projectGid: input.resourceGid,
        taskQueue: workflowInfo().taskQueue,
      });
    } catch (error) {
      log.warn('could not install the reconciliation schedules; retried at the next check', {
        resourceGid: input.resourceGid,
        error: describeFailure(error).message,
      });
    }
  }

  function reportFailure(failed: Step, error: unknown): void {
    const failure = describeFailure(error);
    state.failedAttempts = (state.failedAttempts ?? 0) + 1;
    const health = needsAttention(failure.type) ? 'needs-attention' : FAILED_HEALTH[failed];
    const retryIn = Math.round(
      (health === 'needs-attention' ? settings.retryMaxMs : retryDelayMs(state.failedAttempts, settings)) / 1000,
    );
    const reason = `${failed} failed ${state.failedAttempts}× (${failure.message}); next attempt in ${retryIn} s`;
    const details = { resourceGid: input.resourceGid, health, reason };
    if (health === 'needs-attention' && state.health !== 'needs-attention') {
      log.error('the webhook needs an operator: fix the cause, then signal checkHealth', details);
    } else {
      log.warn('webhook step failed; retrying', details);
    }
    setHealth(health, reason);
  }

  async function stopWatching(): Promise<void> {
    status = 'unwatched';
    setHealth('unwatched');
    const webhooks = [...(state.webhooksToDelete ?? []), ...(state.webhookGid ? [state.webhookGid] : [])];
    state.webhookGid = undefined;
    state.secrets = [];
    publishSecrets();
    state.webhooksToDelete = webhooks;
    await deleteOldWebhooks();
    if (state.webhooksToDelete.length) {
      log.error('unwatched, but Asana kept some webhooks: it deletes them after 24 h of refused deliveries', {
        resourceGid: input.resourceGid,
        webhooks: state.webhooksToDelete,
      });
    }
    if (state.schedules) {
      try {
        await schedules.removeReconcileSchedules({ projectGid: input.resourceGid });
        state.schedules = undefined;
      } catch (error) {
        log.error('unwatched, but the reconciliation schedules could not be removed', {
          resourceGid: input.resourceGid,
          error: describeFailure(error).message,
        });
      }
    }
    log.info('resource unwatched', { resourceGid: input.resourceGid });
    await condition(allHandlersFinished);
  }

  /** The receiver verifies deliveries from the memo, which the server answers from `describe` without a worker. */
  function publishSecrets(): void {
    const secrets: WebhookSecrets = { status, secrets: [...state.secrets] };
    const published = JSON.stringify(secrets);
    if (published === publishedSecrets) return;
    publishedSecrets = published;
    upsertMemo({ [WEBHOOK_SECRETS_MEMO]: secrets });
  }

  function setHealth(next: WebhookHealth, reason?: string): void {
    state.healthReason = reason;
    if (state.health === next) return;
    state.health = next;
    upsertSearchAttributes([{ key: WebhookHealthAttribute, value: next }]);
    // Health changes are the incidents: one alert when the watch enters a bad state, none while it stays there.
    const alert = webhookHealthAlert(input, next, reason);
    if (alert) alerts.send(alert);
  }
}
