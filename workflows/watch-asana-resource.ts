/**
 * One long-lived workflow per watched Asana resource (`asana-webhook-<gid>`). It owns the resource's webhook:
 * creates it, keeps its secret (in workflow state, so encrypted in history by the payload codec, never in a process),
 * answers the receiver's questions about it, keeps it healthy, and deletes it when the resource is unwatched.
 *
 * Registration: Asana's handshake reaches the receiver while our POST /webhooks is still in flight. The receiver hands
 * the X-Hook-Secret to this workflow with `recordHandshakeUpdate`, whose validator accepts it only while a webhook of
 * that generation is being registered: a handshake at any other time is refused and changes nothing.
 *
 * Health: Asana retries failed deliveries for 24 h and then deletes the webhook; deliveries are at most once
 * (docs/asana.md 1.6). On every check this reads GET /webhooks/{gid}. When the webhook is gone, has failed
 * longer than `failingThresholdMs`, or Asana's deletion deadline is within `deletionMarginMs`, it registers a new one
 * (next generation, so the old and new targets differ and both secrets stay valid during the overlap), deletes the old
 * one, and repairs the gap: from the Events API with the token it keeps fresh, or, if that token expired, by a
 * reconciliation of everything modified since the last confirmed delivery.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  ParentClosePolicy,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WebhookHealth as WebhookHealthAttribute } from '../common/search-attributes';
import { asanaActivities, temporalActivities } from './activity-queues';
import {
  checkHealthSignal,
  type DeliveryReceived,
  deliveryReceivedSignal,
  type HandshakeRequest,
  recordHandshakeUpdate,
  unwatchSignal,
  type WatchAsanaResourceInput,
  type WebhookHealth,
  type WebhookSecrets,
  webhookSecretsQuery,
  type WebhookState,
  type WebhookStatus,
  webhookStatusQuery,
} from './definitions';
import { reconcileProject } from './reconcile-project';
import { ASANA_RETRY } from './retry-policies';

export const HEALTH_DEFAULTS = {
  intervalMs: 10 * 60 * 1000,
  failingThresholdMs: 2 * 60 * 60 * 1000,
  deletionMarginMs: 6 * 60 * 60 * 1000,
  heartbeatGraceMs: 60 * 60 * 1000,
} as const;

/** Asana sends a heartbeat every 8 hours (docs/asana.md 1.6). */
const HEARTBEAT_INTERVAL_MS = 8 * 60 * 60 * 1000;

/** How long a run keeps going before it continues as new, if the server does not suggest it sooner. */
const RUN_LENGTH_MS = 24 * 60 * 60 * 1000;

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : undefined);

