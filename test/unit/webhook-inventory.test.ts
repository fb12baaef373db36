import type { WatchOverview } from '../../cli/deployment';
import { inventory } from '../../cli/webhook-inventory';
import type { ListedAsanaWebhook, WebhookStatus } from '../../workflows/definitions';

const WORKSPACE = '100';
const webhook = (gid: string, resourceGid: string, ours = true): ListedAsanaWebhook => ({
  gid,
  resourceGid,
  resourceType: 'project',
  target: ours ? `https://sync.example/webhooks/asana/${resourceGid}` : 'https://other.example/hook',
  ours,
});
const watch = (resourceGid: string, status?: Partial<WebhookStatus>): WatchOverview => ({
  resourceGid,
  resourceType: 'project',
  workflowId: `asana-webhook-${resourceGid}`,
  health: 'healthy',
  schedules: [],
  ...(status
    ? { status: { resourceGid, workspaceGid: WORKSPACE, generation: 1, status: 'active', ...status } }
    : { queryError: 'no answer' }),
});
const same = (watches: WatchOverview[]) => ({ before: watches, after: watches });
const verdicts = (report: ReturnType<typeof inventory>) =>
  Object.fromEntries(report.webhooks.map((w) => [w.gid, w.verdict]));

test('a watch’s current and replaced webhooks are its own; another of ours is an orphan; a foreign one is left alone', () => {
  const report = inventory(
    WORKSPACE,
    [webhook('1', '11'), webhook('2', '11'), webhook('3', '12'), webhook('4', '11'), webhook('5', '13', false)],
    same([watch('11', { webhookGid: '1', webhooksToDelete: ['2'] })]),
  );
  expect(verdicts(report)).toEqual({ '1': 'watched', '2': 'retiring', '3': 'orphan', '4': 'orphan', '5': 'foreign' });
  expect(report.orphans).toEqual(['3', '4']);
  expect(report.missing).toEqual([]);
});

test('a watch whose webhook Asana does not list is missing it', () => {
  const report = inventory(WORKSPACE, [], same([watch('11', { webhookGid: '1' })]));
  expect(report.missing).toEqual([
    { workflowId: 'asana-webhook-11', resourceGid: '11', webhookGid: '1', health: 'healthy' },
  ]);
});

test('nothing on a resource whose watch is registering, re-creating or silent is called an orphan', () => {
  const report = inventory(
    WORKSPACE,
    [webhook('1', '11'), webhook('2', '12'), webhook('3', '13')],
    same([
      watch('11', { status: 'registering' }),
      watch('12', { webhookGid: '9', pendingRecreation: 'Asana deleted the webhook' }),
      watch('13'),
    ]),
  );
  expect(verdicts(report)).toEqual({ '1': 'registering', '2': 'registering', '3': 'unverified' });
  expect(report.orphans).toEqual([]);
});

test('a re-creation between the two looks at the watches is neither an orphan nor a missing webhook', () => {
  const report = inventory(WORKSPACE, [webhook('2', '11')], {
    before: [watch('11', { webhookGid: '1' })],
    after: [watch('11', { webhookGid: '2' })],
  });
  expect(verdicts(report)).toEqual({ '2': 'watched' });
  expect(report.missing).toEqual([]);
});

test('watches of another workspace are not compared with this one’s webhooks', () => {
  const elsewhere = watch('11', { webhookGid: '1', workspaceGid: '200' });
  const report = inventory(WORKSPACE, [webhook('1', '11')], same([elsewhere]));
  expect(report.orphans).toEqual(['1']);
  expect(report.missing).toEqual([]);
});
