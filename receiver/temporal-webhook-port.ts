/**
 * The receiver's port to Temporal (`WebhookTemporalPort` of receiver/asana-webhook-receiver.ts) over a real client.
 * Every call carries a gRPC deadline of the ack timeout, so a slow Temporal ends the call, not only the wait for it.
 */
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { signalAsanaChange, type SyncTimings } from '../common/signal-asana-change';
import { webhookWorkflowId } from '../common/workflow-ids';
import { deliveryReceivedSignal, recordHandshakeUpdate } from '../workflows/definitions';
import type { WebhookTemporalPort } from './asana-webhook-receiver';

export interface TemporalWebhookPortOptions {
  /** Workflow task queue of the sync workflows the receiver starts. */
  taskQueue: string;
  /** Debounce settings passed to sync workflows the receiver starts. */
  sync?: SyncTimings;
  /** gRPC deadline of each call. */
  timeoutMs: number;
}

export function temporalWebhookPort(client: Client, options: TemporalWebhookPortOptions): WebhookTemporalPort {
  const withinDeadline = <T>(call: () => Promise<T>): Promise<T> =>
    client.connection.withDeadline(Date.now() + options.timeoutMs, call);
  const watchHandle = (resourceGid: string) => client.workflow.getHandle(webhookWorkflowId(resourceGid));

  return {
    async recordHandshake(resourceGid, request) {
      try {
        await withinDeadline(() => watchHandle(resourceGid).executeUpdate(recordHandshakeUpdate, { args: [request] }));
        return 'recorded';
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return 'not-watched';
        if (error instanceof WorkflowUpdateFailedError) return 'refused';
        throw error;
      }
    },
    signalAsanaChange: (resource, change) =>
      withinDeadline(() =>
        signalAsanaChange(client, resource, change, { taskQueue: options.taskQueue, sync: options.sync }),
      ),
    reportDelivery: (resourceGid, delivery) =>
      withinDeadline(() => watchHandle(resourceGid).signal(deliveryReceivedSignal, delivery)),
  };
}
