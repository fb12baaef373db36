/**
 * The secrets a delivery for a watched resource may be signed with. The durable copy lives in that resource's watch
 * workflow (encrypted in history by the payload codec); the receiver asks it with a query. A short-lived cache
 * keeps a query (a billed Temporal action and a round trip) off most deliveries; a signature that does not match the
 * cached secrets is checked once more against fresh ones, so a rotation never causes a false 401.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { webhookWorkflowId } from '../common/workflow-ids';
import { type WebhookSecrets, webhookSecretsQuery } from '../workflows/definitions';

export interface WebhookSecretSource {
  /** The watch workflow's secrets, or undefined when nothing watches this resource. */
  get(resourceGid: string, options?: { fresh?: boolean }): Promise<WebhookSecrets | undefined>;
}

export class TemporalWebhookSecrets implements WebhookSecretSource {
  private readonly cache = new Map<string, { value: WebhookSecrets | undefined; until: number }>();

  /** @param ttlMs how long a looked-up answer is reused. @default 30_000 */
  constructor(
    private readonly client: Client,
    private readonly ttlMs = 30_000,
  ) {}

  async get(resourceGid: string, options: { fresh?: boolean } = {}): Promise<WebhookSecrets | undefined> {
    const cached = this.cache.get(resourceGid);
    if (!options.fresh && cached && cached.until > Date.now()) return cached.value;
    let value: WebhookSecrets | undefined;
    try {
      value = await this.client.workflow.getHandle(webhookWorkflowId(resourceGid)).query(webhookSecretsQuery);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      value = undefined;
    }
    this.cache.set(resourceGid, { value, until: Date.now() + this.ttlMs });
    return value;
  }
}
