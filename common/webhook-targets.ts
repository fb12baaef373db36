/**
 * Where Asana posts a webhook's deliveries. The path names the watched resource; the `generation` query parameter
 * changes at each re-creation, so a new webhook never duplicates the old one (Asana refuses a second webhook with the
 * same resource and target with 403, docs/asana.md 1.1) and both can be live during the overlap. Asana uses the
 * target verbatim, query included (OAS:L9119-9126). The `registration` query parameter is the random, single-use
 * token of one registration: the receiver passes it to the watch workflow with the handshake, which refuses a
 * handshake for a registration nobody started.
 */
export const ASANA_WEBHOOK_ROUTE = '/webhooks/asana/:resourceGid';

export function webhookTargetUrl(
  receiverPublicUrl: string,
  resourceGid: string,
  generation: number,
  registration: string,
): string {
  const query = new URLSearchParams({ generation: String(generation), registration });
  return `${receiverPublicUrl.replace(/\/$/, '')}/webhooks/asana/${encodeURIComponent(resourceGid)}?${query.toString()}`;
}

/** Asana gids are decimal strings. Anything else in the path is not a target of ours. */
export const isAsanaGid = (value: string): boolean => /^\d{1,30}$/.test(value);

/** Whether a target's path is this service's webhook route, whatever its host (an older RECEIVER_PUBLIC_URL too). */
export function isServiceTarget(target: string): boolean {
  try {
    return /\/webhooks\/asana\/\d{1,30}$/.test(new URL(target).pathname);
  } catch {
    return false;
  }
}

/** A target without its query (generation, registration token): safe to show, the same for every generation. */
export const targetWithoutQuery = (target: string): string => target.split('?')[0]!;
