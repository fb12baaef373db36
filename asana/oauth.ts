/**
 * Asana OAuth 2.0 through openid-client (authorization code with PKCE, client_secret_post, refresh, revoke).
 * Endpoints and token response: docs/asana.md §7. Tokens never leave these functions except as return values.
 */
import * as oidc from 'openid-client';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../common/config';
import { ASANA_REAUTHORIZATION_REQUIRED } from '../workflows/asana-connection';

/**
 * `default` (full permissions): the service lists a project's sections and receives section events, and Asana has no
 * granular scope for either (docs/asana.md §7; docs/decisions/0015-oauth-connection-workflow-and-full-permission-app.md).
 */
export const ASANA_OAUTH_SCOPE = 'default';

export interface AsanaOAuthSettings {
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  /** Where Asana serves /-/oauth_*: the origin of ASANA_BASE_URL. */
  origin: string;
}

export interface AsanaTokens {
  accessToken: string;
  /** Absent when Asana's response had none (a refresh): the caller keeps the one it has. */
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAtMs: number;
}

export interface PendingAuthorization {
  url: string;
  state: string;
  codeVerifier: string;
}

export class AsanaOAuth {
  private readonly configuration: oidc.Configuration;

  constructor(private readonly settings: AsanaOAuthSettings) {
    const origin = settings.origin.replace(/\/$/, '');
    this.configuration = new oidc.Configuration(
      {
        issuer: origin,
        authorization_endpoint: `${origin}/-/oauth_authorize`,
        token_endpoint: `${origin}/-/oauth_token`,
        revocation_endpoint: `${origin}/-/oauth_revoke`,
      },
      settings.clientId,
      { client_secret: settings.clientSecret },
      oidc.ClientSecretPost(settings.clientSecret),
    );
    // Only a loopback stand-in speaks plain http; Asana itself is https.
    if (new URL(origin).protocol === 'http:' && isLoopback(new URL(origin).hostname)) {
      oidc.allowInsecureRequests(this.configuration);
    }
  }

  /** The authorize URL with a fresh `state` and PKCE verifier, which the caller keeps until the callback. */
  async authorization(): Promise<PendingAuthorization> {
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(this.configuration, {
      redirect_uri: this.settings.redirectUrl,
      scope: ASANA_OAUTH_SCOPE,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, state, codeVerifier };
  }

  /** Exchanges the callback's code (its query; state checked against the pending one) for tokens. */
  async exchange(
    callbackQuery: URLSearchParams,
    pending: Pick<PendingAuthorization, 'state' | 'codeVerifier'>,
  ): Promise<AsanaTokens> {
    // openid-client sends the callback URL without its query as redirect_uri: it must be the registered one.
    const callbackUrl = new URL(this.settings.redirectUrl);
    callbackUrl.search = callbackQuery.toString();
    const response = await oidc.authorizationCodeGrant(this.configuration, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
    });
    return tokensOf(response);
  }

  /** A new access token; `invalid_grant` (revoked or expired) becomes a non-retryable re-authorization failure. */
  async refresh(refreshToken: string): Promise<AsanaTokens> {
    try {
      return tokensOf(await oidc.refreshTokenGrant(this.configuration, refreshToken));
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant') {
        throw ApplicationFailure.nonRetryable(
          'Asana refused the refresh token (invalid_grant): run `connect` to authorize the service again',
          ASANA_REAUTHORIZATION_REQUIRED,
        );
      }
      throw error;
    }
  }

  async revoke(refreshToken: string): Promise<void> {
    await oidc.tokenRevocation(this.configuration, refreshToken, { token_type_hint: 'refresh_token' });
  }
}

function tokensOf(response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): AsanaTokens {
  const expiresIn = response.expiresIn() ?? 3600;
  return {
    accessToken: response.access_token,
    ...(response.refresh_token ? { refreshToken: response.refresh_token } : {}),
    expiresAtMs: Date.now() + expiresIn * 1000,
  };
}

const isLoopback = (host: string) => host === 'localhost' || host === '127.0.0.1' || host === '[::1]';

/** The OAuth app a config names, or undefined (a personal access token, or the demo). */
export function asanaOAuthFor(config: Config): AsanaOAuth | undefined {
  const { ASANA_OAUTH_CLIENT_ID: clientId, ASANA_OAUTH_CLIENT_SECRET: clientSecret } = config.env;
  if (!clientId || !clientSecret) return undefined;
  return new AsanaOAuth({
    clientId,
    clientSecret,
    redirectUrl: config.env.ASANA_OAUTH_REDIRECT_URL ?? `${config.receiverPublicUrl}/oauth/asana/callback`,
    origin: new URL(config.env.ASANA_BASE_URL).origin,
  });
}
