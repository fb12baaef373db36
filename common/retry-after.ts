/**
 * Parses a `Retry-After` header into a delay in milliseconds. Asana sends seconds; Attio sends an HTTP date
 * (docs/asana.md, docs/attio.md). Returns undefined when the header is missing or unreadable.
 * A date in the past gives 0.
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
