import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Client, Connection } from '@temporalio/client';

/**
 * A Temporal client whose server accepts TCP connections and never answers: Temporal "slow or unreachable" as a
 * client sees it. `close()` ends the connection and every socket, so nothing keeps jest alive.
 */
export async function unreachableTemporal(): Promise<{ client: Client; close: () => Promise<void> }> {
  const accepted = new Set<Socket>();
  const blackhole = createServer((socket) => accepted.add(socket));
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  const connection = Connection.lazy({
    address: `127.0.0.1:${(blackhole.address() as AddressInfo).port}`,
    // No gRPC retry interceptor: a retry timer firing after the test closed the connection would crash the run.
    interceptors: [],
  });
  return {
    client: new Client({ connection }),
    close: async () => {
      await connection.close();
      // The client's socket stays open on the server side until destroyed.
      for (const socket of accepted) socket.destroy();
      blackhole.close();
    },
  };
}
