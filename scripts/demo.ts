/**
 * What `npm start` does in demo mode once the service runs: provisions Attio, watches every seeded project (real
 * handshakes with the receiver), backfills them, installs the reconciliation schedules, then lets a simulated person
 * edit tasks and narrates each change as it lands in Attio, with its latency.
 */
import type { Client } from '@temporalio/client';
import { provisionAttioNow, startBackfill, watchResource } from '../client/operations';
import { installReconcileSchedules } from '../client/schedules';
import type { Config } from '../common/config';
import { taskQueuesOf } from '../common/task-queues';
import type { Logger } from '../common/logger';
import { prng, STAGES } from '../stand-ins/asana/seed';
import type { DemoStandIns } from '../stand-ins/demo';
import { backfillProgressQuery, checkHealthSignal } from '../workflows/definitions';

export interface Demo {
  stop(): void;
}

export async function runDemo(options: {
  client: Client;
  config: Config;
  logger: Logger;
  standIns: DemoStandIns;
}): Promise<Demo> {
  const { client, config, logger, standIns } = options;
  const { scene, asana, attio, fieldMap } = standIns;
  const log = logger.child({ demo: true });
  const timers: NodeJS.Timeout[] = [];
  const queue = taskQueuesOf(config).sync;

  const provisioned = await provisionAttioNow(client, queue);
  log.info(
    { created: provisioned.created.length },
    'demo: Attio stand-in provisioned (objects, Sales Tasks list, attributes)',
  );

  for (const projectGid of scene.projectGids) {
    const watch = await watchResource(
      client,
      {
        resourceGid: projectGid,
        resourceType: 'project',
        workspaceGid: scene.workspaceGid,
        // Short checks, so an outage started from the control API is noticed within the demo.
        health: { intervalMs: 30_000 },
      },
      { taskQueue: queue },
    );
    // After a restart on the same .temporal/dev.db the watch workflow already exists, but the fresh stand-in has no
    // webhook: a check now finds it gone and re-creates it, instead of at the next interval.
    await watch.signal(checkHealthSignal);
  }
  log.info({ projects: scene.projectGids.length }, 'demo: webhooks registered (each with a real handshake)');

  const backfill = await startBackfill(
    client,
    { projectGids: scene.projectGids },
    `backfill-demo-${Date.now()}`,
    queue,
  );
  const finished = backfill.result().then(() => true);
  for (;;) {
    const done = await Promise.race([finished, new Promise<false>((r) => setTimeout(() => r(false), 1000))]);
    const progress = await backfill.query(backfillProgressQuery);
    log.info(
      { pages: progress.pages, records: progress.records, attioWrites: progress.writes, errors: progress.errors },
      done ? 'demo: backfill finished' : 'demo: backfill running',
    );
    if (done) break;
  }

  const schedules = await installReconcileSchedules(client, scene.projectGids, {
    incrementalEveryMinutes: config.env.RECONCILE_EVERY_MINUTES,
    fullEveryHours: config.env.FULL_RECONCILE_EVERY_HOURS,
    taskQueue: queue,
  });
  log.info(
    { schedules: schedules.length },
    'demo: reconciliation schedules installed (see Schedules in the Temporal UI)',
  );
  log.info(
    {
      outage: `curl -X POST ${asana.controlUrl}/outage -d '{"ms": 10800000}'`,
      fastForward: `curl -X POST ${asana.controlUrl}/clock/advance -d '{"ms": 10800000}'`,
    },
    'demo: to watch a webhook fail and be re-created, start an outage, then fast-forward Asana’s clock 3 h',
  );

  // A simulated person edits Sales Tasks; each edit is reported when Attio has it.
  const pending = new Map<string, { what: string; at: number }>();
  const random = prng(99);
  const salesTasks = () =>
    [...asana.store.tasks.values()].filter(
      (t) => !t.deleted && t.memberships.some((m) => m.project === scene.salesProjectGid),
    );
  function edit(): void {
    const tasks = salesTasks();
    const task = tasks[Math.floor(random() * tasks.length)];
    if (!task) return;
    const choice = Math.floor(random() * 4);
    let what: string;
    if (choice === 0) {
      const stage = STAGES[Math.floor(random() * STAGES.length)]!;
      asana.store.moveTask(task.gid, scene.stageSectionGids[stage]!);
      what = `moved "${task.name}" to ${stage}`;
    } else if (choice === 1) {
      asana.store.updateTask(task.gid, { completed: !task.completed });
      what = `${task.completed ? 'completed' : 'reopened'} "${task.name}"`;
    } else if (choice === 2) {
      const priority = ['High', 'Medium', 'Low'][Math.floor(random() * 3)]!;
      asana.store.updateTask(task.gid, { custom: { [scene.customFields.priority]: priority } });
      what = `set the priority of "${task.name}" to ${priority}`;
    } else {
      asana.store.updateTask(task.gid, {
        name: `${task.name.replace(/ \(v\d+\)$/, '')} (v${Math.floor(random() * 9) + 2})`,
      });
      what = `renamed a task to "${task.name}"`;
    }
    pending.set(task.gid, { what, at: Date.now() });
    log.info({ task: task.gid }, `demo: Asana: ${what}`);
  }
  if (config.env.DEMO_EDIT_INTERVAL_MS > 0) {
    timers.push(setInterval(edit, config.env.DEMO_EDIT_INTERVAL_MS));
    log.info({ everyMs: config.env.DEMO_EDIT_INTERVAL_MS }, 'demo: a simulated person now edits Sales Tasks in Asana');
  }

  // Narrate Attio writes of Sales Task entries for the edited tasks.
  let seen = attio.requests.list().length;
  timers.push(
    setInterval(() => {
      const all = attio.requests.list();
      for (const request of all.slice(seen)) {
        if (
          request.method !== 'PUT' ||
          request.status !== 200 ||
          !request.url.startsWith(`/v2/lists/${fieldMap.salesTasks.list}/entries`)
        )
          continue;
        const parent = (request.requestBody as { data?: { parent_record_id?: string } } | undefined)?.data
          ?.parent_record_id;
        const record = parent ? attio.record(fieldMap.salesTasks.parentObject, parent) : undefined;
        const gid = record?.values.asana_gid?.[0];
        const edit = typeof gid === 'string' ? pending.get(gid) : undefined;
        if (!edit || typeof gid !== 'string') continue;
        pending.delete(gid);
        log.info(
          { task: gid, latencyMs: Date.now() - edit.at },
          `demo: Attio: Sales Task updated after "${edit.what}"`,
        );
      }
      seen = all.length;
    }, 250),
  );

  return { stop: () => timers.forEach((timer) => clearInterval(timer)) };
}
