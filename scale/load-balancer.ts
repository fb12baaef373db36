/**
 * The load balancer in front of the receivers (what a reverse proxy or a cloud load balancer is in production): each
 * HTTP request goes to the next receiver in turn, its body passed on byte for byte (the receiver checks the HMAC over
 * the raw body), the answer passed back. Counts the requests each receiver answered, so a run can show that every
 * receiver took deliveries. Loopback only.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

export interface LoadBalancer {
  readonly url: string;
  /** Requests answered, by receiver port. */
  answered(): Record<number, number>;
  close(): Promise<void>;
}

export async function startLoadBalancer(port: number, receiverPorts: number[]): Promise<LoadBalancer> {
  let next = 0;
  const answered: Record<number, number> = Object.fromEntries(receiverPorts.map((p) => [p, 0]));
  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const target = receiverPorts[next++ % receiverPorts.length]!;
    const upstream = request(
      { host: '127.0.0.1', port: target, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        answered[target]! += 1;
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    // A receiver that is down answers nothing: the caller (Asana) sees a failed delivery and retries, as behind a
    // real load balancer without health checks.
    upstream.once('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  };
  const server = createServer(forward);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    answered: () => ({ ...answered }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
