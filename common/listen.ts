/**
 * Serves an Express app (the receiver, the codec server) and stops it gracefully: no new connections, in-flight
 * requests finish (the receiver bounds each by RECEIVER_ACK_TIMEOUT_MS), idle keep-alive connections close.
 */
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import { PortInUseError } from './ports';

export interface RunningServer {
  server: Server;
  /** Bound port (useful when started on port 0). */
  port: number;
  close(): Promise<void>;
}

/** @param variable the setting that chose `port`, named when the port is taken. */
export async function listen(
  app: Express,
  port: number,
  host: string,
  variable = 'RECEIVER_PORT',
): Promise<RunningServer> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, variable) : error),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
