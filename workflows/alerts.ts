/**
 * Operator alerts from workflows (issue 16 item 5): the workflow knows when an incident starts (a health change, the
 * first failure of a failing spell, a reconciliation with differences), so it sends one alert per incident; the
 * activity's retries deliver that one message, and never hold up the work: `send` does not wait for delivery, and
 * `delivered` is awaited only before the run ends or continues as new (pending activities would be dropped).
 */
import { log, patched, workflowInfo } from '@temporalio/workflow';
import { alertActivities } from './activity-queues';
import type { WebhookHealth } from './definitions';

/** What an operator is told. Ids, states and error types only: never a secret, a name or a note's text. */
export interface OperatorAlert {
  /** One line, e.g. "webhook of project 1201 is failing". */
  title: string;
  /** What happened and what to do, in words. */
  detail: string;
  workflowId: string;
}

/** Runs written before alerts existed replay without their activities (the patch marker keeps them deterministic). */
export const ALERTS_PATCH = 'operator-alerts';

export function operatorAlerts() {
  const { sendOperatorAlert } = alertActivities({
    startToCloseTimeout: '15s',
    // A chat outage of up to a day still gets the message through; after that it is only in the logs.
    scheduleToCloseTimeout: '24h',
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m' },
  });
  const pending = new Set<Promise<void>>();
  return {
    send(alert: Omit<OperatorAlert, 'workflowId'>): void {
      if (!patched(ALERTS_PATCH)) return;
      const sent: Promise<void> = sendOperatorAlert({ ...alert, workflowId: workflowInfo().workflowId })
        .then(() => undefined)
        .catch((error: unknown) => {
          log.error('could not deliver an operator alert', {
            title: alert.title,
            error: error instanceof Error ? error.message : String(error),
          });
        })
        .finally(() => pending.delete(sent));
      pending.add(sent);
    },
    /** Waits for the alerts in flight (before the run completes or continues as new). */
    async delivered(): Promise<void> {
      await Promise.all([...pending]);
    },
  };
}

/** The webhook healths an operator is told about when the watch enters them, and what they mean. */
const HEALTH_ALERTS: Partial<Record<WebhookHealth, string>> = {
  recreated: 'failed past its threshold and was re-created; the outage is being replayed',
  'recreate-failed': 'failed past its threshold and could not be re-created; retrying with backoff',
  'heartbeat-overdue': 'has not delivered its heartbeat in time; deliveries may be lost',
  'needs-attention': 'needs an operator: fix the cause shown in its status, then signal checkHealth',
};

/** The alert for a watch entering `health`, if that health is an incident. `reason` is the health's reason. */
export function webhookHealthAlert(
  resource: { resourceType: string; resourceGid: string },
  health: WebhookHealth,
  reason?: string,
): Omit<OperatorAlert, 'workflowId'> | undefined {
  const meaning = HEALTH_ALERTS[health];
  if (!meaning) return undefined;
  return {
    title: `webhook of ${resource.resourceType} ${resource.resourceGid}: ${health}`,
    detail: `The webhook ${meaning}.${reason ? ` Reason: ${reason}` : ''}`,
  };
}
