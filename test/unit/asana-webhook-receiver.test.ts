/**
 * The receiver's decisions without HTTP or Temporal (receiver/asana-webhook-receiver.ts): a fake Temporal port
 * records every call, so each test says what was asked of Temporal and what Asana is answered.
 */
import { signDelivery } from '../../asana/webhook-signature';
import {
  type AsanaWebhookRequest,
  createAsanaWebhookReceiver,
  type WebhookTemporalPort,
} from '../../receiver/asana-webhook-receiver';
import { CachedWebhookSecrets, type WebhookSecretSource } from '../../receiver/webhook-secrets';
import type { AsanaChange, AsanaResourceRef, WebhookSecrets } from '../../workflows/definitions';
import { taskEvent } from '../helpers/asana-events';

const SECRET = 'a'.repeat(64);
const WATCHED = '1001';
const REGISTRATION = 'r3gistration-token_0123456789';

/** A Temporal that records what it is asked; each method's behaviour can be replaced per test. */
function fakeTemporal(overrides: Partial<WebhookTemporalPort> = {}) {
  const calls = {
    handshakes: [] as Parameters<WebhookTemporalPort['recordHandshake']>[],
    signals: [] as { resource: AsanaResourceRef; change: AsanaChange }[],
    reports: [] as Parameters<WebhookTemporalPort['reportDelivery']>[],
  };
  const port: WebhookTemporalPort = {
    recordHandshake: async (...args) => {
      calls.handshakes.push(args);
      return overrides.recordHandshake ? overrides.recordHandshake(...args) : 'recorded';
    },
    signalAsanaChange: async (resource, change) => {
      calls.signals.push({ resource, change });
      if (overrides.signalAsanaChange) await overrides.signalAsanaChange(resource, change);
    },
    reportDelivery: async (...args) => {
      calls.reports.push(args);
      if (overrides.reportDelivery) await overrides.reportDelivery(...args);
    },
  };
  return { port, calls };
}

/** Secrets as the watch workflow would answer: WATCHED is active with SECRET, everything else unknown. */
const knownSecrets = (): WebhookSecretSource & { lookups: string[]; expired: string[] } => {
  const lookups: string[] = [];
  const expired: string[] = [];
  return {
    lookups,
    expired,
    get: async (gid) => {
      lookups.push(gid);
      return gid === WATCHED ? { status: 'active', secrets: [SECRET] } : undefined;
    },
    expire: (gid) => void expired.push(gid),
  };
};

function receiverWith(
  temporal: WebhookTemporalPort,
  secrets: WebhookSecretSource = knownSecrets(),
  options: { ackTimeoutMs?: number; deliveryReportIntervalMs?: number } = {},
) {
  return createAsanaWebhookReceiver({ temporal, secrets, ackTimeoutMs: options.ackTimeoutMs ?? 1_000, ...options });
}

function delivery(payload: unknown, options: { gid?: string; secret?: string; contentType?: string } = {}) {
  const rawBody = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return {
    resourceGid: options.gid ?? WATCHED,
    query: { generation: '1' },
    headers: {
      'content-type': options.contentType ?? 'application/json',
      'x-hook-signature': signDelivery(rawBody, options.secret ?? SECRET),
    },
    rawBody,
  } satisfies AsanaWebhookRequest;
}

const handshake = (query: Record<string, unknown>, secret = 'b'.repeat(64)): AsanaWebhookRequest => ({
  resourceGid: WATCHED,
  query,
  headers: { 'x-hook-secret': secret },
  rawBody: Buffer.alloc(0),
});

const never = () => new Promise<never>(() => undefined);

