/**
 * What a person reads when an activity or child workflow failed: the cause's type and message, not the wrapper's
 * "Activity task failed". Used by workflows (status queries, backfill progress, logs, sync history in Attio); pure,
 * so workflows may import it.
 *
 * @param options.withType prefix the failure type (`AttioValidationError: …`), as operators want it. @default true
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';

export function failureMessage(error: unknown, options: { withType?: boolean } = {}): string {
  const cause = error instanceof ActivityFailure || error instanceof ChildWorkflowFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && options.withType !== false)
    return `${cause.type ?? 'Error'}: ${cause.message}`;
  return cause instanceof Error ? cause.message : String(cause);
}
