/**
 * Each activity runs on the one task queue whose rate limit fits it (activities/index.ts). Two halves: at run time,
 * every activity is registered on exactly one queue; at compile time, calling an activity through another queue's
 * proxy is a type error. The `@ts-expect-error` lines below make `npm run typecheck` fail the moment such a call
 * compiles (for example if a proxy were typed with every activity again).
 */
import type { Client } from '@temporalio/client';
import { createQueueActivities } from '../../activities';
import { AsanaClient } from '../../asana/client';
import { AttioClient } from '../../attio/client';
import { parseFieldMap } from '../../mapping/field-map';
import type { asanaActivities, attioActivities, temporalActivities } from '../../workflows/activity-queues';

const queueActivities = createQueueActivities({
  asana: new AsanaClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' }),
  attio: new AttioClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' }),
  fieldMap: parseFieldMap({}),
  receiverPublicUrl: 'http://127.0.0.1:9',
  client: {} as Client,
});

test('every activity is registered on exactly one task queue', () => {
  const { sync, asana, attio } = queueActivities;
  const names = [sync, asana, attio].flatMap((activities) => Object.keys(activities));
  expect(names.length).toBeGreaterThan(0);
  expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
});

test('Asana calls are on the asana queue, Attio calls on the attio queue, fan-out on the workflow queue', () => {
  expect(Object.keys(queueActivities.asana)).toEqual(
    expect.arrayContaining(['fetchAsanaResourceForAttio', 'listAsanaPage', 'createAsanaWebhook']),
  );
  expect(Object.keys(queueActivities.attio)).toEqual(
    expect.arrayContaining(['writeAsanaResourceToAttio', 'readAttioSalesTasks', 'provisionAttio']),
  );
  expect(Object.keys(queueActivities.sync)).toEqual([
    'signalAsanaResources',
    'installReconcileSchedules',
    'watchProjectForTasks',
    'removeReconcileSchedules',
  ]);
});

/** Compiled by tsc, never run: each activity marked `@ts-expect-error` is looked up on the wrong queue's proxy. */
export function activitiesOnTheWrongQueue(
  asana: ReturnType<typeof asanaActivities>,
  attio: ReturnType<typeof attioActivities>,
  internal: ReturnType<typeof temporalActivities>,
): unknown[] {
  return [
    // @ts-expect-error an Attio write on the asana queue would run under Asana's rate limit
    asana.writeAsanaResourceToAttio,
    // @ts-expect-error an Asana read on the attio queue would spend Attio's write budget
    attio.fetchAsanaResourceForAttio,
    // @ts-expect-error the workflow queue has no worker for Asana calls
    internal.fetchAsanaResourceForAttio,
    // @ts-expect-error fan-out to the sync workflows belongs on the workflow queue, not under Asana's limit
    asana.signalAsanaResources,
    // The same activities on their own queues compile.
    attio.writeAsanaResourceToAttio,
    asana.fetchAsanaResourceForAttio,
    internal.signalAsanaResources,
  ];
}
