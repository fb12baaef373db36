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
// syncAsanaResource: one workflow per Asana gid

/** The Asana resource types the sync maps into Attio. */
export type SyncedResourceType = 'project' | 'section' | 'task';

export const SYNCED_RESOURCE_TYPES: readonly SyncedResourceType[] = ['project', 'section', 'task'];

export interface AsanaResourceRef {
  gid: string;
  resource_type: SyncedResourceType;
}

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

export interface SyncAsanaResourceInput {
  resource: AsanaResourceRef;
  /** Wait this long after the last change before syncing. @default 2000 */
  quietPeriodMs?: number;
  /** Never delay a sync longer than this after the first unsynced change. @default 30000 */
  maxDelayMs?: number;
  /** Complete after this long without changes, so open workflows stay bounded. @default 300000 */
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
  changesReceived: number;
  syncs: number;
  attioWrites: number;
  skippedWrites: number;
  lastSyncedAt?: string;
  lastOutcome?: string;
}

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
  /** Carried across continue-as-new. */
  state?: WebhookState;
}

export interface WebhookHealthSettings {
  /** How often the webhook's health is checked. @default 600000 (10 min) */
  intervalMs?: number;
  /** Re-create a webhook whose deliveries have failed this long. @default 7200000 (2 h) */
  failingThresholdMs?: number;
  /** Re-create a failing webhook when Asana's deletion deadline is this close. @default 21600000 (6 h) */
  deletionMarginMs?: number;
  /** Report a heartbeat missing for longer than Asana's 8 h interval plus this. @default 3600000 (1 h) */
  heartbeatGraceMs?: number;
}

export type WebhookHealth = 'registering' | 'healthy' | 'failing' | 'heartbeat-overdue' | 'recreated' | 'unwatched';

/** What the watch workflow keeps about its webhook (secrets travel encrypted by the payload codec). */
export interface WebhookState {
  /** Increases with every (re-)creation; part of the target URL so a new webhook never duplicates the old one. */
  generation: number;
  webhookGid?: string;
  /** Current secret first; the previous one stays valid during a re-creation. */
  secrets: string[];
  lastDeliveryAt?: string;
  lastHeartbeatAt?: string;
  /** When the current webhook was registered (ISO 8601). */
  registeredAt?: string;
  /** Events API sync token, kept fresh by health checks, for repairing a gap (project resources). */
  eventsSync?: string;
  health?: WebhookHealth;
  lastCheckAt?: string;
  /** Webhooks re-created by health checks so far. */
  recreations?: number;
  /** Summary of the last gap repair. */
  lastRepair?: string;
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

/** The receiver hands the X-Hook-Secret of a handshake to the workflow; rejected unless a registration is in flight. */
export const recordHandshakeUpdate = defineUpdate<void, [HandshakeRequest]>('recordHandshake');
/** The secrets a delivery's signature may be made with. */
export const webhookSecretsQuery = defineQuery<WebhookSecrets>('webhookSecrets');
export interface WebhookStatus extends Omit<WebhookState, 'secrets' | 'eventsSync'> {
  resourceGid: string;
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
