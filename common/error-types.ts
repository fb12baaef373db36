/**
 * Failure types thrown by the Asana and Attio clients (asana/errors.ts, attio/errors.ts) and matched by retry
 * policies (`nonRetryableErrorTypes`) and tests. Kept apart from the clients so workflows can import them.
 */
export const ASANA_ERRORS = {
  rateLimited: 'AsanaRateLimited',
  credentials: 'AsanaCredentialsError',
  validation: 'AsanaValidationError',
  notFound: 'AsanaNotFound',
  forbidden: 'AsanaForbidden',
  server: 'AsanaServerError',
} as const;

export const ATTIO_ERRORS = {
  rateLimited: 'AttioRateLimited',
  credentials: 'AttioCredentialsError',
  validation: 'AttioValidationError',
  notFound: 'AttioNotFound',
  conflict: 'AttioConflict',
  server: 'AttioServerError',
} as const;

/** Errors of the service's own making (bad field map, missing provisioning): never retried. */
export const SYNC_ERRORS = {
  configuration: 'SyncConfigurationError',
} as const;
