/**
 * Where activities get the Asana access token. A personal access token is used as it is; an OAuth connection asks its
 * workflow (workflows/asana-connection.ts) and caches the answer in process until shortly before it expires, with one
 * request in flight however many activities ask at once.
 */
import { ApplicationFailure } from '@temporalio/common';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  type AccessGrant,
  ASANA_REAUTHORIZATION_REQUIRED,
  asanaAccessTokenUpdate,
  REFRESH_MARGIN_MS,
  reauthorizationMessage,
} from '../workflows/asana-connection';
import { asanaConnectionWorkflowId } from '../common/workflow-ids';

/** The one OAuth connection a deployment has today (docs/decisions/0015-oauth-connection-workflow-and-full-permission-app.md). */
export const DEFAULT_CONNECTION_ID = 'default';

export interface AsanaTokenSource {
  /** A token to send now. */
  current(): Promise<string>;
  /** Asana answered 401 to `token`: a fresh one, or the same when nothing fresher exists (a PAT). */
  renew(token: string): Promise<string>;
}

export const personalAccessToken = (token: string): AsanaTokenSource => ({
  current: async () => token,
  renew: async () => token,
});

export class ConnectionTokenProvider implements AsanaTokenSource {
  private cached: AccessGrant | undefined;
  private inFlight: Promise<AccessGrant> | undefined;

  constructor(
    private readonly client: Client,
    readonly connectionId: string,
  ) {}

  async current(): Promise<string> {
    if (this.cached && this.cached.expiresAtMs - Date.now() > REFRESH_MARGIN_MS) return this.cached.accessToken;
    return (await this.ask({})).accessToken;
  }

  async renew(token: string): Promise<string> {
    if (this.cached && this.cached.accessToken !== token) return this.cached.accessToken;
    this.cached = undefined;
    return (await this.ask({ rejected: token })).accessToken;
  }

  private ask(request: { rejected?: string }): Promise<AccessGrant> {
    this.inFlight ??= this.client.workflow
      .getHandle(asanaConnectionWorkflowId(this.connectionId))
      .executeUpdate(asanaAccessTokenUpdate, { args: [request] })
      .then((grant) => (this.cached = grant))
      .catch((error: unknown) => {
        throw this.explained(error);
      })
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Re-authorization and a connection never made fail the activity for good, with what to do. */
  private explained(error: unknown): unknown {
    if (error instanceof WorkflowNotFoundError) {
      return ApplicationFailure.nonRetryable(
        reauthorizationMessage(this.connectionId, 'never connected'),
        ASANA_REAUTHORIZATION_REQUIRED,
      );
    }
    const cause = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === ASANA_REAUTHORIZATION_REQUIRED) {
      return ApplicationFailure.nonRetryable(cause.message, ASANA_REAUTHORIZATION_REQUIRED);
    }
    return error;
  }
}
