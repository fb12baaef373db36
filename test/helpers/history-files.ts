/**
 * Workflow histories as JSON files (test/fixtures/histories/), through @temporalio/proto's own message classes:
 * camelCase fields, enum names, 64-bit numbers as strings and bytes as base64. The SDK's historyToJSON and
 * historyFromJSON cannot be used here: @temporalio/common and @temporalio/proto each carry their own copy of
 * protobufjs in this install, and its JSON extension rejects the other copy's types ("type must be a Type").
 */
import { temporal } from '@temporalio/proto';
import type { History } from '@temporalio/common/lib/proto-utils';

const { History: HistoryMessage } = temporal.api.history.v1;

export function historyToFile(history: History): string {
  const message = HistoryMessage.fromObject(history);
  return `${JSON.stringify(HistoryMessage.toObject(message, { longs: String, enums: String, bytes: String }), null, 1)}\n`;
}

export function historyFromFile(text: string): History {
  return HistoryMessage.fromObject(JSON.parse(text) as Record<string, unknown>);
}
