/**
 * The watch workflow's Asana side, faked for tests and the history recorder: an Events API stream of numbered changes
 * (token `t<n>` = after change n), webhook reports set by the test, and faults the test switches on and off.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { WebhookInspection } from '../../activities/asana';
import { reconcileScheduleIds } from '../../client/schedules';
import type { Client } from '@temporalio/client';
import { webhookWorkflowId } from '../../common/workflow-ids';
import { type AsanaResourceRef, type WatchAsanaResourceInput, webhookStatusQuery } from '../../workflows/definitions';
import { waitFor } from './wait-for';

export const HOUR = 3_600_000;
export const at = (base: number, hours: number) => new Date(base + hours * HOUR).toISOString();
export const asanaError = (status: number, type: string) =>
  ApplicationFailure.nonRetryable(`Asana ${status} on POST /webhooks: injected`, type);

export function fakeAsana(
  options: {
    eventsExpire?: boolean;
    slowCreate?: () => Promise<void>;
    /** Events per Events API page (Asana's is 100); unset, every change fits on one. */
    eventsPageSize?: number;
  } = {},
) {
  const base = Date.parse('2026-11-20T00:00:00Z');
  const calls = {
    created: [] as number[],
    registrations: [] as string[],
    deleted: [] as string[],
    signalled: [] as AsanaResourceRef[][],
    reconciled: [] as string[],
    eventReads: [] as (string | undefined)[],
    /** The `maxPages` of each Events API read: the Asana requests that one activity made at most. */
    eventPagesAsked: [] as number[],
    alerts: [] as string[],
  };
  const faults = { create: undefined as Error | undefined, inspect: undefined as Error | undefined };
  const changes: string[] = [];
  let inspection: WebhookInspection = { exists: true, last_success_at: at(base, 0), created_at: at(base, 0) };
  const activities = {
    async createAsanaWebhook(input: { generation: number; registration: string }) {
      calls.registrations.push(input.registration);
      await options.slowCreate?.();
      if (faults.create) throw faults.create;
      calls.created.push(input.generation);
      return { webhookGid: `w${input.generation}`, secret: `secret-of-generation-${input.generation}-xxxxxxxx` };
    },
    async deleteAsanaWebhook(input: { webhookGid: string }) {
      calls.deleted.push(input.webhookGid);
    },
    async inspectAsanaWebhook() {
      if (faults.inspect) throw faults.inspect;
      return inspection;
    },
    async readAsanaEvents(input: { sync?: string; maxPages?: number }) {
      calls.eventReads.push(input.sync);
      calls.eventPagesAsked.push(input.maxPages ?? 50);
      if (!input.sync || (options.eventsExpire && calls.created.length > 1)) {
        return { expired: true, sync: `t${changes.length}`, refs: [], hasMore: false };
      }
      const from = Number(input.sync.slice(1));
      const to = Math.min(changes.length, from + (input.maxPages ?? 50) * (options.eventsPageSize ?? Infinity));
      const refs = changes.slice(from, to).map((gid) => ({ gid, resource_type: 'task' as const }));
      return { expired: false, sync: `t${to}`, refs, hasMore: to < changes.length };
    },
    async listAsanaPage(input: { collection: string; parentGid: string; modifiedSince?: string }) {
      if (input.collection === 'tasks') calls.reconciled.push(input.modifiedSince ?? 'all');
      return { gids: input.collection === 'tasks' ? ['6001', '6002'] : [] };
    },
    async signalAsanaResources(input: { refs: AsanaResourceRef[] }) {
      calls.signalled.push(input.refs);
      return input.refs.length;
    },
    async installReconcileSchedules(input: { projectGid: string }) {
      return Object.values(reconcileScheduleIds(input.projectGid));
    },
    async removeReconcileSchedules() {
      return [];
    },
    async sendOperatorAlert(alert: { title: string }) {
      calls.alerts.push(alert.title);
      return 'sent' as const;
    },
  };
  return {
    base,
    calls,
    faults,
    activities,
    /** A task changed in Asana (seen by the Events API stream). */
    change: (gid: string) => changes.push(gid),
    report: (next: WebhookInspection) => (inspection = next),
  };
}

/**
 * Starts a project's watch on `queue` (workers with fake activities) that checks only when signalled, so the test
 * decides when a check happens, with short retries; resolves once its health is `until` (default healthy).
 */
export async function startFakeWatch(
  client: Client,
  queue: string,
  resourceGid: string,
  options: {
    health?: WatchAsanaResourceInput['health'];
    state?: WatchAsanaResourceInput['state'];
    runLengthMs?: number;
    until?: string;
  } = {},
) {
  const handle = await client.workflow.start('watchAsanaResource', {
    taskQueue: queue,
    workflowId: webhookWorkflowId(resourceGid),
    args: [
      {
        resourceGid,
        resourceType: 'project',
        workspaceGid: '1',
        health: { intervalMs: 24 * HOUR, retryInitialMs: 200, retryMaxMs: 1_000, ...options.health },
        ...(options.state ? { state: options.state } : {}),
        ...(options.runLengthMs ? { runLengthMs: options.runLengthMs } : {}),
      },
    ],
  });
  const until = options.until ?? 'healthy';
  await waitFor(async () => (await handle.query(webhookStatusQuery)).health === until, { what: `health ${until}` });
  return handle;
}
