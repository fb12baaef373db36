import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createLogger } from '../../common/logger';
import { freePort } from '../../common/ports';
import { createReceiverApp } from '../../receiver/app';
import { listen, type RunningServer } from '../../common/listen';
import { testClient } from '../helpers/temporal';

const logger = createLogger({ level: 'fatal', format: 'json' });

async function get(receiver: RunningServer, path: string) {
  const { port } = receiver.server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.json() };
}

describe('receiver health endpoints', () => {
  test('/healthz answers 200 and /readyz answers 200 while Temporal is reachable', async () => {
    const client = await testClient();
    const receiver = await listen(createReceiverApp({ client, logger }), 0, '127.0.0.1');
    try {
      expect(await get(receiver, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await get(receiver, '/readyz')).toEqual({ status: 200, body: { status: 'ready', temporal: 'reachable' } });
    } finally {
      await receiver.close();
      await client.connection.close();
    }
  });

  test('/readyz answers 503 within its timeout when Temporal is unreachable', async () => {
    // A lazy connection to a port nobody listens on: the client exists, every call fails.
    // No gRPC retry interceptor: a retry timer firing after the test closed the connection would crash the run.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] });
    const client = new Client({ connection });
    const receiver = await listen(createReceiverApp({ client, logger, readinessTimeoutMs: 500 }), 0, '127.0.0.1');
    try {
      expect(await get(receiver, '/readyz')).toEqual({
        status: 503,
        body: { status: 'not ready', temporal: 'unreachable' },
      });
      expect((await get(receiver, '/healthz')).status).toBe(200);
    } finally {
      await receiver.close();
      await connection.close();
    }
  });
});
