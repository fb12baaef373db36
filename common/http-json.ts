/**
 * The one JSON-over-HTTP call both API clients make (undici): bearer auth, query encoding, a timeout, and the
 * response handed to the caller's error mapper when it is not 2xx. Tokens live only in the Authorization header.
 */
import { type Dispatcher, request } from 'undici';

/** Sent with every call, so API owners (and the stand-ins' conformance tests) can tell our requests apart. */
export const USER_AGENT = 'asana-attio-sync/0.1 (+https://github.com/asana-attio-sync)';

export interface JsonRequest {
  baseUrl: string;
  token: string;
  method: Dispatcher.HttpMethod;
  /** Path below baseUrl, starting with `/`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** @default 30_000 */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export function buildUrl(baseUrl: string, path: string, query: JsonRequest['query'] = {}): string {
  const url = new URL(baseUrl.replace(/\/$/, '') + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  return url.toString();
}

export async function requestJson(req: JsonRequest): Promise<JsonResponse> {
  const timeoutMs = req.timeoutMs ?? 30_000;
  const response = await request(buildUrl(req.baseUrl, req.path, req.query), {
    method: req.method,
    headers: {
      authorization: `Bearer ${req.token}`,
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}),
  });
  const text = await response.body.text();
  let body: unknown = text;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML error page, say): the error mapper reports the raw text.
    }
  }
  return { status: response.statusCode, headers: response.headers, body };
}
