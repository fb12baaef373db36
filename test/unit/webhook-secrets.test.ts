/**
 * Where the receiver reads a watch workflow's secrets (receiver/webhook-secrets.ts, lookUpWebhookSecretsIn): the
 * memo from `describe()` first, the query only for a workflow without that memo. A fake client records which it used.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { lookUpWebhookSecretsIn } from '../../receiver/webhook-secrets';
import { WEBHOOK_SECRETS_MEMO, type WebhookSecrets } from '../../workflows/definitions';

const SECRETS: WebhookSecrets = { status: 'active', secrets: ['a'.repeat(64)] };

function fakeClient(workflow: { memo?: Record<string, unknown>; query?: WebhookSecrets } | 'not-found') {
  const calls: string[] = [];
  const handle = {
    describe: async () => {
      calls.push('describe');
      if (workflow === 'not-found') throw new WorkflowNotFoundError('not found', 'asana-webhook-1', undefined);
      return { memo: workflow.memo };
    },
    query: async () => {
      calls.push('query');
      if (workflow === 'not-found' || !workflow.query) throw new Error('no worker answered the query');
      return workflow.query;
    },
  };
  const client = {
    workflow: {
      getHandle: (id: string) => {
        calls.push(`handle ${id}`);
        return handle;
      },
    },
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
  } as unknown as Client;
  return { client, calls };
}

describe('lookUpWebhookSecretsIn', () => {
  test('reads the memo, without asking the workflow (no worker needed)', async () => {
    const { client, calls } = fakeClient({ memo: { [WEBHOOK_SECRETS_MEMO]: SECRETS } });
    expect(await lookUpWebhookSecretsIn(client)('1')).toEqual(SECRETS);
    expect(calls).toEqual(['handle asana-webhook-1', 'describe']);
  });

  test('asks the query of a watch workflow that has no such memo (one started before the memo existed)', async () => {
    const { client, calls } = fakeClient({ memo: { other: 1 }, query: SECRETS });
    expect(await lookUpWebhookSecretsIn(client)('1')).toEqual(SECRETS);
    expect(calls).toEqual(['handle asana-webhook-1', 'describe', 'query']);
  });

  test('says nothing watches a resource that has no watch workflow', async () => {
    const { client } = fakeClient('not-found');
    expect(await lookUpWebhookSecretsIn(client)('1')).toBeUndefined();
  });

  test('rejects a memo of a shape it does not know, so the delivery gets 503 rather than a wrong answer', async () => {
    const { client } = fakeClient({ memo: { [WEBHOOK_SECRETS_MEMO]: { secrets: 'a'.repeat(64) } } });
    await expect(lookUpWebhookSecretsIn(client)('1')).rejects.toThrow();
  });
});
