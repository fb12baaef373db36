/**
 * What a person reads when an activity or child workflow failed: the cause's type and message, not the wrapper's
 * "Activity task failed". Used by workflows (status queries, backfill progress, logs, sync history in Attio); pure,
 * so workflows may import it.
 *
 * @param options.withType prefix the failure type (`AttioValidationError: …`), as operators want it. @default true
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';

const causeOf = (error: unknown): unknown =>
  error instanceof ActivityFailure || error instanceof ChildWorkflowFailure ? error.cause : error;

export function failureMessage(error: unknown, options: { withType?: boolean } = {}): string {
  const cause = causeOf(error);
  if (cause instanceof ApplicationFailure && options.withType !== false)
    return `${cause.type ?? 'Error'}: ${cause.message}`;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Only the cause's type (`AttioValidationError`), for messages that must not quote what the error says. */
export function failureType(error: unknown): string {
  const cause = causeOf(error);
  if (cause instanceof ApplicationFailure) return cause.type ?? 'Error';
  return cause instanceof Error ? cause.name : 'Error';
}