describe('a handshake', () => {
  test('is handed to the watch workflow with its generation and registration token, then echoed with 200', async () => {
    const { port, calls } = fakeTemporal();
    const secrets = knownSecrets();
    const outcome = await receiverWith(port, secrets)(handshake({ generation: '3', registration: REGISTRATION }));
    expect(outcome).toMatchObject({ status: 200, headers: { 'X-Hook-Secret': 'b'.repeat(64) } });
    expect(outcome.body).toBeUndefined();
    expect(calls.handshakes).toEqual([
      [WATCHED, { generation: 3, registration: REGISTRATION, secret: 'b'.repeat(64) }],
    ]);
    // The next delivery is checked against the watch workflow's new secrets, not a cached older answer.
    expect(secrets.expired).toEqual([WATCHED]);
  });

  test('is refused with 403 when nothing watches the resource, and 409 when it is not registering', async () => {
    const notWatched = fakeTemporal({ recordHandshake: async () => 'not-watched' });
    expect(
      (await receiverWith(notWatched.port)(handshake({ generation: '1', registration: REGISTRATION }))).status,
    ).toBe(403);
    const refused = fakeTemporal({ recordHandshake: async () => 'refused' });
    const outcome = await receiverWith(refused.port)(handshake({ generation: '1', registration: REGISTRATION }));
    expect(outcome.status).toBe(409);
    expect(outcome.headers).toBeUndefined();
  });

  test('without a usable secret, generation or registration token is refused with 400 before any Temporal call (#10, hole 4)', async () => {
    const { port, calls } = fakeTemporal();
    const receive = receiverWith(port);
    expect((await receive(handshake({ generation: '1', registration: REGISTRATION }, 'short'))).status).toBe(400);
    expect((await receive(handshake({ registration: REGISTRATION }))).status).toBe(400);
    expect((await receive(handshake({ generation: 'x', registration: REGISTRATION }))).status).toBe(400);
    expect((await receive(handshake({ generation: '1' }))).status).toBe(400);
    expect((await receive(handshake({ generation: '1', registration: '' }))).status).toBe(400);
    expect((await receive(handshake({ generation: '1', registration: 'not a token!' }))).status).toBe(400);
    expect((await receive(handshake({ generation: '1', registration: [REGISTRATION, REGISTRATION] }))).status).toBe(
      400,
    );
    expect(calls.handshakes).toEqual([]);
  });

  test('answers 503 when Temporal fails or does not answer within the ack timeout', async () => {
    const failing = fakeTemporal({ recordHandshake: async () => Promise.reject(new Error('unavailable')) });
    expect((await receiverWith(failing.port)(handshake({ generation: '1', registration: REGISTRATION }))).status).toBe(
      503,
    );
    const silent = fakeTemporal({ recordHandshake: never });
    const outcome = await receiverWith(silent.port, knownSecrets(), { ackTimeoutMs: 20 })(
      handshake({ generation: '1', registration: REGISTRATION }),
    );
    expect(outcome.status).toBe(503);
  });
});

