import type { Command } from 'commander';
import { webhookWorkflowId } from '../../common/workflow-ids';
import type { CliContext } from '../context';
import {
  listBackfills,
  listRecentFailures,
  listWatches,
  readSchedule,
  readWatch,
  TROUBLED,
  type WatchOverview,
} from '../deployment';
import { examples, field, type JsonOption, print } from '../output';

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description(
      'with no argument: every watched resource with its health, the schedules and their last result, running ' +
        "backfills and recent failures, on one screen. With a gid: that watch's webhook, health and schedules " +
        '(never its secret). Exits 1 while a watch retries a failure or needs an operator.',
    )
    .argument('[gid]', 'a watched Asana resource')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', examples('status', 'status 1201234567890', 'status --json'))
    .action(async (gid: string | undefined, options: JsonOption) => {
      const client = await ctx.client();
      if (gid) {
        const watch = await readWatch(client, webhookWorkflowId(gid));
        const schedules = await Promise.all(watch.schedules.map((id) => readSchedule(client, id)));
        print(options, { ...watch, schedules }, (w) => [
          ...field('workflow', w.workflowId),
          ...(w.status
            ? [
                ...field(
                  'webhook',
                  w.status.webhookGid
                    ? `${w.status.webhookGid} (generation ${w.status.generation}, ${w.status.status})`
                    : w.status.status,
                ),
              ]
            : field('query', w.queryError)),
          ...field('health', healthOf(w)),
          ...field('failing since', w.status?.failingSince),
          ...field('deleted by', w.deletionDeadline && `${w.deletionDeadline} unless a delivery succeeds`),
          ...field('pending', w.status?.pendingRecreation && `re-creation: ${w.status.pendingRecreation}`),
          ...field('last check', w.status?.lastCheckAt),
          ...field('next check', w.status?.nextStepAt),
          ...field('last delivery', w.lastDeliveryAt),
          ...field('heartbeat', w.lastHeartbeatAt),
          ...field('re-created', w.status?.recreations),
          ...field('last repair', w.status?.lastRepair),
          ...(w.schedules.length
            ? w.schedules.map((s) => field('schedule', `${s.scheduleId}: ${scheduleLine(s)}`)[0]!)
            : field('schedules', 'none installed by the watch')),
        ]);
        if (TROUBLED.includes(watch.health)) ctx.fail();
        return;
      }
      const queue = ctx.queues.sync;
      const [watches, backfills, failures] = await Promise.all([
        listWatches(client, queue),
        listBackfills(client, queue),
        listRecentFailures(client, queue),
      ]);
      const schedules = await Promise.all(watches.flatMap((w) => w.schedules).map((id) => readSchedule(client, id)));
      const overview = { taskQueue: queue, watches, schedules, backfills, failures };
      print(options, overview, (o) => [
        `Watched resources (${o.watches.length}) on ${o.taskQueue}:`,
        ...(o.watches.length ? o.watches.map(watchLine) : ['  none']),
        `Schedules (${o.schedules.length}):`,
        ...(o.schedules.length ? o.schedules.map((s) => `  ${s.scheduleId}: ${scheduleLine(s)}`) : ['  none']),
        `Running backfills (${o.backfills.length}):`,
        ...(o.backfills.length
          ? o.backfills.map(
              (b) =>
                `  ${b.workflowId} since ${b.startedAt}: ` +
                (b.progress
                  ? `${b.progress.records} records, ${b.progress.errors} errors, ${b.progress.recordsPerSecond}/s`
                  : 'no answer from a worker'),
            )
          : ['  none']),
        `Recent failures (${o.failures.length}):`,
        ...(o.failures.length
          ? o.failures.map((f) => `  ${f.workflowId} (${f.type}): ${f.what}${f.at ? ` at ${f.at}` : ''}`)
          : ['  none']),
      ]);
      if (watches.some((w) => TROUBLED.includes(w.health))) ctx.fail();
    });
}

const healthOf = (w: Pick<WatchOverview, 'health' | 'healthReason'>) =>
  w.healthReason ? `${w.health} (${w.healthReason})` : (w.health ?? 'unknown');

const watchLine = (w: WatchOverview) =>
  `  ${w.resourceType ?? 'resource'} ${w.resourceGid}: ${healthOf(w)}; last delivery ${w.lastDeliveryAt ?? 'none'}, ` +
  `heartbeat ${w.lastHeartbeatAt ?? 'none'}` +
  (w.deletionDeadline ? `; Asana deletes the webhook at ${w.deletionDeadline} unless a delivery succeeds` : '') +
  (w.queryError ? `; ${w.queryError}` : '');

const scheduleLine = (s: Awaited<ReturnType<typeof readSchedule>>) =>
  !s.installed
    ? `MISSING${s.error ? ` (${s.error})` : ''}`
    : `${s.paused ? 'paused, ' : ''}next run ${s.nextRunAt ?? 'none'}, last run ` +
      (s.lastRunAt ? `${s.lastRunAt} (${s.lastWorkflowId}: ${s.lastResult})` : 'none yet');
