/**
 * Retry policies of the activities that call Asana and Attio. 429s wait exactly as long as the API asked (the client
 * sets `nextRetryDelay` from Retry-After); 5xx and network errors back off up to two minutes and are retried until
 * they succeed, so an outage delays a sync and loses nothing. Errors an operator must fix are not retried.
 */
import type { RetryPolicy } from '@temporalio/common';
import { ASANA_ERRORS, ATTIO_ERRORS, SYNC_ERRORS } from '../common/error-types';

export const ASANA_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '2m',
  nonRetryableErrorTypes: [
    ASANA_ERRORS.credentials,
    ASANA_ERRORS.forbidden,
    ASANA_ERRORS.validation,
    SYNC_ERRORS.configuration,
  ],
};

export const ATTIO_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '2m',
  nonRetryableErrorTypes: [
    ATTIO_ERRORS.credentials,
    ATTIO_ERRORS.validation,
    ATTIO_ERRORS.notFound,
    SYNC_ERRORS.configuration,
  ],
};