describe('a delivery', () => {
  test('signals one sync workflow per distinct synced resource and answers 200 with their number', async () => {
    const { port, calls } = fakeTemporal();
    const outcome = await receiverWith(port)(
      delivery({
        events: [
          taskEvent('11'),
          taskEvent('11', 'added'),
          taskEvent('12'),
          { ...taskEvent('13'), resource: { gid: '13', resource_type: 'story' } },
        ],
      }),
    );
    expect(outcome).toMatchObject({ status: 200, body: { recorded: 2 } });
    expect(calls.signals.map((s) => [s.resource, s.change.action, s.change.source])).toEqual([
      [{ gid: '11', resource_type: 'task' }, 'added', 'webhook'],
      [{ gid: '12', resource_type: 'task' }, 'changed', 'webhook'],
    ]);
  });

  test('is refused, starting nothing: 415 not JSON, 401 unsigned or wrongly signed, 404 unwatched, 400 malformed', async () => {
    const { port, calls } = fakeTemporal();
    const receive = receiverWith(port);
    const payload = { events: [taskEvent('11')] };
    expect((await receive(delivery(payload, { contentType: 'text/plain' }))).status).toBe(415);
    const unsigned = delivery(payload);
    delete (unsigned.headers as Record<string, string | undefined>)['x-hook-signature'];
    expect((await receive(unsigned)).status).toBe(401);
    expect((await receive(delivery(payload, { secret: 'd'.repeat(64) }))).status).toBe(401);
    expect((await receive(delivery(payload, { gid: '2002' }))).status).toBe(404);
    expect((await receive(delivery('{"events": ['))).status).toBe(400);
    const notAsana = await receive(delivery({ events: [{ action: 'changed', resource: { gid: '11' } }] }));
    expect(notAsana.status).toBe(400);
    expect(notAsana.body?.error).toMatch(/resource_type/);
    expect(calls.signals).toEqual([]);
    expect(calls.reports).toEqual([]);
  });

  test('accepts application/json with parameters', async () => {
    const { port } = fakeTemporal();
    const outcome = await receiverWith(port)(
      delivery({ events: [taskEvent('11')] }, { contentType: 'application/json; charset=utf-8' }),
    );
    expect(outcome.status).toBe(200);
  });

  test('answers 503, telling the watch workflow nothing, when a signalWithStart fails or does not finish in time', async () => {
    const failing = fakeTemporal({
      signalAsanaChange: async (resource) => {
        if (resource.gid === '12') throw new Error('unavailable');
      },
    });
    const outcome = await receiverWith(failing.port)(delivery({ events: [taskEvent('11'), taskEvent('12')] }));
    expect(outcome).toMatchObject({ status: 503, log: { level: 'error' } });
    // Not confirmed to the watch workflow either: its gap repair starts from the last confirmed delivery.
    expect(failing.calls.reports).toEqual([]);
    const silent = fakeTemporal({ signalAsanaChange: never });
    const late = await receiverWith(silent.port, knownSecrets(), { ackTimeoutMs: 20 })(
      delivery({ events: [taskEvent('11')] }),
    );
    expect(late.status).toBe(503);
  });

  test('a heartbeat is reported to the watch workflow and answered 200', async () => {
    const { port, calls } = fakeTemporal();
    const outcome = await receiverWith(port)(delivery({ events: [] }));
    expect(outcome).toMatchObject({ status: 200, body: { recorded: 0 } });
    expect(calls.reports).toHaveLength(1);
    expect(calls.reports[0]?.[0]).toBe(WATCHED);
    expect(calls.reports[0]?.[1]).toMatchObject({ heartbeat: true, events: 0 });
  });

  test('ordinary deliveries are reported to the watch workflow at most once per interval', async () => {
    const { port, calls } = fakeTemporal();
    const receive = receiverWith(port, knownSecrets(), { deliveryReportIntervalMs: 60_000 });
    for (let i = 0; i < 3; i += 1) expect((await receive(delivery({ events: [taskEvent('11')] }))).status).toBe(200);
    expect(calls.reports).toHaveLength(1);
    expect(calls.signals).toHaveLength(3);
  });

  describe('is never refused because the bookkeeping signal to the watch workflow failed (#10, hole 1)', () => {
    test('a closed watch workflow: the delivery is still 200, and the failure is logged', async () => {
      const { port, calls } = fakeTemporal({
        reportDelivery: async () => Promise.reject(new Error('workflow execution already completed')),
      });
      const outcome = await receiverWith(port)(delivery({ events: [taskEvent('11')] }));
      expect(outcome).toMatchObject({ status: 200, body: { recorded: 1 }, log: { level: 'warn' } });
      expect(calls.signals).toHaveLength(1);
      const heartbeat = await receiverWith(port)(delivery({ events: [] }));
      expect(heartbeat.status).toBe(200);
    });

    test('a bookkeeping signal that hangs: 200 once the sync signals are recorded', async () => {
      const { port } = fakeTemporal({ reportDelivery: never });
      const outcome = await receiverWith(port, knownSecrets(), { ackTimeoutMs: 20 })(
        delivery({ events: [taskEvent('11')] }),
      );
      expect(outcome).toMatchObject({ status: 200, log: { level: 'warn' } });
    });
  });
});

