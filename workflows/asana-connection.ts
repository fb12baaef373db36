/**
 * One entity workflow per Asana OAuth connection (`asana-connection-<id>`): it holds the refresh token (encrypted in
 * history by the payload codec, like every payload), hands out the current access token through an update (one
 * refresh however many activities ask at once), refreshes before the 3600 s expiry, and records a revoked or expired
 * refresh token as "needs re-authorization" until `connect` runs again. Design: docs/decisions/0015-oauth-connection-workflow-and-full-permission-app.md.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AsanaConnectionActivities } from '../activities/asana-connection';
import { AsanaConnectionState } from '../common/search-attributes';

export const ASANA_REAUTHORIZATION_REQUIRED = 'AsanaReauthorizationRequired';
/** Access tokens are renewed this long before Asana's expiry, so no call carries one that is about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const AUTHORIZATION_LIFETIME_MS = 10 * 60_000;

export interface AccessGrant {
  accessToken: string;
  expiresAtMs: number;
}

export interface AsanaConnectionStatus {
  status: 'awaiting-connect' | 'connected' | 'needs-reauthorization';
  /** Why it needs re-authorization; never a token. */
  reason?: string;
  accessTokenExpiresAtMs?: number;
}

interface Tokens extends AccessGrant {
  refreshToken: string;
}

export interface AsanaConnectionInput {
  connectionId: string;
  /** Carried over continue-as-new. */
  carried?: { status: AsanaConnectionStatus; tokens?: Tokens; pending?: Record<string, PendingAuthorization> };
}

interface PendingAuthorization {
  codeVerifier: string;
  expiresAtMs: number;
}

export const beginAsanaAuthorizationUpdate = defineUpdate<void, [{ state: string; codeVerifier: string }]>(
  'beginAsanaAuthorization',
);
/** Single use: answers the PKCE verifier of a pending `state` once, and only before it expires. */
export const claimAsanaAuthorizationUpdate = defineUpdate<string, [{ state: string }]>('claimAsanaAuthorization');
export const connectAsanaUpdate = defineUpdate<
  void,
  [{ accessToken: string; refreshToken: string; expiresAtMs: number }]
>('connectAsana');
export const asanaAccessTokenUpdate = defineUpdate<AccessGrant, [{ rejected?: string }]>('asanaAccessToken');
export const asanaConnectionStatusQuery = defineQuery<AsanaConnectionStatus>('asanaConnectionStatus');

export const reauthorizationMessage = (connectionId: string, why: string) =>
  `Asana connection "${connectionId}" needs re-authorization (${why}): run \`connect\` (open /oauth/asana/connect on the receiver)`;

export async function asanaConnection(input: AsanaConnectionInput): Promise<void> {
  const { refreshAsanaAccessToken } = proxyActivities<AsanaConnectionActivities>({
    taskQueue: workflowInfo().taskQueue,
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 5, nonRetryableErrorTypes: [ASANA_REAUTHORIZATION_REQUIRED] },
  });
  let status: AsanaConnectionStatus = input.carried?.status ?? { status: 'awaiting-connect' };
  let tokens = input.carried?.tokens;
  const pending = new Map(Object.entries(input.carried?.pending ?? {}));
  let refreshing: Promise<void> | undefined;

  const setStatus = (next: AsanaConnectionStatus) => {
    status = next;
    upsertSearchAttributes([{ key: AsanaConnectionState, value: next.status }]);
  };

  const refresh = async (): Promise<void> => {
    if (!tokens) return;
    try {
      const fresh = await refreshAsanaAccessToken({ refreshToken: tokens.refreshToken });
      // Asana returns a refresh token only on a code exchange; keep the old one when the response has none.
      tokens = { ...fresh, refreshToken: fresh.refreshToken ?? tokens.refreshToken };
      setStatus({ status: 'connected', accessTokenExpiresAtMs: tokens.expiresAtMs });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof ApplicationFailure && cause.type === ASANA_REAUTHORIZATION_REQUIRED) {
        tokens = undefined;
        setStatus({ status: 'needs-reauthorization', reason: 'Asana refused the refresh token (invalid_grant)' });
        return;
      }
      throw error;
    }
  };
  const refreshOnce = () => (refreshing ??= refresh().finally(() => (refreshing = undefined)));

  setHandler(
    beginAsanaAuthorizationUpdate,
    ({ state, codeVerifier }: { state: string; codeVerifier: string }) => {
      for (const [key, value] of pending) if (value.expiresAtMs <= Date.now()) pending.delete(key);
      pending.set(state, { codeVerifier, expiresAtMs: Date.now() + AUTHORIZATION_LIFETIME_MS });
    },
    {
      validator: (_request: { state: string; codeVerifier: string }) => {
        if (pending.size >= 100) throw new Error('too many authorizations in progress; retry in a few minutes');
      },
    },
  );
  setHandler(claimAsanaAuthorizationUpdate, ({ state }) => {
    const found = pending.get(state);
    pending.delete(state);
    if (!found || found.expiresAtMs <= Date.now()) {
      throw ApplicationFailure.nonRetryable('unknown, used or expired state: start again with `connect`', 'BadState');
    }
    return found.codeVerifier;
  });
  setHandler(connectAsanaUpdate, (granted) => {
    tokens = granted;
    setStatus({ status: 'connected', accessTokenExpiresAtMs: granted.expiresAtMs });
  });
  setHandler(asanaAccessTokenUpdate, async ({ rejected }) => {
    const usable = () =>
      tokens && tokens.expiresAtMs - Date.now() > REFRESH_MARGIN_MS && tokens.accessToken !== rejected;
    if (!usable()) await refreshOnce();
    if (!tokens) {
      throw ApplicationFailure.nonRetryable(
        reauthorizationMessage(input.connectionId, status.reason ?? 'not connected yet'),
        ASANA_REAUTHORIZATION_REQUIRED,
      );
    }
    return { accessToken: tokens.accessToken, expiresAtMs: tokens.expiresAtMs };
  });
  setHandler(asanaConnectionStatusQuery, () => status);

  setStatus(status);
  while (!workflowInfo().continueAsNewSuggested) {
    const dueInMs = tokens ? Math.max(1, tokens.expiresAtMs - REFRESH_MARGIN_MS - Date.now()) : undefined;
    const expiresAt = tokens?.expiresAtMs;
    const renewed = () => workflowInfo().continueAsNewSuggested || tokens?.expiresAtMs !== expiresAt;
    if (dueInMs === undefined) await condition(renewed);
    else if (!(await condition(renewed, dueInMs)) && tokens) {
      // Renew ahead of expiry; a transient failure is retried on demand by the next caller.
      await refreshOnce().catch(() => undefined);
    }
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof asanaConnection>({
    connectionId: input.connectionId,
    carried: { status, ...(tokens ? { tokens } : {}), pending: Object.fromEntries(pending) },
  });
}
