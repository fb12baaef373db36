/**
 * The OAuth refresh, run for the connection workflow (workflows/asana-connection.ts) on the workflow's own queue: the
 * token endpoint is not part of Asana's REST request budget. Its input and result are tokens, which the payload codec
 * encrypts in history.
 */
import type { AsanaOAuth, AsanaTokens } from '../asana/oauth';

export interface AsanaConnectionActivityDependencies {
  /** Absent with a personal access token: no connection workflow runs then. */
  asanaOAuth?: AsanaOAuth;
}

export const createAsanaConnectionActivities = (deps: AsanaConnectionActivityDependencies) => ({
  async refreshAsanaAccessToken(input: { refreshToken: string }): Promise<AsanaTokens> {
    if (!deps.asanaOAuth)
      throw new Error('ASANA_OAUTH_CLIENT_ID and ASANA_OAUTH_CLIENT_SECRET are not set on this worker');
    return deps.asanaOAuth.refresh(input.refreshToken);
  },
});

export type AsanaConnectionActivities = ReturnType<typeof createAsanaConnectionActivities>;
