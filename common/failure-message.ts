/**
 * What an operator reads when an activity or child workflow failed: the cause's type and message, not the wrapper's
 * "Activity task failed". Used by workflows (status queries, backfill progress, logs); pure, so workflows may import it.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';

export function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure || error instanceof ChildWorkflowFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  return cause instanceof Error ? cause.message : String(cause);
}
