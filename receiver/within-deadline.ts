import type { Client } from '@temporalio/client';

/**
 * Runs Temporal calls with a deadline, so a slow or absent Temporal yields a prompt 503 instead of a hanging request.
 * The gRPC deadline ends the calls; the timer also bounds the wait for a connection that is still being established.
 */
export function withinDeadline<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Temporal did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([client.connection.withDeadline(Date.now() + ms, fn), expired]).finally(() =>
    clearTimeout(timer),
  );
}
