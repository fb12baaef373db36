/**
 * What the receiver does with one request to `/webhooks/asana/<gid>`, without HTTP framework: it takes the resource
 * gid, the query, the headers and the raw body, and returns the answer (status, body, headers) and the line to log.
 * Temporal is reached through a small port, so every decision is unit-tested with a fake; receiver/asana-webhook-route.ts
 * only adapts Express to it (the shape of octokit/webhooks.js: `verify` → `verifyAndReceive` → middleware).
 *
 * Handshake (header X-Hook-Secret, sent while our own POST /webhooks is still in flight): the secret is handed to the
 * resource's watch workflow with an update that is accepted only for the registration in flight (its generation and
 * single-use token are in the target URL); only then is it echoed with 200. Anything else is refused and changes
 * nothing.
 *
 * Delivery: content type (415), signature over the raw bytes in constant time (401, 404 for a target nobody watches),
 * JSON in Asana's shape (400) — in each refusal nothing is started. Then one signalWithStart per distinct resource,
 * and 200 only once Temporal has recorded every one; if Temporal does not answer within the ack timeout, 503 so Asana
 * retries. The watch workflow is told about deliveries (heartbeats included) for its bookkeeping, best effort: that
 * signal never decides the answer (#10, hole 1).
 */
import { isValidSignature } from '../asana/webhook-signature';
import { registerSecretValues } from '../common/logger';
import {
  type AsanaChange,
  type AsanaResourceRef,
  type DeliveryReceived,
  type HandshakeRequest,
  SYNCED_RESOURCE_TYPES,
  type SyncedResourceType,
} from '../workflows/definitions';
import { AsanaDelivery, type AsanaEvent } from './delivery-schema';
import { SecretLookupsThrottled, type WebhookSecretSource } from './webhook-secrets';

/** One request to a webhook target, as any HTTP server gives it. */
export interface AsanaWebhookRequest {
  resourceGid: string;
  /** The target URL's query parameters (`generation`, `registration`). */
  query: Record<string, unknown>;
  /** Header names in lower case, as Node's `IncomingMessage.headers`. */
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes Asana signed. */
  rawBody: Buffer;
}

export interface WebhookOutcome {
  status: number;
  /** JSON body; none for a handshake's echo. */
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** The one line the adapter logs for this request. */
  log: { level: 'info' | 'warn' | 'error'; fields: Record<string, unknown>; message: string };
}

/** What the receiver asks of Temporal (receiver/temporal-webhook-port.ts; a fake in unit tests). */
export interface WebhookTemporalPort {
  /** Hands a handshake's secret to the watch workflow; says whether it took it. */
  recordHandshake(resourceGid: string, request: HandshakeRequest): Promise<'recorded' | 'not-watched' | 'refused'>;
  /** signalWithStart of the resource's sync workflow; resolves once Temporal recorded it. */
  signalAsanaChange(resource: AsanaResourceRef, change: AsanaChange): Promise<void>;
  /** Tells the watch workflow a delivery arrived (bookkeeping for its health checks). */
  reportDelivery(resourceGid: string, delivery: DeliveryReceived): Promise<void>;
}

export interface AsanaWebhookReceiverOptions {
  temporal: WebhookTemporalPort;
  secrets: WebhookSecretSource;
  /** Longest wait for Temporal before answering 503 (RECEIVER_ACK_TIMEOUT_MS). */
  ackTimeoutMs: number;
  /** Tell the watch workflow about ordinary deliveries at most this often per resource. @default 60_000 */
  deliveryReportIntervalMs?: number;
}

/** A registration token as the watch workflow makes them (URL-safe, unguessable). */
const REGISTRATION_TOKEN = /^[A-Za-z0-9_-]{16,256}$/;

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class DeadlineExceeded extends Error {}

/** The distinct synced resources of a delivery, each with its latest event (events are hints; the sync re-reads). */
export function changedResources(
  events: AsanaEvent[],
  receivedAt: string,
): Map<string, { ref: AsanaResourceRef; change: AsanaChange }> {
  const byResource = new Map<string, { ref: AsanaResourceRef; change: AsanaChange }>();
  for (const event of events) {
    const type = event.resource.resource_type as SyncedResourceType;
    if (!SYNCED_RESOURCE_TYPES.includes(type)) continue;
    byResource.set(`${type}:${event.resource.gid}`, {
      ref: { gid: event.resource.gid, resource_type: type },
      change: { action: event.action, createdAt: event.created_at, receivedAt, source: 'webhook' },
    });
  }
  return byResource;
}

