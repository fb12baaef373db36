/**
 * The chaos scenarios of issue 10, each bounded in count and time. A scenario makes changes in Asana while it injects
 * its fault, then heals everything; the run (chaos/run.ts) waits for convergence and compares Attio with Asana.
 * `Sizes` holds the full and the short (CI) counts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { webhookWorkflowId } from '../common/workflow-ids';
import { checkHealthSignal, webhookStatusQuery } from '../workflows/definitions';
import { makeChanges } from './changes';
import { fuzzDeliveries, forgedHandshakes } from './forgeries';
import type { ChaosStack, StackOptions, Temporal } from './stack';

export interface Sizes {
  short: boolean;
  tasks: number;
  changes: number;
  /** The changes of a scenario are spread over this long. */
  spreadMs: number;
  /** How long a fault that "lasts 60 s" lasts. */
  downMs: number;
  killEveryMs: number;
  fuzzDeliveries: number;
}

export const FULL: Sizes = {
  short: false,
  tasks: 500,
  changes: 2000,
  spreadMs: 120_000,
  downMs: 60_000,
  killEveryMs: 20_000,
  fuzzDeliveries: 1000,
};
export const SHORT: Sizes = {
  short: true,
  tasks: 30,
  changes: 60,
  spreadMs: 12_000,
  downMs: 8_000,
  killEveryMs: 5_000,
  fuzzDeliveries: 150,
};

export interface ScenarioContext {
  stack: ChaosStack;
  temporal: Temporal;
  sizes: Sizes;
  log: (message: string) => void;
}

export interface ScenarioOutcome {
  changes: number;
  /** Figures of the scenario's own checks (e.g. forged secrets trusted); any `failures` fail the scenario. */
  figures?: Record<string, number>;
  failures?: string[];
}

export interface Scenario {
  name: string;
  title: string;
  stack?: Partial<Pick<StackOptions, 'health' | 'initialRetryMs' | 'env'>>;
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
  /** After convergence, before the final comparison (the planted difference). */
  afterConvergence?(context: ScenarioContext): Promise<void>;
  /** The checker's own proof: this scenario must end with differences. */
  expectDifferences?: boolean;
}

/** Runs `fault` every `everyMs` while `work` runs. */
async function repeatedly(everyMs: number, fault: () => Promise<void>, work: Promise<number>): Promise<number> {
  let done = false;
  const loop = (async () => {
    while (!done) {
      await Promise.race([sleep(everyMs), work]);
      if (!done) await fault();
    }
  })();
  const changes = await work.finally(() => (done = true));
  await loop;
  return changes;
}

const HOUR = 3_600_000;

