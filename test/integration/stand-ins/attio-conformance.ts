/**
 * Checks every exchange an Attio stand-in recorded: responses against attio_openapi.json where it describes them,
 * against docs/attio.md where it does not; requests our own client sent against the spec.
 *
 * How each response is judged:
 *  - 2xx: the spec's schema for the operation and status, in full.
 *  - 4xx the spec declares for the operation with this `code` (each declared error schema allows exactly one code,
 *    e.g. 409 `slug_conflict`): the spec's schema, in full.
 *  - Any other 4xx: the spec declares one example code per status and operation, while Attio answers several (the
 *    fact sheet's §7 table, e.g. `validation_type` on a record assert that the spec only lists `value_not_found` for),
 *    so these are checked against the fact sheet's error shape: `status_code` equal to the HTTP status, a known
 *    `type`, a `code` the fact sheet lists for that status, and `validation_errors` shaped as §7 describes.
 *  - 401 and 429: the fact sheet's bodies (§7 `auth_error`/`unauthorized`; §6 `rate_limit_error`/
 *    `rate_limit_exceeded`, plus a `Retry-After` HTTP date).
 *  - 5xx (only ever injected faults): the error shape; their body is a stand-in guess (stand-ins/attio/README.md).
 * Requests are validated only when our client sent them: tests mark deliberately malformed requests with the
 * `x-raw-request` header.
 */
import { z } from 'zod';
import type { RecordedRequest } from '../../../stand-ins/kit/request-log';
import { conformanceTo } from '../../helpers/openapi-conformance';

/** Marks a request a test sent on purpose outside the spec; such requests are not held to validateRequest. */
export const RAW_REQUEST_HEADER = 'x-raw-request';

/** Codes by status: docs/attio.md §7 (SPEC table and "Not in SPEC"), §1 (3P `uniqueness_conflict`). */
const FACT_CODES: Record<number, string[]> = {
  400: [
    'value_not_found',
    'validation_type',
    'filter_error',
    'missing_value',
    'immutable_value',
    'multiple_match_results',
    'system_edit_unauthorized',
    'uniqueness_conflict',
  ],
  401: ['unauthorized'],
  403: ['billing_error', 'unauthorized'],
  404: ['not_found'],
  409: ['slug_conflict', 'concurrent_write_conflict'],
  429: ['rate_limit_exceeded'],
};

/** docs/attio.md §7: all four fields in every error; `validation_errors` per 3P effect-attio. */
const ErrorBody = z.looseObject({
  status_code: z.number().int(),
  type: z.enum(['invalid_request_error', 'auth_error', 'rate_limit_error', 'internal_server_error']),
  code: z.string().min(1),
  message: z.string().min(1),
  validation_errors: z
    .array(z.looseObject({ code: z.string(), path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
    .optional(),
});

/** RFC 9110 IMF-fixdate, the form `Date.prototype.toUTCString` writes: "Tue, 23 May 2023 14:42:01 GMT". */
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function factSheetProblems(exchange: RecordedRequest): string[] {
  const where = `${exchange.method} ${exchange.url} → ${exchange.status}`;
  const parsed = ErrorBody.safeParse(exchange.responseBody);
  if (!parsed.success) return [`${where}: not Attio's error shape: ${z.prettifyError(parsed.error)}`];
  const body = parsed.data;
  const problems: string[] = [];
  if (body.status_code !== exchange.status) problems.push(`${where}: status_code ${body.status_code}`);
  if (exchange.status < 500) {
    const codes = FACT_CODES[exchange.status] ?? [];
    if (!codes.includes(body.code)) problems.push(`${where}: code "${body.code}" is not one the fact sheet lists`);
  }
  if (exchange.status === 401 && body.type !== 'auth_error') problems.push(`${where}: type ${body.type}`);
  if (exchange.status === 429) {
    if (body.type !== 'rate_limit_error') problems.push(`${where}: type ${body.type}`);
    const retryAfter = exchange.responseHeaders['retry-after'];
    if (typeof retryAfter !== 'string' || !IMF_FIXDATE.test(retryAfter)) {
      problems.push(`${where}: Retry-After ${String(retryAfter)} is not an HTTP date`);
    }
  }
  return problems;
}

/** The one `code` the spec declares for this operation and status, if it declares the status. */
function declaredCode(operation: { responses?: Record<string, unknown> } | undefined, status: number) {
  const response = operation?.responses?.[String(status)] as
    { content?: Record<string, { schema?: { properties?: { code?: { enum?: string[] } } } }> } | undefined;
  return response?.content?.['application/json']?.schema?.properties?.code?.enum;
}

/** Problems with the responses the stand-in sent; empty when every one conforms. */
export async function responseProblems(exchanges: RecordedRequest[]): Promise<string[]> {
  const spec = await conformanceTo('attio');
  const problems: string[] = [];
  for (const exchange of exchanges) {
    if (exchange.status === 0) continue; // a hung request: no response was sent
    const body = exchange.responseBody as { code?: string } | undefined;
    const operation = spec.operationFor(exchange.method, exchange.url);
    const declared = declaredCode(operation, exchange.status);
    const bySpec =
      exchange.status < 300 || (operation && declared && body?.code !== undefined && declared.includes(body.code));
    if (bySpec) {
      problems.push(
        ...spec.validateResponse({
          method: exchange.method,
          url: exchange.url,
          status: exchange.status,
          responseBody: exchange.responseBody,
        }),
      );
    } else {
      problems.push(...factSheetProblems(exchange));
    }
  }
  return problems;
}

/** Problems with the requests our client sent (those without the raw-request mark). */
export async function clientRequestProblems(exchanges: RecordedRequest[]): Promise<string[]> {
  const spec = await conformanceTo('attio');
  return exchanges
    .filter((exchange) => exchange.requestHeaders[RAW_REQUEST_HEADER] === undefined)
    .flatMap((exchange) => spec.validateRequest(exchange));
}

/** How many exchanges were judged by the spec in full (so a test can show the check is not vacuous). */
export async function countJudgedBySpec(exchanges: RecordedRequest[]): Promise<number> {
  const spec = await conformanceTo('attio');
  return exchanges.filter((exchange) => {
    if (exchange.status === 0) return false;
    if (exchange.status < 300) return true;
    const declared = declaredCode(spec.operationFor(exchange.method, exchange.url), exchange.status);
    const code = (exchange.responseBody as { code?: string } | undefined)?.code;
    return !!declared && code !== undefined && declared.includes(code);
  }).length;
}

/** A parsed answer: Attio's error fields, or `data` for a success. */
export interface RawBody {
  status_code?: number;
  type?: string;
  code?: string;
  message?: string;
  validation_errors?: { code: string; path: (string | number)[]; message: string }[];
  data?: unknown;
  [key: string]: unknown;
}

/**
 * A request outside our client: deliberately malformed bodies, missing tokens, the control API. Marked with
 * RAW_REQUEST_HEADER so clientRequestProblems leaves it out.
 */
export async function rawAttio(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: RawBody }> {
  const headers: Record<string, string> = { [RAW_REQUEST_HEADER]: '1', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as RawBody) : {} };
}
