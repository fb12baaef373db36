/**
 * A test workflow that does what the watch workflow's contract says about its secrets (workflows/definitions.ts,
 * WEBHOOK_SECRETS_MEMO): it upserts them into its memo, then waits. Tests run it, stop every worker, and check that
 * the receiver still verifies deliveries from the memo alone.
 */
import { condition, upsertMemo } from '@temporalio/workflow';
import { WEBHOOK_SECRETS_MEMO, type WebhookSecrets } from '../../../workflows/definitions';

export async function keepWebhookSecretsInMemo(secrets: WebhookSecrets): Promise<void> {
  upsertMemo({ [WEBHOOK_SECRETS_MEMO]: secrets });
  await condition(() => false);
}
