/**
 * The JSON input of every workflow an operator may start (README, "Starting workflows by hand"), as zod schemas that
 * each workflow checks first: a wrong input from the Temporal UI or `temporal workflow start --input` fails the
 * workflow at once with a non-retryable `InvalidWorkflowInput` failure naming the field, instead of deep inside an
 * activity, or not at all. zod is pure (no I/O, no clock, no randomness), so it is safe in the workflow bundle.
 *
 * Operator-facing objects are strict, so a misspelt key (`projectGid` for `projectGids`) is named rather than ignored.
 * Fields the workflows carry across continue-as-new (`state`, `cursor`, `progress`, `lastReceipt`) are only checked
 * to be objects: their shape is the workflow's own business.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { z } from 'zod';
import {
  type AsanaWebhookInventoryInput,
  type CheckConnectionsInput,
  type ReconcileProjectInput,
  type ResyncInput,
  SYNCED_RESOURCE_TYPES,
} from './definitions';

/** The failure type of a workflow input that does not match its schema; never retried. */
export const INVALID_WORKFLOW_INPUT = 'InvalidWorkflowInput';

const gid = z.string().regex(/^\d{1,30}$/, 'expected an Asana gid (a decimal string)');
const attioId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected an Attio record id (uuid)');
const attioSlug = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected an Attio object api slug');
const milliseconds = z.number().int().min(0);
/** State a workflow hands to its next run: checked to be an object, its shape is the workflow's. */
const carried = z.looseObject({});

const resourceRef = z.strictObject({ gid, resource_type: z.enum(SYNCED_RESOURCE_TYPES) });

export const checkConnectionsInput = z.strictObject({
  systems: z.array(z.enum(['asana', 'attio'])).optional(),
}) satisfies z.ZodType<CheckConnectionsInput>;

export const asanaWebhookInventoryInput = z.strictObject({
  workspaceGid: gid,
  deleteWebhookGids: z.array(gid).max(1000).optional(),
}) satisfies z.ZodType<AsanaWebhookInventoryInput>;

export const syncAsanaResourceInput = z.strictObject({
  // Loose: callers may hand over the resource as Asana described it (with its resource_subtype, for example).
  resource: z.looseObject({ gid, resource_type: z.enum(SYNCED_RESOURCE_TYPES) }),
  quietPeriodMs: milliseconds.optional(),
  maxDelayMs: milliseconds.optional(),
  idleTimeoutMs: milliseconds.optional(),
  touchUnchanged: z.boolean().optional(),
  pendingChanges: z.number().int().min(0).optional(),
  lastReceipt: carried.optional(),
  syncsBefore: z.number().int().min(0).optional(),
});

export const watchAsanaResourceInput = z.strictObject({
  resourceGid: gid,
  resourceType: z.enum(['project', 'workspace', 'team', 'portfolio']),
  workspaceGid: gid,
  filters: z
    .array(
      z.strictObject({
        resource_type: z.string().min(1),
        action: z.string().min(1).optional(),
        fields: z.array(z.string().min(1)).optional(),
      }),
    )
    .optional(),
  health: z
    .strictObject({
      intervalMs: milliseconds.optional(),
      failingThresholdMs: milliseconds.optional(),
      deletionMarginMs: milliseconds.optional(),
      heartbeatGraceMs: milliseconds.optional(),
      retryInitialMs: milliseconds.optional(),
      retryMaxMs: milliseconds.optional(),
    })
    .optional(),
  runLengthMs: z.number().int().min(1).optional(),
  state: carried.optional(),
});

export const backfillInput = z
  .strictObject({
    workspaceGid: gid.optional(),
    teamGid: gid.optional(),
    projectGids: z.array(gid).min(1).optional(),
    cursor: carried.optional(),
    progress: carried.optional(),
  })
  .check((ctx) => {
    const { workspaceGid, teamGid, projectGids, cursor } = ctx.value;
    const scopes = [workspaceGid, teamGid, projectGids].filter((scope) => scope !== undefined).length;
    // A run continued as new carries the listed projectGids next to its original scope, with its cursor.
    if (scopes === 0 || (scopes > 1 && cursor === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: 'name exactly one scope: workspaceGid, teamGid or projectGids',
      });
    }
  });

export const reconcileProjectInput = z.strictObject({
  projectGid: gid,
  mode: z.enum(['incremental', 'full']),
  modifiedSince: z.iso.datetime({ offset: true }).optional(),
  lookbackMs: z.number().int().min(1).optional(),
}) satisfies z.ZodType<ReconcileProjectInput>;

const requestedBy = z.strictObject({
  source: z.enum(['attio-record-action', 'attio-bulk-record-action', 'cli', 'api']),
  workspaceMemberId: attioId.optional(),
});
/** Each way to name what to resync, by the key that tells it apart. */
const resyncVariants = {
  resources: z.strictObject({ resources: z.array(resourceRef).min(1).max(1000), requestedBy: requestedBy.optional() }),
  attio: z.strictObject({
    attio: z.strictObject({ object: attioSlug, recordIds: z.array(attioId).min(1).max(1000) }),
    requestedBy: requestedBy.optional(),
  }),
  projectGid: z.strictObject({ projectGid: gid, requestedBy: requestedBy.optional() }),
  sectionGid: z.strictObject({ sectionGid: gid, requestedBy: requestedBy.optional() }),
  stale: z.strictObject({
    stale: z.literal(true),
    projectGids: z.array(gid).min(1).max(100),
    requestedBy: requestedBy.optional(),
  }),
} as const;

/**
 * The variant is picked by its key, so a wrong field is named inside the variant the operator meant (a union would
 * only say that no variant matched).
 */
export const resyncInput = z.looseObject({}).check((ctx) => {
  const key = (Object.keys(resyncVariants) as (keyof typeof resyncVariants)[]).find((k) => k in ctx.value);
  if (key === undefined) {
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: `name what to resync: one of ${Object.keys(resyncVariants).join(', ')}`,
    });
    return;
  }
  const result = resyncVariants[key].safeParse(ctx.value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: ctx.value } as (typeof ctx.issues)[0]);
  }
}) as unknown as z.ZodType<ResyncInput>;

/** Where each field that is wrong sits in the input, with what is wrong: `projectGids.0: expected an Asana gid…`. */
export function describeInputIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ');
}

/**
 * Checks a workflow's input against its schema; a mismatch fails the workflow (not just the task) right away, with
 * every wrong field named. Returns the input unchanged, so carried state keeps every key it had.
 */
export function validateWorkflowInput<T>(workflowType: string, schema: z.ZodType, input: T): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid ${workflowType} input: ${describeInputIssues(result.error)}`,
      INVALID_WORKFLOW_INPUT,
    );
  }
  return input;
}
