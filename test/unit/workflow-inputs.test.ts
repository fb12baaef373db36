/**
 * The input schemas (workflows/inputs.ts) cover the contract (workflows/definitions.ts) key for key. A schema is
 * strict, so a field the contract gains but its schema lacks fails every workflow that is given it: the receiver
 * passes `touchUnchanged` to every sync workflow it starts, and a schema without it failed them all.
 */
import type { z } from 'zod';
import type {
  AsanaWebhookInventoryInput,
  BackfillInput,
  CheckConnectionsInput,
  ReconcileProjectInput,
  SyncAsanaResourceInput,
  WatchAsanaResourceInput,
} from '../../workflows/definitions';
import {
  asanaWebhookInventoryInput,
  backfillInput,
  checkConnectionsInput,
  reconcileProjectInput,
  syncAsanaResourceInput,
  watchAsanaResourceInput,
} from '../../workflows/inputs';

/** `true` when both have the same keys; otherwise a type naming the keys one side lacks (a compile error below). */
type SameKeys<Schema, Contract> = [
  Exclude<keyof Contract, keyof Schema>,
  Exclude<keyof Schema, keyof Contract>,
] extends [never, never]
  ? true
  : { missingFromSchema: Exclude<keyof Contract, keyof Schema>; notInContract: Exclude<keyof Schema, keyof Contract> };

const covered: [
  SameKeys<z.input<typeof syncAsanaResourceInput>, SyncAsanaResourceInput>,
  SameKeys<z.input<typeof watchAsanaResourceInput>, WatchAsanaResourceInput>,
  SameKeys<z.input<typeof backfillInput>, BackfillInput>,
  SameKeys<z.input<typeof reconcileProjectInput>, ReconcileProjectInput>,
  SameKeys<z.input<typeof checkConnectionsInput>, CheckConnectionsInput>,
  SameKeys<z.input<typeof asanaWebhookInventoryInput>, AsanaWebhookInventoryInput>,
] = [true, true, true, true, true, true];

test('every input schema names exactly the fields of its contract type (checked by tsc)', () => {
  expect(covered).toEqual([true, true, true, true, true, true]);
});

test('a sync workflow started by the receiver, with every debounce setting, passes its input check', () => {
  const input: SyncAsanaResourceInput = {
    resource: { gid: '1200000000000001', resource_type: 'task' },
    quietPeriodMs: 2000,
    maxDelayMs: 30000,
    idleTimeoutMs: 300000,
    touchUnchanged: false,
  };
  expect(syncAsanaResourceInput.safeParse(input).success).toBe(true);
});