describe('forged deliveries cost Temporal a bounded number of lookups (#10, hole 5)', () => {
  /** The secret source the receiver uses, over a counting lookup and a clock the test moves. */
  function countingSecrets(options: { lookupMs?: number } = {}) {
    let now = 1_000_000;
    const lookups: string[] = [];
    const secrets = new CachedWebhookSecrets(
      async (gid): Promise<WebhookSecrets | undefined> => {
        lookups.push(gid);
        if (options.lookupMs) await new Promise((resolve) => setTimeout(resolve, options.lookupMs));
        return gid === WATCHED ? { status: 'active', secrets: [SECRET] } : undefined;
      },
      { ttlMs: 30_000, unknownTtlMs: 5_000, freshIntervalMs: 5_000, now: () => now },
    );
    return { secrets, lookups, advance: (ms: number) => void (now += ms) };
  }
  const FORGED = 1_000;

  test('1,000 forgeries for a watched resource over 60 s: at most one lookup per 5 s', async () => {
    const { secrets, lookups, advance } = countingSecrets();
    const { port, calls } = fakeTemporal();
    const receive = receiverWith(port, secrets);
    for (let i = 0; i < FORGED; i += 1) {
      const outcome = await receive(delivery({ events: [taskEvent(String(i))] }, { secret: 'f'.repeat(64) }));
      expect(outcome.status).toBe(401);
      advance(60);
    }
    expect(lookups.length).toBeLessThanOrEqual(1 + (FORGED * 60) / 5_000);
    expect(calls.signals).toEqual([]);
    // The real secret still works, without a lookup of its own while the answer is fresh.
    const before = lookups.length;
    expect((await receive(delivery({ events: [taskEvent('1')] }))).status).toBe(200);
    expect(lookups.length).toBe(before);
  });

  test('1,000 forgeries for a resource nobody watches over 60 s: at most one lookup per 5 s', async () => {
    const { secrets, lookups, advance } = countingSecrets();
    const { port } = fakeTemporal();
    const receive = receiverWith(port, secrets);
    for (let i = 0; i < FORGED; i += 1) {
      expect((await receive(delivery({ events: [taskEvent('1')] }, { gid: '2002' }))).status).toBe(404);
      advance(60);
    }
    expect(lookups.length).toBeLessThanOrEqual(1 + (FORGED * 60) / 5_000);
  });

  test('1,000 forgeries arriving at once share one lookup', async () => {
    const { secrets, lookups } = countingSecrets({ lookupMs: 5 });
    const { port } = fakeTemporal();
    const receive = receiverWith(port, secrets);
    const outcomes = await Promise.all(
      Array.from({ length: FORGED }, (_, i) =>
        receive(
          delivery({ events: [taskEvent(String(i))] }, { gid: i % 2 ? WATCHED : '2002', secret: 'f'.repeat(64) }),
        ),
      ),
    );
    expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set([401, 404]));
    expect(lookups.sort()).toEqual(['1001', '2002']);
  });

  test('1,000 forgeries for 1,000 invented gids within a second: lookups stay within the budget for unknown targets', async () => {
    const { secrets, lookups, advance } = countingSecrets();
    const { port, calls } = fakeTemporal();
    const receive = receiverWith(port, secrets);
    expect((await receive(delivery({ events: [taskEvent('1')] }))).status).toBe(200);
    const statuses = new Map<number, number>();
    for (let i = 0; i < FORGED; i += 1) {
      const outcome = await receive(delivery({ events: [taskEvent('1')] }, { gid: String(3_000_000 + i) }));
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      advance(1);
    }
    // 50 at once, then 50 a second (the defaults): 100 over this second, out of 1,000 requests.
    expect(lookups.length - 1).toBeLessThanOrEqual(100);
    expect([...statuses.keys()].sort()).toEqual([404, 503]);
    // The watched resource is not affected: its answer is known.
    expect((await receive(delivery({ events: [taskEvent('2')] }))).status).toBe(200);
    expect(calls.signals.map((s) => s.resource.gid)).toEqual(['1', '2']);
  });

  test('a flood of invented gids never pushes a watched resource out of the cache', async () => {
    let now = 0;
    const lookups: string[] = [];
    const secrets = new CachedWebhookSecrets(
      async (gid) => {
        lookups.push(gid);
        return gid === WATCHED ? { status: 'active', secrets: [SECRET] } : undefined;
      },
      { maxUnknownEntries: 100, now: () => now },
    );
    const { port } = fakeTemporal();
    const receive = receiverWith(port, secrets);
    expect((await receive(delivery({ events: [] }))).status).toBe(200);
    for (let i = 0; i < FORGED; i += 1) {
      expect((await receive(delivery({ events: [] }, { gid: String(4_000_000 + i) }))).status).toBe(404);
      now += 20; // the unknown budget's refill rate: every invented gid is looked up once
    }
    const before = lookups.length;
    expect((await receive(delivery({ events: [] }))).status).toBe(200);
    expect(lookups.length).toBe(before);
  });

  test('after a handshake this receiver recorded, the next delivery looks again even when the budget is spent', async () => {
    const watch: { secrets?: WebhookSecrets } = {};
    const secrets = new CachedWebhookSecrets(async () => watch.secrets, { unknownLookupsPerSecond: 1, now: () => 0 });
    const { port } = fakeTemporal();
    const receive = receiverWith(port, secrets);
    expect((await receive(delivery({ events: [] }))).status).toBe(404);
    expect((await receive(delivery({ events: [] }, { gid: '2002' }))).status).toBe(503);
    expect((await receive(handshake({ generation: '1', registration: REGISTRATION }, SECRET))).status).toBe(200);
    watch.secrets = { status: 'active', secrets: [SECRET] };
    expect((await receive(delivery({ events: [] }))).status).toBe(200);
  });

  test('a rotated secret is accepted once the fresh interval has passed', async () => {
    let current: WebhookSecrets = { status: 'active', secrets: [SECRET] };
    let now = 0;
    const secrets = new CachedWebhookSecrets(async () => current, { freshIntervalMs: 5_000, now: () => now });
    const { port } = fakeTemporal();
    const receive = receiverWith(port, secrets);
    expect((await receive(delivery({ events: [] }))).status).toBe(200);
    current = { status: 'active', secrets: ['n'.repeat(64), SECRET] };
    now += 5_000;
    expect((await receive(delivery({ events: [] }, { secret: 'n'.repeat(64) }))).status).toBe(200);
  });
});
