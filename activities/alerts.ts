/**
 * Tells operators when something breaks: one POST of a Slack-compatible incoming-webhook body (`{"text": …}`) to
 * ALERT_WEBHOOK_URL. Workflows decide when an incident starts (workflows/alerts.ts), so a retried activity or a
 * failing spell is one message; this activity only delivers it, on the workflow's own queue (it spends no Asana or
 * Attio budget). Unset URL: alerts are logged and dropped, so the service runs without a chat.
 */
import { ApplicationFailure } from '@temporalio/common';
import { type Dispatcher, request } from 'undici';
import { USER_AGENT } from '../common/http-json';
import type { OperatorAlert } from '../workflows/alerts';

export interface AlertActivityDependencies {
  /** Slack-compatible incoming webhook; the URL is a secret (it is the only credential such a hook has). */
  alertWebhookUrl?: string;
  /** Told about every alert, sent or not (the worker's logger). */
  onAlert?: (alert: OperatorAlert, delivered: boolean) => void;
  dispatcher?: Dispatcher;
}

export const ALERT_ERRORS = { refused: 'AlertWebhookRefused' } as const;

/** The message text: the incident in words and where to look, never a secret or a person's data. */
export const alertText = (alert: OperatorAlert): string =>
  `:rotating_light: asana-attio-sync: ${alert.title}\n${alert.detail}\nWorkflow: ${alert.workflowId}`;

export function createAlertActivities(deps: AlertActivityDependencies) {
  return {
    async sendOperatorAlert(alert: OperatorAlert): Promise<'sent' | 'not-configured'> {
      if (!deps.alertWebhookUrl) {
        deps.onAlert?.(alert, false);
        return 'not-configured';
      }
      const response = await request(deps.alertWebhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
        body: JSON.stringify({ text: alertText(alert) }),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
        ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
      });
      await response.body.dump();
      const { statusCode } = response;
      if (statusCode >= 200 && statusCode < 300) {
        deps.onAlert?.(alert, true);
        return 'sent';
      }
      // A hook that was removed or is malformed will not get better by retrying; 429 and 5xx will.
      const permanent = statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 429;
      const message = `the alert webhook answered ${statusCode}`;
      throw permanent
        ? ApplicationFailure.nonRetryable(message, ALERT_ERRORS.refused)
        : ApplicationFailure.retryable(message, 'AlertWebhookUnavailable');
    },
  };
}