export async function watchAsanaResource(input: WatchAsanaResourceInput): Promise<void> {
  const health = { ...HEALTH_DEFAULTS, ...input.health };
  const asana = asanaActivities({
    // Creating a webhook waits for the handshake, which Asana gives about 10 s (docs/asana.md 1.2).
    startToCloseTimeout: '45s',
    retry: { ...ASANA_RETRY, maximumAttempts: 5 },
  });
  const internal = temporalActivities({ startToCloseTimeout: '5m', heartbeatTimeout: '1m' });
  const state: WebhookState = input.state ?? { generation: 0, secrets: [] };
  let status: WebhookSecrets['status'] = state.webhookGid ? 'active' : 'registering';
  let registeringGeneration: number | undefined;
  let unwatched = false;
  let checkRequested = false;

  setHandler(
    recordHandshakeUpdate,
    ({ secret }: HandshakeRequest) => {
      // Current secret first; the previous one stays valid while the old webhook may still deliver.
      state.secrets = [secret, ...state.secrets.filter((s) => s !== secret)].slice(0, 2);
    },
    {
      validator: ({ generation, secret }: HandshakeRequest) => {
        if (registeringGeneration === undefined || generation !== registeringGeneration) {
          throw new Error(`no webhook of generation ${generation} is being registered`);
        }
        if (typeof secret !== 'string' || secret.length < 16) throw new Error('the handshake secret is malformed');
      },
    },
  );
  setHandler(webhookSecretsQuery, (): WebhookSecrets => ({ status, secrets: [...state.secrets] }));
  setHandler(webhookStatusQuery, (): WebhookStatus => {
    const { secrets: _secrets, eventsSync: _sync, ...visible } = state;
    return { ...visible, resourceGid: input.resourceGid, status };
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

  if (!state.webhookGid) {
    await register(true);
    await refreshEventsToken();
    setHealth('healthy');
  }

  const runStartedAt = Date.now();
  while (!unwatched) {
    await condition(() => unwatched || checkRequested, health.intervalMs);
    checkRequested = false;
    if (unwatched) break;
    await checkHealth();
    if (workflowInfo().continueAsNewSuggested || Date.now() - runStartedAt > RUN_LENGTH_MS) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof watchAsanaResource>({ ...input, state });
    }
  }

  status = 'unwatched';
  setHealth('unwatched');
  if (state.webhookGid) await asana.deleteAsanaWebhook({ webhookGid: state.webhookGid });
  log.info('resource unwatched; webhook deleted', { resourceGid: input.resourceGid, webhookGid: state.webhookGid });
  state.webhookGid = undefined;
  state.secrets = [];
  await condition(allHandlersFinished);

  async function register(replaceStale: boolean): Promise<void> {
    state.generation += 1;
    registeringGeneration = state.generation;
    try {
      const created = await asana.createAsanaWebhook({
        resourceGid: input.resourceGid,
        workspaceGid: input.workspaceGid,
        generation: state.generation,
        filters: input.filters,
        replaceStale,
      });
      // Asana returns the secret in the 201 body too; it is the one the handshake carried.
      state.secrets = [created.secret, ...state.secrets.filter((s) => s !== created.secret)].slice(0, 2);
      state.webhookGid = created.webhookGid;
      state.registeredAt = new Date().toISOString();
      status = 'active';
      log.info('webhook registered', {
        resourceGid: input.resourceGid,
        webhookGid: created.webhookGid,
        generation: state.generation,
      });
    } finally {
      registeringGeneration = undefined;
    }
  }

  async function checkHealth(): Promise<void> {
    state.lastCheckAt = new Date().toISOString();
    const webhookGid = state.webhookGid!;
    const inspection = await asana.inspectAsanaWebhook({ webhookGid });
    // Asana's own timestamps are compared with each other, so neither clock needs to agree with ours.
    let reason: string | undefined;
    if (!inspection.exists) {
      reason = 'Asana deleted the webhook';
    } else {
      const lastFailure = ms(inspection.last_failure_at);
      const lastSuccess = ms(inspection.last_success_at) ?? ms(inspection.created_at);
      const failing = lastFailure !== undefined && (lastSuccess === undefined || lastFailure > lastSuccess);
      const deletion = ms(inspection.failure_deletion_timestamp);
      if (failing && lastSuccess !== undefined && lastFailure - lastSuccess >= health.failingThresholdMs) {
        reason = `deliveries failing for ${Math.round((lastFailure - lastSuccess) / 60_000)} min`;
      } else if (failing && deletion !== undefined && deletion - lastFailure <= health.deletionMarginMs) {
        reason = 'Asana will delete the webhook soon';
      } else if (failing) {
        setHealth('failing');
      }
    }
    if (reason) {
      await recreate(reason, inspection.exists ? ms(inspection.last_success_at) : undefined);
      return;
    }
    await refreshEventsToken();
    const heartbeatAt = ms(state.lastHeartbeatAt) ?? ms(state.registeredAt);
    if (heartbeatAt !== undefined && Date.now() - heartbeatAt > HEARTBEAT_INTERVAL_MS + health.heartbeatGraceMs) {
      log.warn('webhook heartbeat overdue', { resourceGid: input.resourceGid, lastHeartbeatAt: state.lastHeartbeatAt });
      setHealth('heartbeat-overdue');
    } else if (state.health !== 'failing' || !inspection.exists) {
      setHealth('healthy');
    }
  }

  /** Registers a new webhook next to the failing one, deletes the old one, then repairs the gap. */
  async function recreate(reason: string, lastSuccessAt: number | undefined): Promise<void> {
    const old = state.webhookGid;
    log.warn('re-creating webhook', { resourceGid: input.resourceGid, webhookGid: old, reason });
    const lastConfirmed = Math.max(ms(state.lastDeliveryAt) ?? 0, lastSuccessAt ?? 0, ms(state.registeredAt) ?? 0);
    await register(false);
    if (old) await asana.deleteAsanaWebhook({ webhookGid: old });
    state.recreations = (state.recreations ?? 0) + 1;
    setHealth('recreated');
    await repairGap(lastConfirmed);
  }

  async function repairGap(sinceMs: number): Promise<void> {
    if (input.resourceType === 'project' && state.eventsSync) {
      const events = await asana.readAsanaEvents({ resourceGid: input.resourceGid, sync: state.eventsSync });
      state.eventsSync = events.sync;
      if (!events.expired) {
        const signalled = await internal.signalAsanaResources({
          refs: events.refs,
          source: 'reconcile',
          taskQueue: workflowInfo().taskQueue,
        });
        state.lastRepair = `events API: ${signalled} resources re-synced`;
        log.info('gap repaired from the Events API', { resourceGid: input.resourceGid, resources: signalled });
        return;
      }
    }
    if (input.resourceType !== 'project') {
      state.lastRepair = 'no repair for a non-project resource: the scheduled reconciliation covers it';
      return;
    }
    const report = await executeChild(reconcileProject, {
      workflowId: `reconcile-gap-${input.resourceGid}-${state.generation}`,
      args: [{ projectGid: input.resourceGid, modifiedSince: new Date(sinceMs).toISOString(), mode: 'incremental' }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    state.lastRepair = `reconciliation since ${new Date(sinceMs).toISOString()}: ${report.signalled} resources re-synced`;
    log.info('gap repaired by reconciliation', { resourceGid: input.resourceGid, resources: report.signalled });
  }

  /** Keeps an Events API token no older than one check interval, so a gap can be read back (tokens die at 24 h). */
  async function refreshEventsToken(): Promise<void> {
    if (input.resourceType !== 'project') return;
    try {
      const events = await asana.readAsanaEvents({
        resourceGid: input.resourceGid,
        sync: state.eventsSync,
        maxPages: 20,
      });
      // While the webhook delivers, these events reached us already; only the fresh token matters.
      state.eventsSync = events.sync;
    } catch (error) {
      const cause = error instanceof ActivityFailure ? error.cause : error;
      log.warn('could not refresh the Events API token', { error: String(cause) });
    }
  }

  function setHealth(next: WebhookHealth): void {
    if (state.health === next) return;
    state.health = next;
    upsertSearchAttributes([{ key: WebhookHealthAttribute, value: next }]);
  }
}
