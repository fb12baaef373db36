/**
 * Every request a stand-in receives, with the response it sent, so tests can count API calls and validate every
 * response against the official OpenAPI document (test/helpers/openapi-conformance.ts).
 */
export interface RecordedRequest {
  /** Sequence number, from 1. */
  seq: number;
  /** Stand-in clock time, ISO 8601. */
  at: string;
  method: string;
  /** Path and query exactly as received. */
  url: string;
  /** Request headers; `authorization` is reduced to its scheme so tests can print the log safely. */
  requestHeaders: Record<string, string | string[] | undefined>;
  requestBody: unknown;
  status: number;
  responseHeaders: Record<string, string | string[] | number | undefined>;
  responseBody: unknown;
  /** Set when a fault injected by the control API produced this response. */
  fault?: string;
}

export class RequestLog {
  private readonly entries: RecordedRequest[] = [];
  private seq = 0;

  add(entry: Omit<RecordedRequest, 'seq'>): RecordedRequest {
    const recorded = { ...entry, seq: ++this.seq };
    this.entries.push(recorded);
    return recorded;
  }

  /** All requests, or those whose method and path (without query) match. */
  list(filter: { method?: string; path?: string | RegExp } = {}): RecordedRequest[] {
    return this.entries.filter((entry) => {
      if (filter.method && entry.method !== filter.method.toUpperCase()) return false;
      if (filter.path === undefined) return true;
      const path = entry.url.split('?')[0] ?? '';
      return typeof filter.path === 'string' ? path === filter.path : filter.path.test(path);
    });
  }

  count(filter: { method?: string; path?: string | RegExp } = {}): number {
    return this.list(filter).length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** Headers as recorded: credentials reduced to their scheme. */
export function recordableHeaders(headers: Record<string, string | string[] | undefined>) {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [key, value] of Object.entries(headers)) {
    out[key] = key.toLowerCase() === 'authorization' && typeof value === 'string' ? value.split(' ')[0] : value;
  }
  return out;
}
