/**
 * Workflow inputs, outputs, signals, queries and updates: the contract shared by workflows, the receiver, the CLI and
 * tests. Signal, query and update names are stored in history: never rename them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

// ---------------------------------------------------------------------------------------------------------------
// checkConnections

export interface CheckConnectionsInput {
  /** Which remote systems to check. @default both */
  systems?: ('asana' | 'attio')[];
}

export interface ConnectionCheck {
  system: 'asana' | 'attio';
  ok: boolean;
  /** Who the credentials belong to (Asana user gid / Attio workspace id), when ok. Never a name or an email. */
  identity?: string;
  /** Why it failed, as an operator can act on it. */
  error?: string;
}

export interface CheckConnectionsResult {
  checks: ConnectionCheck[];
  ok: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// asanaWebhookInventory: every webhook Asana has for the workspace (`cli webhooks`)

export interface AsanaWebhookInventoryInput {
  workspaceGid: string;
  /** Webhooks to delete first (the orphans `webhooks --delete-orphans` found); only webhooks of this workspace. */
  deleteWebhookGids?: string[];
}

/** One webhook as GET /webhooks lists it; the target without its query, so never a registration token. */
export interface ListedAsanaWebhook {
  gid: string;
  resourceGid: string;
  resourceType: string;
  /** Scheme, host and path of the target. */
  target: string;
  /** The path is this service's (`/webhooks/asana/<gid>`), at whatever host: ours, possibly from an older URL. */
  ours: boolean;
  active?: boolean;
  createdAt?: string;
  lastSuccessAt?: string;
  lastFailureAt?: string;
}

export interface AsanaWebhookInventory {
  workspaceGid: string;
  /** What Asana has after the deletions. */
  webhooks: ListedAsanaWebhook[];
  deleted: string[];
  /** Deletions refused: not a webhook of this workspace, or Asana's answer. */
  notDeleted: { webhookGid: string; reason: string }[];
}

// ---------------------------------------------------------------------------------------------------------------
// syncAsanaResource: one workflow per Asana gid

/** The Asana resource types the sync maps into Attio. */
export type SyncedResourceType = 'project' | 'section' | 'task';

export const SYNCED_RESOURCE_TYPES: readonly SyncedResourceType[] = ['project', 'section', 'task'];

export interface AsanaResourceRef {
  gid: string;
  resource_type: SyncedResourceType;
}

/** How one resource is told apart in maps, sets and logs, wherever changes to it are deduplicated: `task:1201234`. */
export const resourceKey = (ref: { resource_type: string; gid: string }): string => `${ref.resource_type}:${ref.gid}`;

/** What a delivery said about a resource. Only a hint: the workflow always re-reads the current state. */
export interface AsanaChange {
  /** Asana's action: added, changed, removed, deleted or undeleted ("not exhaustive", so any string). */
  action: string;
  /** Asana's `created_at` of the event (ISO 8601). */
  createdAt?: string;
  /** When the receiver recorded it (ISO 8601), for latency reporting. */
  receivedAt?: string;
  /** Where the change came from: a webhook delivery, reconciliation, an operator's resync. */
  source?: 'webhook' | 'reconcile' | 'resync' | 'backfill';
}

/** The debounce a sync workflow uses when its input names none (the service passes SYNC_* from common/config.ts). */
export const SYNC_DEFAULTS = { quietPeriodMs: 2_000, maxDelayMs: 30_000, idleTimeoutMs: 300_000 } as const;

export interface SyncAsanaResourceInput {
  resource: AsanaResourceRef;
  /** Wait this long after the last change before syncing. @default SYNC_DEFAULTS.quietPeriodMs (2 s) */
  quietPeriodMs?: number;
  /** Never delay a sync longer than this after the first unsynced change. @default SYNC_DEFAULTS.maxDelayMs (30 s) */
  maxDelayMs?: number;
  /**
   * Complete after this long without changes, so open workflows stay bounded; 0 completes right after the sync.
   * @default SYNC_DEFAULTS.idleTimeoutMs (5 min)
   */
  idleTimeoutMs?: number;
  /** A sync that finds the content unchanged still moves `asana_last_synced_at` (one write). @default false */
  touchUnchanged?: boolean;
  /** Carried across continue-as-new: changes received but not yet synced. */
  pendingChanges?: number;
  /** Carried across continue-as-new: what the last Attio write wrote (its content hash and the ids it touched). */
  lastReceipt?: AttioWriteReceipt;
  /** Carried across continue-as-new: syncs done by earlier runs. */
  syncsBefore?: number;
}

/** What a write did, kept by the sync workflow so the next write can skip what is unchanged. */
export interface AttioWriteReceipt {
  /** Content hash of the mapped resource that was written (or found already in Attio). */
  hash: string;
  /** Write requests made (0 when Attio already held this content). */
  writes: number;
  summary: string;
  /** The record written: the project or section record, or a task's parent record. */
  recordId?: string;
  /** Hash of a task's parent-record values, to skip rewriting an unchanged parent. */
  recordHash?: string;
  entryId?: string;
  /** The stage (status) a task's section maps to. */
  stage?: { sectionGid: string; name: string; statusId: string };
  /** The Attio People (record ids) linked to a task's entry, to notice a relink. */
  people?: string[];
}

export interface SyncStatus {
  resource: AsanaResourceRef;
  state: 'waiting' | 'debouncing' | 'syncing' | 'idle';
  /** Change signals received by this run (and carried into it). */
  changesReceived: number;
  /** Syncs (fetch, then write if changed) done, counting earlier runs. */
  syncs: number;
  /** Attio write requests this run's syncs made. */
  attioWrites: number;
  /** This run's syncs that wrote nothing, because Attio already held the content. */
  skippedWrites: number;
  lastSyncedAt?: string;
  lastOutcome?: string;
}

/** The run's totals, as in SyncStatus. */
export interface SyncAsanaResourceResult {
  syncs: number;
  attioWrites: number;
  skippedWrites: number;
}

export const asanaChangedSignal = defineSignal<[AsanaChange]>('asanaChanged');
export const syncStatusQuery = defineQuery<SyncStatus>('syncStatus');

// ---------------------------------------------------------------------------------------------------------------
// watchAsanaResource: one workflow per watched resource owns its webhook

export interface WatchAsanaResourceInput {
  /** The watched resource: a project (task, section and project events) or a workspace/team (project events). */
  resourceGid: string;
  resourceType: 'project' | 'workspace' | 'team' | 'portfolio';
  /** Workspace of the resource (GET /webhooks?workspace= needs it). */
  workspaceGid: string;
  /** Webhook filters; required by Asana for workspace, team and portfolio. */
  filters?: { resource_type: string; action?: string; fields?: string[] }[];
  /** Health-check settings; durations are inputs so tests can pass short ones. */
  health?: WebhookHealthSettings;
  /** How long one run lasts before it continues as new (sooner if the server suggests it). @default 86400000 (24 h) */
  runLengthMs?: number;
  /** Carried across continue-as-new. */
  state?: WebhookState;
}

export interface WebhookHealthSettings {
  /** How often the webhook's health is checked. @default 600000 (10 min) */
  intervalMs?: number;
  /** Re-create a webhook whose deliveries have failed this long (since the first failure seen). @default 7200000 (2 h) */
  failingThresholdMs?: number;
  /** Re-create a failing webhook when Asana's deletion deadline is this close. @default 21600000 (6 h) */
  deletionMarginMs?: number;
  /** Report a heartbeat missing for longer than Asana's 8 h interval plus this. @default 3600000 (1 h) */
  heartbeatGraceMs?: number;
  /** First wait before retrying a failed registration, check or repair; doubles on each failure. @default 30000 */
  retryInitialMs?: number;
  /** Longest wait between retries (also how often a failure that needs a person is looked at again). @default 600000 */
  retryMaxMs?: number;
}

/**
 * - `registering`: the first webhook is being created.
 * - `healthy`, `failing` (deliveries fail, not yet long enough to re-create), `heartbeat-overdue`.
 * - `recreated`: a new webhook replaced a failing one; `healthy` again at the next good check.
 * - `recreate-failed`, `check-failed`, `repair-failed`: an Asana call failed; retried with capped backoff.
 * - `needs-attention`: a failure only a person can fix (token revoked, access lost, resource gone). Reported once
 *   with `log.error`, looked at again every `retryMaxMs` and on the `checkHealth` signal; the watch keeps running.
 */
export type WebhookHealth =
  | 'registering'
  | 'healthy'
  | 'failing'
  | 'heartbeat-overdue'
  | 'recreated'
  | 'recreate-failed'
  | 'check-failed'
  | 'repair-failed'
  | 'needs-attention'
  | 'unwatched';

/** What the watch workflow keeps about its webhook (secrets travel encrypted by the payload codec). */
export interface WebhookState {
  /** Increases with every (re-)creation; part of the target URL so a new webhook never duplicates the old one. */
  generation: number;
  webhookGid?: string;
  /** Current secret first; the previous one stays valid during a re-creation. Only ever from a 201 of POST /webhooks. */
  secrets: string[];
  lastDeliveryAt?: string;
  lastHeartbeatAt?: string;
  /** When the current webhook was registered (ISO 8601). */
  registeredAt?: string;
  /**
   * Events API sync token from which a gap repair replays (project resources). It only moves forward at a healthy
   * check, to the token taken one check earlier (one interval of overlap for deliveries still under way), so it
   * always predates any delivery that may have been lost.
   */
  eventsSync?: string;
  /** Our clock when `eventsSync` was taken: a reconciliation covers everything modified since, if the token expired. */
  confirmedAt?: string;
  /** The token taken at the latest healthy check; becomes `eventsSync` at the next healthy one. */
  eventsSyncNext?: string;
  eventsSyncNextAt?: string;
  health?: WebhookHealth;
  /** Why the health is what it is, as an operator can act on it (never a secret). */
  healthReason?: string;
  /** Asana's time of the first failed delivery seen in the current run of failures. */
  failingSince?: string;
  /** Consecutive failed attempts of the current step (registration, check or repair); sets the backoff. */
  failedAttempts?: number;
  lastCheckAt?: string;
  /** When the next check or retry is due (our clock), unless a `checkHealth` signal comes first. */
  nextStepAt?: string;
  /** Webhooks re-created by health checks so far. */
  recreations?: number;
  /** Why the webhook must be replaced, while a re-creation is pending or being retried. */
  pendingRecreation?: string;
  /** The receiver's new base URL while the webhook is re-registered there (RECEIVER_PUBLIC_URL changed). */
  movingTo?: string;
  /** A `checkHealth` signal arrived as the previous run continued as new: the next run checks at once. */
  checkRequested?: boolean;
  /** Old webhooks still to delete (a failed delete is retried at the next check). */
  webhooksToDelete?: string[];
  /** A gap repair is owed (after a re-creation or a recovery) and retried until it succeeds. */
  repairPending?: boolean;
  /** Summary of the last gap repair. */
  lastRepair?: string;
  /** The reconciliation Schedules installed for this resource (project resources). */
  schedules?: string[];
}

export interface HandshakeRequest {
  generation: number;
  /**
   * The single-use token of the registration in flight, from the target URL's `registration` query parameter
   * (common/webhook-targets.ts). A handshake for a registration nobody started is refused outright.
   */
  registration?: string;
  secret: string;
}

export interface WebhookSecrets {
  status: 'registering' | 'active' | 'unwatched';
  secrets: string[];
}

/**
 * Memo key under which the watch workflow keeps its current `WebhookSecrets` (encrypted by the payload codec like
 * every payload). The receiver reads it with `describe()`, which the Temporal server answers without a worker, so
 * deliveries are verified and accepted while every worker is down.
 */
export const WEBHOOK_SECRETS_MEMO = 'webhookSecrets';

export interface DeliveryReceived {
  /** ISO 8601 time the receiver recorded the delivery. */
  at: string;
  heartbeat: boolean;
  events: number;
}

/**
 * The receiver asks whether it may echo a handshake's X-Hook-Secret: accepted only while the registration named by
 * `generation` and `registration` is in flight. Never makes the secret trusted: only the 201 body of POST /webhooks
 * does (docs/decisions/0009-watch-never-dies.md).
 */
export const recordHandshakeUpdate = defineUpdate<void, [HandshakeRequest]>('recordHandshake');
/** The secrets a delivery's signature may be made with. */
export const webhookSecretsQuery = defineQuery<WebhookSecrets>('webhookSecrets');
export interface WebhookStatus extends Omit<WebhookState, 'secrets' | 'eventsSync' | 'eventsSyncNext'> {
  resourceGid: string;
  /** Missing in the answers of watches started before it was added. */
  workspaceGid?: string;
  status: WebhookSecrets['status'];
}

/** The webhook's state for operators and the CLI: everything but the secrets. */
export const webhookStatusQuery = defineQuery<WebhookStatus>('webhookStatus');
export const deliveryReceivedSignal = defineSignal<[DeliveryReceived]>('deliveryReceived');
export const unwatchSignal = defineSignal('unwatch');
/** Runs a health check now instead of at the next interval (operators, tests). */
export const checkHealthSignal = defineSignal('checkHealth');

// ---------------------------------------------------------------------------------------------------------------
// backfill

export interface BackfillInput {
  /** Backfill every project of this workspace… */
  workspaceGid?: string;
  /** …or of this team… */
  teamGid?: string;
  /** …or these projects. */
  projectGids?: string[];
  /** Carried across continue-as-new. */
  cursor?: BackfillCursor;
  progress?: BackfillProgress;
}

/** Where a backfill is: the project (by index in the scope), the collection, and Asana's offset within it. */
export interface BackfillCursor {
  projectIndex: number;
  step: 'project' | 'sections' | 'tasks';
  offset?: string;
}

export interface BackfillProgress {
  startedAt: string;
  finishedAt?: string;
  projects?: number;
  pages: number;
  /** Resources mapped and written (or found unchanged). */
  records: number;
  /** Attio write requests made. */
  writes: number;
  errors: number;
  lastError?: string;
  recordsPerSecond: number;
  done: boolean;
  cursor?: BackfillCursor;
}

export const backfillProgressQuery = defineQuery<BackfillProgress>('backfillProgress');

// ---------------------------------------------------------------------------------------------------------------
// reconcileProject: started by the reconciliation Schedules (client/schedules.ts) or an operator

export const RECONCILE_DEFAULTS = {
  /** How far back an incremental run looks when neither its input nor a previous scheduled run says. */
  lookbackMs: 3_600_000,
} as const;

export interface ReconcileProjectInput {
  projectGid: string;
  mode: 'incremental' | 'full';
  /** ISO 8601; incremental only. @default where the previous scheduled run started, else `lookbackMs` ago */
  modifiedSince?: string;
  /** How far back an incremental run looks when nothing else says. @default RECONCILE_DEFAULTS.lookbackMs (1 h) */
  lookbackMs?: number;
}

/** A reconciliation's result, visible in the Temporal UI; the next scheduled run reads where this one started. */
export interface ReconcileReport {
  projectGid: string;
  mode: 'incremental' | 'full';
  startedAt: string;
  finishedAt: string;
  since?: string;
  /** Asana tasks looked at. */
  tasksSeen: number;
  /** Full mode: tasks Attio lacks, holds stale, or holds though Asana no longer has them in the project. */
  missing: number;
  stale: number;
  orphaned: number;
  /** Resources sent through their sync workflows. */
  signalled: number;
}

// ---------------------------------------------------------------------------------------------------------------
// provisionAttio

/** A section of a Sales Tasks source project that is a stage (the scope's `salesTasks.stageSections`). */
export interface StageSection {
  gid: string;
  name: string;
  projectGid: string;
}

/** What provisioning would do (activities/provision-attio.ts, `planProvisioning`). */
export interface ProvisioningPlan {
  steps: { action: 'exists' | 'create' | 'change' | 'conflict'; what: string; detail?: string }[];
  /** Every conflict, each naming what it is about; a plan with any writes nothing. */
  conflicts: string[];
}

export interface ProvisionAttioInput {
  /** Plan only: read Attio and return the plan, write nothing. @default false */
  dryRun?: boolean;
}

export interface ProvisionAttioResult {
  /** What this run created in Attio (`object asana_projects`, `attribute sales_tasks.stage`, …); empty if nothing. */
  created: string[];
  plan: ProvisioningPlan;
}

// ---------------------------------------------------------------------------------------------------------------
// resync

/**
 * What to resync: resources by gid, Attio records by id (the Attio app; each mapped to its Asana gid through the
 * record's `asana_gid`), all tasks of a project or of a section, or everything reconciliation finds stale.
 */
export type ResyncInput = (
  | { resources: AsanaResourceRef[] }
  | { attio: { object: string; recordIds: string[] } }
  | { projectGid: string }
  | { sectionGid: string }
  | { stale: true; projectGids: string[] }
) & { requestedBy?: ResyncRequester };

/** Who asked for a resync and from where, for the note it leaves on each Attio record. Ids only, never names. */
export interface ResyncRequester {
  source: 'attio-record-action' | 'attio-bulk-record-action' | 'cli' | 'api';
  /** The Attio workspace member who clicked, as the Attio app reports it. */
  workspaceMemberId?: string;
}

export interface ResyncResult {
  signalled: number;
  /** Attio record ids that have no `asana_gid` (or no longer exist), so nothing was resynced for them. */
  unmatched?: string[];
}