/** Returns the function that answers one request; it keeps per-resource state (when the watch was last told). */
export function createAsanaWebhookReceiver(
  options: AsanaWebhookReceiverOptions,
): (request: AsanaWebhookRequest) => Promise<WebhookOutcome> {
  const { temporal, secrets } = options;
  const reportInterval = options.deliveryReportIntervalMs ?? 60_000;
  const lastReported = new Map<string, number>();

  return async function receiveAsanaWebhook(request) {
    const { resourceGid } = request;
    // One deadline for the whole request, so the answer comes well inside Asana's 10 s whatever Temporal does. A
    // call that still lands after a 503 is harmless: Asana resends, and a duplicate change signal only re-syncs.
    const deadline = new Deadline(options.ackTimeoutMs);
    try {
      if (header(request, 'x-hook-secret') !== undefined) return await handshake(request, deadline);
      return await delivery(request, deadline);
    } catch (error) {
      if (error instanceof Refusal) {
        return {
          status: error.status,
          body: { error: error.message },
          log: {
            level: 'warn',
            fields: { resourceGid, status: error.status, reason: error.message },
            message: 'asana request refused',
          },
        };
      }
      if (error instanceof SecretLookupsThrottled) {
        return {
          status: 503,
          body: { error: error.message },
          log: { level: 'warn', fields: { resourceGid }, message: 'secret lookups throttled; answering 503' },
        };
      }
      // Temporal unreachable, slow, or failing: nothing was acknowledged, so Asana must retry.
      return {
        status: 503,
        body: { error: 'could not record the delivery; retry later' },
        log: {
          level: 'error',
          fields: { resourceGid, err: error },
          message: 'could not reach Temporal; answering 503',
        },
      };
    } finally {
      deadline.clear();
    }
  };

  async function handshake(request: AsanaWebhookRequest, deadline: Deadline): Promise<WebhookOutcome> {
    const { resourceGid } = request;
    const secret = header(request, 'x-hook-secret') ?? '';
    const generation = Number(request.query.generation);
    const registration = request.query.registration;
    if (secret.length < 16 || !Number.isInteger(generation)) {
      throw new Refusal(400, 'a handshake needs an X-Hook-Secret and the generation from the target URL');
    }
    // Checked here, before any Temporal call, so handshakes for no registration at all cost nothing (#10, hole 4).
    if (typeof registration !== 'string' || !REGISTRATION_TOKEN.test(registration)) {
      throw new Refusal(400, 'a handshake needs the registration token from the target URL');
    }
    registerSecretValues([secret]);
    const result = await deadline.race(temporal.recordHandshake(resourceGid, { generation, registration, secret }));
    if (result === 'not-watched') throw new Refusal(403, 'no webhook is being registered for this target');
    if (result === 'refused') throw new Refusal(409, 'this target is not registering a webhook of that generation');
    // The watch workflow now holds a new secret: the next delivery must not be checked against an older answer.
    secrets.expire?.(resourceGid);
    return {
      status: 200,
      headers: { 'X-Hook-Secret': secret },
      log: { level: 'info', fields: { resourceGid, generation }, message: 'webhook handshake recorded' },
    };
  }

  async function delivery(request: AsanaWebhookRequest, deadline: Deadline): Promise<WebhookOutcome> {
    const { resourceGid } = request;
    if (!isJson(header(request, 'content-type'))) throw new Refusal(415, 'deliveries must be application/json');
    await verify(request, deadline);
    const parsed = parse(request.rawBody);
    const receivedAt = new Date().toISOString();
    const changes = changedResources(parsed.events, receivedAt);
    const heartbeat = parsed.events.length === 0;

    await deadline.race(
      Promise.all([...changes.values()].map(({ ref, change }) => temporal.signalAsanaChange(ref, change))),
    );
    // Only now, so the watch workflow never counts a delivery we did not record as confirmed (its gap repair starts
    // from the last confirmed one). Awaited for the log line; it never fails the answer.
    const report = reportDelivery(resourceGid, { at: receivedAt, heartbeat, events: parsed.events.length });
    const reported = await deadline.race(report).catch((error: unknown) => error);
    const fields = { resourceGid, events: parsed.events.length, resources: changes.size, heartbeat };
    const body = { recorded: changes.size };
    if (reported instanceof Error) {
      return {
        status: 200,
        body,
        log: {
          level: 'warn',
          fields: { ...fields, err: reported },
          message: 'asana delivery recorded; the watch workflow could not be told (bookkeeping only)',
        },
      };
    }
    return { status: 200, body, log: { level: 'info', fields, message: 'asana delivery recorded' } };
  }

  /** Best effort: resolves to the error instead of rejecting. Throttled per resource, except heartbeats. */
  async function reportDelivery(resourceGid: string, delivery: DeliveryReceived): Promise<Error | undefined> {
    const now = Date.now();
    if (!delivery.heartbeat && now - (lastReported.get(resourceGid) ?? 0) < reportInterval) return undefined;
    // Counted when tried, so a watch workflow that cannot take signals costs one call per interval, not per delivery.
    lastReported.set(resourceGid, now);
    try {
      await temporal.reportDelivery(resourceGid, delivery);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async function verify(request: AsanaWebhookRequest, deadline: Deadline): Promise<void> {
    const signature = header(request, 'x-hook-signature');
    if (!signature) throw new Refusal(401, 'missing X-Hook-Signature');
    const { resourceGid, rawBody } = request;
    let known = await deadline.race(secrets.get(resourceGid));
    if (known && known.status !== 'unwatched' && isValidSignature(rawBody, signature, known.secrets)) return;
    // Perhaps the resource was just watched or its webhook re-created: look again (bounded per resource) first.
    known = await deadline.race(secrets.get(resourceGid, { fresh: true }));
    if (!known || known.status === 'unwatched') throw new Refusal(404, 'no watched resource at this target');
    if (isValidSignature(rawBody, signature, known.secrets)) return;
    throw new Refusal(401, 'X-Hook-Signature does not match the body');
  }
}

function parse(body: Buffer): AsanaDelivery {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Refusal(400, 'the body is not JSON');
  }
  const delivery = AsanaDelivery.safeParse(json);
  if (!delivery.success) {
    throw new Refusal(
      400,
      `not an Asana delivery: ${delivery.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  return delivery.data;
}

function header(request: AsanaWebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `application/json`, with or without parameters such as `; charset=utf-8`. */
const isJson = (contentType: string | undefined): boolean =>
  contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';

/** Rejects whatever it races once `ms` have passed since it was made. */
class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private readonly expired: Promise<never>;

  constructor(ms: number) {
    this.expired = new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => reject(new DeadlineExceeded(`Temporal did not answer within ${ms} ms`)), ms);
    });
    this.expired.catch(() => undefined); // nothing may be racing it when it fires
  }

  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.expired]);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
