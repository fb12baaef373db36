/**
 * The operator CLI: `npm run cli -- <command>`. Connects to TEMPORAL_ADDRESS (or the embedded dev server's port)
 * with the same configuration as the service; every command starts or queries a Temporal workflow.
 */
import { parseArgs } from 'node:util';
import { type Client, ScheduleNotFoundError } from '@temporalio/client';
import { type Config, loadConfig, loadDotEnv } from '../common/config';
import { createLoggerFor } from '../common/logger';
import { taskQueuesOf } from '../common/task-queues';
import { connectClient } from '../common/temporal-connection';
import { codecServerOrigins, startCodecServer } from '../common/codec-server';
import { webhookWorkflowId } from '../common/workflow-ids';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  backfillProgressQuery,
  type ResyncInput,
  type WebhookHealth,
  webhookStatusQuery,
} from '../workflows/definitions';
import {
  checkConnectionsNow,
  planProvisioningNow,
  provisionAttioNow,
  reconcileNow,
  resyncNow,
  startBackfill,
  unwatchResource,
  watchResource,
  watchScope,
} from '../client/operations';
import { installReconcileSchedules } from '../client/schedules';
import { formatProvisioningPlan } from '../activities/provision-attio';

const USAGE = `usage: npm run cli -- <command> [options]

commands:
  check                                   check the Asana and Attio credentials through the workers
  provision [--dry-run]                   create the Attio objects, attributes, list and stages the scope needs
                                          (--dry-run: print the plan as a diff, write nothing)
  watch                                   watch everything the scope's watch: lists (SCOPE_FILE)
  watch <gid> --workspace <gid> [--type project|workspace|team|portfolio]
                                          create and keep a webhook on an Asana resource (and, for a project, its
                                          reconciliation schedules)
  unwatch <gid>                           delete the webhook of a watched resource
  status <gid>                            show a watched resource's webhook, health and schedules (never its secret);
                                          exits 1 while the watch retries a failure or needs an operator
  backfill (--workspace <gid> | --team <gid> | --project <gid> …)
                                          copy a workspace or projects into Attio; prints progress
  reconcile <projectGid> [--full]         reconcile one project now (incremental, or --full verification)
  resync (--task|--project|--section <gid> … | --project-tasks <gid> | --section-tasks <gid> | --stale --project <gid> …)
                                          re-sync resources now, writing even unchanged content
  schedules --project <gid> …             install or update the reconciliation schedules of projects
  codec-server                            serve the Temporal Web UI's codec endpoint on 127.0.0.1:CODEC_SERVER_PORT,
                                          so the UI shows the encrypted payloads in clear (runs until Ctrl-C)
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      team: { type: 'string' },
      type: { type: 'string', default: 'project' },
      project: { type: 'string', multiple: true },
      task: { type: 'string', multiple: true },
      section: { type: 'string', multiple: true },
      'project-tasks': { type: 'string' },
      'section-tasks': { type: 'string' },
      stale: { type: 'boolean' },
      full: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const [command, gid] = positionals;
  if (!command || values.help) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  loadDotEnv();
  const config = loadConfig();
  if (command === 'codec-server') return serveCodec(config);
  const client = await connectClient(config);
  const queue = taskQueuesOf(config).sync;
  try {
    switch (command) {
      case 'check': {
        const result = await checkConnectionsNow(client, queue);
        for (const c of result.checks)
          console.log(`${c.system}: ${c.ok ? `ok (${c.identity})` : `FAILED: ${c.error}`}`);
        return result.ok ? 0 : 1;
      }
      case 'provision': {
        if (values['dry-run']) {
          const plan = await planProvisioningNow(client, queue);
          console.log(formatProvisioningPlan(plan));
          return plan.conflicts.length ? 1 : 0;
        }
        const { created } = await provisionAttioNow(client, queue);
        console.log(created.length ? `created:\n  ${created.join('\n  ')}` : 'Attio already had everything');
        return 0;
      }
      case 'watch': {
        if (!gid && !values.workspace) {
          const watched = await watchScope(client, config.scope, { taskQueue: queue });
          for (const w of watched) console.log(`watching ${w.resourceType} ${w.resourceGid}: webhook registered`);
          if (watched.length === 0) console.log('the scope watches nothing (SCOPE_FILE watch:)');
          return 0;
        }
        if (!gid || !values.workspace) throw new UsageError('watch needs a resource gid and --workspace');
        const type = values.type as 'project' | 'workspace' | 'team' | 'portfolio';
        await watchResource(
          client,
          { resourceGid: gid, resourceType: type, workspaceGid: values.workspace },
          { taskQueue: queue },
        );
        console.log(`watching ${type} ${gid}: webhook registered (workflow ${webhookWorkflowId(gid)})`);
        return 0;
      }
      case 'unwatch': {
        if (!gid) throw new UsageError('unwatch needs a resource gid');
        await unwatchResource(client, gid);
        console.log(`stopped watching ${gid}; its webhook is deleted`);
        return 0;
      }
      case 'status': {
        if (!gid) throw new UsageError('status needs a resource gid');
        return await printWatchStatus(client, gid);
      }
      case 'backfill': {
        if (!values.workspace && !values.project && !values.team) {
          throw new UsageError('backfill needs --workspace, --team or --project');
        }
        const handle = await startBackfill(
          client,
          values.project
            ? { projectGids: values.project }
            : values.team
              ? { teamGid: values.team }
              : { workspaceGid: values.workspace },
          undefined,
          queue,
        );
        console.log(`backfill started: workflow ${handle.workflowId}`);
        for (;;) {
          const done = await Promise.race([handle.result().then(() => true), sleep(2000).then(() => false)]);
          const progress = await handle.query(backfillProgressQuery);
          console.log(
            `pages ${progress.pages}, records ${progress.records}, writes ${progress.writes}, errors ${progress.errors}, ${progress.recordsPerSecond}/s`,
          );
          if (done) return progress.errors > 0 ? 1 : 0;
        }
      }
      case 'reconcile': {
        if (!gid) throw new UsageError('reconcile needs a project gid');
        const report = await reconcileNow(
          client,
          { projectGid: gid, mode: values.full ? 'full' : 'incremental' },
          queue,
        );
        console.log(JSON.stringify(report, null, 2));
        return 0;
      }
      case 'resync': {
        const input: ResyncInput | undefined = values.stale
          ? { stale: true, projectGids: values.project ?? [] }
          : values['project-tasks']
            ? { projectGid: values['project-tasks'] }
            : values['section-tasks']
              ? { sectionGid: values['section-tasks'] }
              : {
                  resources: [
                    ...(values.task ?? []).map((g) => ({ gid: g, resource_type: 'task' as const })),
                    ...(values.project ?? []).map((g) => ({ gid: g, resource_type: 'project' as const })),
                    ...(values.section ?? []).map((g) => ({ gid: g, resource_type: 'section' as const })),
                  ],
                };
        if ('resources' in input && input.resources.length === 0)
          throw new UsageError('resync needs something to resync');
        if ('stale' in input && input.projectGids.length === 0) throw new UsageError('resync --stale needs --project');
        const result = await resyncNow(client, { ...input, requestedBy: { source: 'cli' } }, queue);
        console.log(`resync sent ${result.signalled} resources through their sync workflows`);
        return 0;
      }
      case 'schedules': {
        if (!values.project?.length) throw new UsageError('schedules needs --project (repeatable)');
        const results = await installReconcileSchedules(client, values.project, {
          incrementalEveryMinutes: config.env.RECONCILE_EVERY_MINUTES,
          fullEveryHours: config.env.FULL_RECONCILE_EVERY_HOURS,
          taskQueue: queue,
        });
        for (const r of results) console.log(`${r.outcome}: ${r.scheduleId}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await client.connection.close();
  }
}