async function changesWhileTheWorkerIsKilled({ stack, sizes, log }: ScenarioContext, seed: number) {
  const work = makeChanges(stack, { changes: sizes.changes, overMs: sizes.spreadMs, seed });
  const kill = async () => {
    log(`SIGKILL worker${stack.workers.has('steady-worker') ? ' (the steady one keeps running)' : ''}`);
    await stack.killWorker();
    await stack.startWorker();
  };
  return { changes: await repeatedly(sizes.killEveryMs, kill, work) };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'worker-sigkill',
    title: 'the worker killed with SIGKILL every 20 s and restarted',
    run: (context) => changesWhileTheWorkerIsKilled(context, 5),
  },
  {
    name: 'worker-sigkill-second-worker',
    title: 'the same, with a second worker kept running',
    async run(context) {
      await context.stack.startWorker('steady-worker');
      return changesWhileTheWorkerIsKilled(context, 6);
    },
  },
  {
    name: 'temporal-restart',
    title: 'the Temporal server killed and restarted mid-run on the same SQLite file',
    async run({ stack, temporal, sizes, log }) {
      const work = makeChanges(stack, { changes: sizes.changes / 2, overMs: sizes.spreadMs / 2, seed: 7 });
      await sleep(sizes.spreadMs / 6);
      log('SIGKILL Temporal dev server');
      await temporal.kill();
      await sleep(3_000);
      await temporal.restart();
      log('Temporal dev server restarted on the same SQLite file');
      return { changes: await work };
    },
  },
  {
    name: 'attio-throttled',
    title: 'Attio answering 429 (Retry-After) on 20 % and 503 on 5 % of writes',
    async run({ stack, sizes }) {
      const { faults } = stack.attio;
      for (const method of ['PUT', 'PATCH']) {
        faults.add({ method, pathPrefix: '/v2/', status: 429, retryAfterSeconds: 1, probability: 0.2 });
        // Of the writes the 429 left alone (80 %), 1 in 16 is 5 % of all writes.
        faults.add({ method, pathPrefix: '/v2/', status: 503, probability: 0.05 / 0.8 });
      }
      const changes = await makeChanges(stack, { changes: sizes.changes / 2, overMs: sizes.spreadMs / 2, seed: 8 });
      const answered = (status: number) => stack.attio.requests.list().filter((r) => r.fault && r.status === status);
      return {
        changes,
        figures: { 'writes answered 429': answered(429).length, 'writes answered 503': answered(503).length },
      };
    },
  },
  {
    name: 'receiver-killed',
    title: 'the receiver killed mid-delivery, Asana retrying',
    async run({ stack, sizes, log }) {
      const work = makeChanges(stack, { changes: sizes.changes / 2, overMs: sizes.spreadMs / 2, seed: 9 });
      const changes = await repeatedly(
        sizes.killEveryMs,
        async () => {
          log('SIGKILL receiver');
          await stack.killReceiver();
          await sleep(2_000);
          await stack.startReceiver();
        },
        work,
      );
      return { changes };
    },
  },
  {
    name: 'workers-down',
    title: 'all workers down for 60 s while deliveries arrive',
    async run({ stack, sizes, log }) {
      log('every worker stopped (SIGKILL)');
      await stack.killWorker();
      const changes = await makeChanges(stack, { changes: sizes.changes / 4, overMs: sizes.downMs, seed: 10 });
      await stack.startWorker();
      return { changes };
    },
  },
  {
    name: 'temporal-unreachable',
    title: 'Temporal unreachable for 60 s: no delivery answered 200 meanwhile, all land after retries',
    async run({ stack, sizes, log }) {
      const from = stack.asana.webhooks.deliveries.length;
      log('Temporal cut off from receiver and workers');
      stack.receiverProxy.cut();
      stack.workerProxy.cut();
      const changes = await makeChanges(stack, { changes: sizes.changes / 4, overMs: sizes.downMs, seed: 12 });
      const during = stack.asana.webhooks.deliveries.slice(from);
      stack.receiverProxy.restore();
      stack.workerProxy.restore();
      const acknowledged = during.filter((d) => d.status === 200).length;
      return {
        changes,
        figures: { 'deliveries while unreachable': during.length, 'of them answered 200': acknowledged },
        failures: acknowledged > 0 ? [`${acknowledged} deliveries answered 200 while Temporal was unreachable`] : [],
      };
    },
  },
  {
    name: 'outage-repair',
    title:
      'a delivery outage over several health checks (clock fast-forwarded), re-creation failing first (handshake refused, Asana 5xx)',
    stack: { health: { intervalMs: 2_000, failingThresholdMs: 2 * HOUR, deletionMarginMs: 6 * HOUR } },
    async run({ stack, sizes, log }) {
      const { webhooks, faults, clock } = stack.asana;
      const steps = 4;
      webhooks.startOutage(steps * HOUR, { refuseHandshakes: true });
      // The first re-creations Asana answers 503; then the handshake is refused until the outage ends.
      faults.add({ method: 'POST', pathPrefix: '/api/1.0/webhooks', status: 503, count: 3 });
      log(`outage of ${steps} h (stand-in clock), re-creation refused meanwhile`);
      let changes = 0;
      for (let step = 0; step < steps; step += 1) {
        changes += await makeChanges(
          stack,
          { changes: sizes.changes / 8, overMs: 1_000, seed: 20 + step },
          `o${step}-`,
        );
        clock.advance(HOUR);
        await sleep(3 * 2_000); // several health checks per stand-in hour
      }
      webhooks.endOutage();
      log('outage over');
      return { changes };
    },
  },
  {
    name: 'webhook-deleted',
    title: 'the webhook deleted by Asana mid-run, with changes before and after',
    stack: { health: { intervalMs: 2_000 } },
    async run({ stack, sizes, log }) {
      let changes = await makeChanges(stack, { changes: sizes.changes / 8, overMs: sizes.spreadMs / 8, seed: 30 });
      for (const webhook of [...stack.asana.webhooks.all.values()]) stack.asana.webhooks.delete(webhook.gid);
      log('webhook deleted by Asana');
      changes += await makeChanges(stack, { changes: sizes.changes / 8, overMs: sizes.spreadMs / 8, seed: 31 }, 'd');
      return { changes };
    },
  },
  {
    name: 'forged-deliveries',
    title: 'malformed, forged, oversized, truncated and replayed deliveries (fast-check)',
    async run(context) {
      return fuzzDeliveries(context);
    },
  },
  {
    name: 'forged-handshakes',
    title: 'forged handshakes sent continuously while registrations are in flight (slow POST /webhooks)',
    stack: { health: { intervalMs: 2_000 } },
    async run(context) {
      return forgedHandshakes(context);
    },
  },
  {
    name: 'planted-difference',
    title: 'the checker’s proof: one Sales Task entry written wrong after convergence must count as a difference',
    expectDifferences: true,
    async run({ stack, sizes }) {
      return { changes: await makeChanges(stack, { changes: 10, overMs: sizes.short ? 2_000 : 5_000, seed: 40 }) };
    },
    async afterConvergence({ stack }) {
      await plantDifference(stack);
    },
  },
];

/**
 * A deliberately broken write: the Sales Task entry of a task named in a delivery answered 200 gets a wrong name,
 * written through Attio's API as a buggy sync would.
 */
async function plantDifference(stack: ChaosStack): Promise<void> {
  const { attio, fieldMap } = stack;
  const delivered = stack.asana.webhooks.deliveries.find(
    (d) => d.status === 200 && d.resourceGids.some((gid) => stack.asana.store.tasks.get(gid)?.deleted === false),
  );
  const gid = delivered?.resourceGids.find((g) => stack.asana.store.tasks.get(g)?.deleted === false);
  const record = gid ? attio.findRecord(fieldMap.salesTasks.parentObject, 'asana_gid', gid) : undefined;
  const entry = record && attio.entries(fieldMap.salesTasks.list).find((e) => e.parentRecordId === record.recordId);
  if (!entry) throw new Error('no synced Sales Task entry to plant a difference in');
  const response = await fetch(`${attio.url}/v2/lists/${fieldMap.salesTasks.list}/entries/${entry.entryId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${attio.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { entry_values: { name: 'Written wrong on purpose' } } }),
  });
  if (!response.ok)
    throw new Error(`could not plant the difference: Attio ${response.status} ${await response.text()}`);
}

/** Asks the watch for a health check now (scenarios whose repair the run waits for). */
export async function checkHealthNow(stack: ChaosStack): Promise<string | undefined> {
  const handle = stack.client.workflow.getHandle(webhookWorkflowId(stack.scene.salesProjectGid));
  await handle.signal(checkHealthSignal).catch(() => undefined);
  return handle
    .query(webhookStatusQuery)
    .then((status) => status.health)
    .catch(() => undefined);
}
