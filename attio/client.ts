/**
 * Attio REST client (undici). Failures become Temporal ApplicationFailures (attio/errors.ts).
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { type JsonRequest, requestJson } from '../common/http-json';
import { attioFailure } from './errors';

export interface AttioClientOptions {
  /** @default 'https://api.attio.com' */
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

/** GET /v2/self: the token's workspace and scopes. */
export const AttioSelf = z.object({
  active: z.boolean(),
  workspace_id: z.string().optional(),
  workspace_name: z.string().optional(),
  workspace_slug: z.string().optional(),
  scope: z.string().optional(),
});
export type AttioSelf = z.infer<typeof AttioSelf>;

export class AttioClient {
  constructor(private readonly options: AttioClientOptions) {}

  async getSelf(): Promise<AttioSelf> {
    return AttioSelf.parse(await this.call('GET', '/v2/self'));
  }

  async call(method: JsonRequest['method'], path: string, query?: JsonRequest['query'], body?: unknown): Promise<unknown> {
    const response = await requestJson({
      baseUrl: this.options.baseUrl,
      token: this.options.token,
      method,
      path,
      query,
      body,
      timeoutMs: this.options.timeoutMs,
      dispatcher: this.options.dispatcher,
    });
    if (response.status < 200 || response.status >= 300) throw attioFailure(response, `${method} ${path}`);
    return response.body;
  }
}