/** Health values that mean the watch is retrying or waiting for an operator: `status` exits 1 on them. */
const TROUBLED: readonly (WebhookHealth | undefined)[] = [
  'recreate-failed',
  'check-failed',
  'repair-failed',
  'needs-attention',
];

/** A watched resource's webhook, health (with its reason) and reconciliation schedules, never its secret. */
async function printWatchStatus(client: Client, resourceGid: string): Promise<number> {
  const handle = client.workflow.getHandle(webhookWorkflowId(resourceGid));
  const [status, description] = await Promise.all([handle.query(webhookStatusQuery), handle.describe()]);
  const line = (label: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') console.log(`${`${label}:`.padEnd(14)}${value}`);
  };
  line('workflow', `${handle.workflowId} (${description.status.name})`);
  line(
    'webhook',
    status.webhookGid ? `${status.webhookGid} (generation ${status.generation}, ${status.status})` : status.status,
  );
  line('health', status.healthReason ? `${status.health} (${status.healthReason})` : status.health);
  line('failing since', status.failingSince);
  line('pending', status.pendingRecreation && `re-creation: ${status.pendingRecreation}`);
  line('last check', status.lastCheckAt);
  line('next check', status.nextStepAt);
  line('last delivery', status.lastDeliveryAt);
  line('heartbeat', status.lastHeartbeatAt);
  line('re-created', status.recreations);
  line('last repair', status.lastRepair);
  for (const scheduleId of status.schedules ?? []) {
    const next = await client.schedule
      .getHandle(scheduleId)
      .describe()
      .then(
        (schedule) => `next run ${schedule.info.nextActionTimes[0]?.toISOString() ?? 'none'}`,
        (error: unknown) => (error instanceof ScheduleNotFoundError ? 'MISSING' : `unknown (${String(error)})`),
      );
    line('schedule', `${scheduleId}: ${next}`);
  }
  if (!status.schedules?.length) line('schedules', 'none installed by the watch');
  return TROUBLED.includes(status.health) ? 1 : 0;
}

/** Runs the codec server until SIGINT/SIGTERM (common/codec-server.ts). */
async function serveCodec(config: Config): Promise<number> {
  const logger = createLoggerFor(config);
  const server = await startCodecServer(config, logger);
  const url = `http://localhost:${server.port}`;
  console.log(`codec server at ${url}, answering the Web UI at ${codecServerOrigins(config.env).join(', ')}`);
  console.log(
    `In the Temporal Web UI, open the Codec Server settings and set the endpoint to ${url}. Ctrl-C stops it.`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError) console.error(USAGE);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
