/**
 * Activities that talk to Temporal itself: fanning a list of Asana resources out to their sync workflows with
 * signalWithStart (a workflow cannot signal-with-start another). Used by reconciliation, gap repair and resync, so
 * every path into Attio goes through the same per-gid sync workflow and its debounce and skip-unchanged logic.
 * Runs on the workflow task queue: it spends no Asana or Attio budget.
 */
import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import {
  DEFAULT_SCHEDULE_SETTINGS,
  installReconcileSchedules,
  removeReconcileSchedules,
  type ScheduleSettings,
} from '../client/schedules';
import { startWatch } from '../client/operations';
import { signalAsanaChange, type SyncTimings } from '../common/signal-asana-change';
import type { AsanaChange, AsanaResourceRef } from '../workflows/definitions';

export interface TemporalActivityDependencies {
  client: Client;
  /** Debounce settings for the sync workflows this starts. */
  sync?: SyncTimings;
  /** How often the reconciliation schedules of a watched project run. @default DEFAULT_SCHEDULE_SETTINGS */
  schedules?: Omit<ScheduleSettings, 'taskQueue'>;
}

export function createTemporalActivities(deps: TemporalActivityDependencies) {
  return {
    /** Signals (starting if needed) the sync workflow of each resource. Returns how many were signalled. */
    async signalAsanaResources(input: {
      refs: AsanaResourceRef[];
      source: NonNullable<AsanaChange['source']>;
      /** The workflow task queue the sync workflows run on. */
      taskQueue: string;
    }): Promise<number> {
      const change: AsanaChange = { action: 'changed', source: input.source, receivedAt: new Date().toISOString() };
      let done = 0;
      // Small batches in parallel: fast, without flooding the frontend.
      for (let i = 0; i < input.refs.length; i += 20) {
        await Promise.all(
          input.refs
            .slice(i, i + 20)
            .map((ref) => signalAsanaChange(deps.client, ref, change, { taskQueue: input.taskQueue, sync: deps.sync })),
        );
        done += Math.min(20, input.refs.length - i);
        heartbeat(done);
      }
      return done;
    },

    /** Installs or updates a watched project's reconciliation schedules (idempotent). Returns their ids. */
    async installReconcileSchedules(input: { projectGid: string; taskQueue: string }): Promise<string[]> {
      const settings = { ...DEFAULT_SCHEDULE_SETTINGS, ...deps.schedules, taskQueue: input.taskQueue };
      const installed = await installReconcileSchedules(deps.client, [input.projectGid], settings);
      return installed.map((schedule) => schedule.scheduleId);
    },

    /**
     * Gives a project found through a watched team or workspace its own webhook (for its task events): starts its
     * watch workflow, or leaves the one already running. Does not wait for the webhook; the watch retries on its own.
     */
    async watchProjectForTasks(input: { projectGid: string; workspaceGid: string; taskQueue: string }): Promise<void> {
      await startWatch(
        deps.client,
        { resourceGid: input.projectGid, resourceType: 'project', workspaceGid: input.workspaceGid },
        input.taskQueue,
      );
    },

    /** Deletes an unwatched project's reconciliation schedules. */
    async removeReconcileSchedules(input: { projectGid: string }): Promise<string[]> {
      return removeReconcileSchedules(deps.client, input.projectGid);
    },
  };
}
