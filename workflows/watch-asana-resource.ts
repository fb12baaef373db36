/**
 * One long-lived workflow per watched Asana resource (`asana-webhook-<gid>`). It owns the resource's webhook:
 * creates it, keeps its secret (in workflow state, so encrypted in history by the payload codec, never in a process),
 * answers the receiver's questions about it, and deletes it when the resource is unwatched.
 *
 * Registration: Asana's handshake reaches the receiver while our POST /webhooks is still in flight. The receiver hands
 * the X-Hook-Secret to this workflow with `recordHandshakeUpdate`, whose validator accepts it only while a webhook of
 * that generation is being registered: a handshake at any other time is refused and changes nothing.
 */
import { allHandlersFinished, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { asanaActivities } from './activity-queues';
import {
  type DeliveryReceived,
  deliveryReceivedSignal,
  type HandshakeRequest,
  recordHandshakeUpdate,
  unwatchSignal,
  type WatchAsanaResourceInput,
  type WebhookSecrets,
  webhookSecretsQuery,
  type WebhookState,
  type WebhookStatus,
  webhookStatusQuery,
} from './definitions';
import { ASANA_RETRY } from './retry-policies';

/** How long a run keeps going before it continues as new, if the server does not suggest it sooner. */
const RUN_LENGTH_MS = 24 * 60 * 60 * 1000;

export async function watchAsanaResource(input: WatchAsanaResourceInput): Promise<void> {
  const asana = asanaActivities({
    // Creating a webhook waits for the handshake, which Asana gives about 10 s (shared/facts/asana.md 1.2).
    startToCloseTimeout: '45s',
    retry: { ...ASANA_RETRY, maximumAttempts: 5 },
  });
  const state: WebhookState = input.state ?? { generation: 0, secrets: [] };
  let status: WebhookSecrets['status'] = state.webhookGid ? 'active' : 'registering';
  let registeringGeneration: number | undefined;
  let unwatched = false;

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
  setHandler(webhookStatusQuery, (): WebhookStatus => ({
    resourceGid: input.resourceGid,
    status,
    generation: state.generation,
    webhookGid: state.webhookGid,
    lastDeliveryAt: state.lastDeliveryAt,
    lastHeartbeatAt: state.lastHeartbeatAt,
  }));
  setHandler(deliveryReceivedSignal, (delivery: DeliveryReceived) => {
    state.lastDeliveryAt = delivery.at;
    if (delivery.heartbeat) state.lastHeartbeatAt = delivery.at;
  });
  setHandler(unwatchSignal, () => {
    unwatched = true;
  });

  if (!state.webhookGid) await register();

  const runStartedAt = Date.now();
  while (!unwatched) {
    await condition(() => unwatched, '1h');
    if (!unwatched && (workflowInfo().continueAsNewSuggested || Date.now() - runStartedAt > RUN_LENGTH_MS)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof watchAsanaResource>({ ...input, state });
    }
  }

  status = 'unwatched';
  if (state.webhookGid) await asana.deleteAsanaWebhook({ webhookGid: state.webhookGid });
  log.info('resource unwatched; webhook deleted', { resourceGid: input.resourceGid, webhookGid: state.webhookGid });
  state.webhookGid = undefined;
  state.secrets = [];
  await condition(allHandlersFinished);

  async function register(): Promise<void> {
    state.generation += 1;
    registeringGeneration = state.generation;
    const created = await asana.createAsanaWebhook({
      resourceGid: input.resourceGid,
      workspaceGid: input.workspaceGid,
      generation: state.generation,
      filters: input.filters,
      replaceStale: state.webhookGid === undefined,
    });
    registeringGeneration = undefined;
    // Asana returns the secret in the 201 body too; it must be the one the handshake carried.
    state.secrets = [created.secret, ...state.secrets.filter((s) => s !== created.secret)].slice(0, 2);
    state.webhookGid = created.webhookGid;
    status = 'active';
    log.info('webhook registered', {
      resourceGid: input.resourceGid,
      webhookGid: created.webhookGid,
      generation: state.generation,
    });
  }
}
