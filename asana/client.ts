/**
 * Asana REST client (undici). Responses are parsed with zod, strict on the fields used and tolerant of extra ones.
 * Failures become Temporal ApplicationFailures (asana/errors.ts), so activities can let them propagate.
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { type JsonRequest, type JsonResponse, requestJson } from '../common/http-json';
import { asanaFailure } from './errors';
import { type AsanaTokenSource, personalAccessToken } from './token-provider';

export interface AsanaClientOptions {
  /** @default 'https://app.asana.com/api/1.0' */
  baseUrl: string;
  /** A personal access token, or an OAuth connection's token source (asana/token-provider.ts). */
  token: string | AsanaTokenSource;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

const Compact = z.object({ gid: z.string(), resource_type: z.string().optional(), name: z.string().optional() });

export const AsanaUser = z.object({
  gid: z.string(),
  name: z.string().optional(),
  workspaces: z.array(Compact).optional(),
});
export type AsanaUser = z.infer<typeof AsanaUser>;

const dataOf = <T extends z.ZodType>(schema: T) => z.object({ data: schema });

export class AsanaClient {
  private readonly tokens: AsanaTokenSource;

  constructor(private readonly options: AsanaClientOptions) {
    this.tokens = typeof options.token === 'string' ? personalAccessToken(options.token) : options.token;
  }

  /** GET /users/me: who the token belongs to and which workspaces it sees. */
  async getMe(): Promise<AsanaUser> {
    const body = await this.call('GET', '/users/me', { opt_fields: 'name,workspaces.name' });
    return dataOf(AsanaUser).parse(body).data;
  }

  /** One call; returns the parsed JSON body or throws the mapped failure. */
  async call(
    method: JsonRequest['method'],
    path: string,
    query?: JsonRequest['query'],
    body?: unknown,
  ): Promise<unknown> {
    const response = await this.send(method, path, query, body);
    if (response.status < 200 || response.status >= 300) throw asanaFailure(response, `${method} ${path}`);
    return response.body;
  }

  /** One call, answered as it came (status, headers, body), for callers that handle a status themselves. */
  async send(
    method: JsonRequest['method'],
    path: string,
    query?: JsonRequest['query'],
    body?: unknown,
  ): Promise<JsonResponse> {
    const once = (token: string) =>
      requestJson({
        baseUrl: this.options.baseUrl,
        token,
        method,
        path,
        query,
        body,
        timeoutMs: this.options.timeoutMs,
        dispatcher: this.options.dispatcher,
      });
    const token = await this.tokens.current();
    const response = await once(token);
    if (response.status !== 401) return response;
    // An access token expired or revoked early: retry once with a renewed one (a PAT renews to itself: no retry).
    const renewed = await this.tokens.renew(token);
    return renewed === token ? response : once(renewed);
  }
}
