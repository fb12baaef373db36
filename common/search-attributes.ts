/**
 * Custom search attributes of the project. The dev server registers them at start (`--search-attribute`);
 * an existing cluster needs them once: `temporal operator search-attribute create --name … --type …`.
 *
 * Search attributes are stored unencrypted (https://docs.temporal.io/search-attribute), so they hold gids,
 * types and states only: never names, notes, emails or secrets.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const AsanaGid = defineSearchAttributeKey('AsanaGid', SearchAttributeType.KEYWORD);
export const AsanaResourceType = defineSearchAttributeKey('AsanaResourceType', SearchAttributeType.KEYWORD);
export const SyncState = defineSearchAttributeKey('SyncState', SearchAttributeType.KEYWORD);
export const WebhookHealth = defineSearchAttributeKey('WebhookHealth', SearchAttributeType.KEYWORD);

/** An Asana OAuth connection: awaiting-connect, connected or needs-reauthorization (workflows/asana-connection.ts). */
export const AsanaConnectionState = defineSearchAttributeKey('AsanaConnectionState', SearchAttributeType.KEYWORD);

export const BackfillPages = defineSearchAttributeKey('BackfillPages', SearchAttributeType.INT);
export const BackfillRecords = defineSearchAttributeKey('BackfillRecords', SearchAttributeType.INT);

export const SEARCH_ATTRIBUTES = [
  AsanaGid,
  AsanaResourceType,
  SyncState,
  WebhookHealth,
  BackfillPages,
  BackfillRecords,
  AsanaConnectionState,
] as const;

/** The dev server's `--search-attribute NAME=Type` spelling of a type. */
const CLI_TYPE: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

export const searchAttributeCliArgs = (): string[] =>
  SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]);
