/**
 * Spans still buffered when a process stops are exported before it exits: the receiver process, traced to a local
 * OTLP/HTTP collector, is sent SIGTERM right after it answered a request, well inside the batch processor's 5 s delay,
 * and the collector has that request's span when the process is gone.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { freePort } from '../../common/ports';
import { temporalTestAddress } from '../helpers/temporal';
import { waitFor } from '../helpers/wait-for';

let collector: Server;
const traceExports: string[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') traceExports.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => collector.listen(0, '127.0.0.1', done));
});
afterAll(() => new Promise((done) => collector.close(done)));

test('the receiver exports its last spans when it is stopped', async () => {
  const port = await freePort();
  const receiver = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../receiver/main.ts')], {
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: temporalTestAddress(),
      RECEIVER_HOST: '127.0.0.1',
      RECEIVER_PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = once(receiver, 'exit');
  try {
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      {
        what: 'the receiver listening',
      },
    );
    // An unsigned delivery: refused, and traced as a server span of its route.
    const refused = await fetch(`http://127.0.0.1:${port}/webhooks/asana/1200000000000001`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"events":[]}',
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(traceExports).toEqual([]);
    receiver.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(traceExports.join('\n')).toContain('/webhooks/asana/1200000000000001');
  } finally {
    if (receiver.exitCode === null) receiver.kill('SIGKILL');
  }
});
