import { createServer, type Server } from 'node:net';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../common/ports';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { ensureTemporalCli, startDevServer, startSupervisedDevServer } from '../../common/temporal-dev-server';
import { waitFor } from '../helpers/wait-for';

// These tests start their own dev servers (the run's shared one is left alone), so they use free ports and a
// private data folder.
describe('the Temporal dev server launcher', () => {
  let dir: string;
  let cli: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dev-server-test-'));
    cli = await ensureTemporalCli();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('keeps workflows across a restart on the same SQLite file, with the project’s search attributes', async () => {
    const port = await freePort();
    const dbFile = join(dir, 'restart.db');
    const first = await startDevServer({ cli, port, uiPort: 0, headless: true, dbFile });
    let connection = await Connection.connect({ address: first.address });
    const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(attributes.customAttributes ?? {})).toEqual(
      expect.arrayContaining(SEARCH_ATTRIBUTES.map((key) => key.name)),
    );
    // No worker polls this queue: the workflow stays open, which is what must survive.
    await new Client({ connection }).workflow.start('notRegistered', {
      taskQueue: 'nobody-polls-this',
      workflowId: 'survives-restart',
    });
    await connection.close();
    await first.stop();

    const second = await startDevServer({ cli, port, uiPort: 0, headless: true, dbFile });
    connection = await Connection.connect({ address: second.address });
    const description = await new Client({ connection }).workflow.getHandle('survives-restart').describe();
    expect(description.status.name).toBe('RUNNING');
    await connection.close();
    await second.stop();
  });

  test('a supervised server that dies is started again on the same SQLite file, its workflows still there', async () => {
    const events: string[] = [];
    const server = await startSupervisedDevServer({
      cli,
      port: await freePort(),
      uiPort: 0,
      headless: true,
      dbFile: join(dir, 'supervised.db'),
      restartDelayMs: 100,
      onRestarting: ({ attempt }) => events.push(`restarting ${attempt}`),
      onRestarted: ({ attempt }) => events.push(`restarted ${attempt}`),
      onGaveUp: () => events.push('gave up'),
    });
    try {
      let connection = await Connection.connect({ address: server.address });
      await new Client({ connection }).workflow.start('notRegistered', {
        taskQueue: 'nobody-polls-this',
        workflowId: 'survives-a-crash',
      });
      await connection.close();
      const crashed = server.pid;
      process.kill(crashed, 'SIGKILL');
      await waitFor(() => events.includes('restarted 1'), { timeoutMs: 60_000, what: 'restarted' });
      expect(events).toEqual(['restarting 1', 'restarted 1']);
      expect(server.pid).not.toBe(crashed);
      expect(server.restarts()).toBe(1);
      connection = await Connection.connect({ address: server.address });
      const description = await new Client({ connection }).workflow.getHandle('survives-a-crash').describe();
      expect(description.status.name).toBe('RUNNING');
      await connection.close();
    } finally {
      await server.stop();
    }
  });

  test('a supervised server that cannot come back gives up after its attempts, saying why', async () => {
    const port = await freePort();
    const attempts: number[] = [];
    let gaveUp: Error | undefined;
    const server = await startSupervisedDevServer({
      cli,
      port,
      uiPort: 0,
      headless: true,
      dbFile: join(dir, 'gives-up.db'),
      restartAttempts: 3,
      restartDelayMs: 1_000,
      onRestarting: ({ attempt }) => attempts.push(attempt),
      onGaveUp: (error) => (gaveUp = error),
    });
    process.kill(server.pid, 'SIGKILL');
    // Something else takes the port as soon as it is free, before the first attempt.
    const squatter: Server = createServer((socket) => socket.destroy());
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          squatter.once('error', () => resolve(false));
          squatter.listen(port, '127.0.0.1', () => resolve(true));
        }),
      { what: 'the port free' },
    );
    try {
      await waitFor(() => gaveUp !== undefined, { timeoutMs: 30_000, what: 'given up' });
      expect(attempts).toEqual([1, 2, 3]);
      expect(gaveUp?.message).toMatch(
        new RegExp(`could not be started again \\(3 attempts\\): Port ${port} is already in use`),
      );
    } finally {
      squatter.close();
      await server.stop();
    }
  });

  test('refuses a port in use with a message naming the port and its variable, starting nothing', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await expect(
        startDevServer({ cli, port, uiPort: 0, headless: true, dbFile: join(dir, 'busy.db') }),
      ).rejects.toThrow(`Port ${port} is already in use. Stop what is using it, or set TEMPORAL_PORT to a free port.`);
    } finally {
      blocker.close();
    }
  });

  test('reports a server that exits at start instead of pretending it runs', async () => {
    const port = await freePort();
    await expect(
      startDevServer({
        cli,
        port,
        uiPort: 0,
        headless: true,
        // A folder where the SQLite file should be: the server cannot open it and exits.
        dbFile: dir,
      }),
    ).rejects.toThrow(/Temporal dev server did not start: exited with code [1-9]/);
  });

  // The dev server probes for free internal ports and binds them later; on a busy machine that can lose a race and
  // panic at start. These stand-in binaries crash the way the Go server does (a panic: exit code 2, the cause on
  // the first line, a long stack after it).
  const crashingCli = (name: string, crashes: number): { path: string; attempts: () => number } => {
    const path = join(dir, name);
    const counter = `${path}.attempts`;
    writeFileSync(counter, '');
    const stack = Array.from({ length: 200 }, (_, i) => `\tgo.uber.org/dig/param.go:${i} +0x12b`).join('\n');
    writeFileSync(
      path,
      [
        '#!/bin/bash',
        `echo x >> '${counter}'`,
        `if [ "$(wc -l < '${counter}')" -le ${crashes} ]; then`,
        `  printf '%s\\n' 'panic: listen tcp 127.0.0.1:40001: bind: address already in use' '' 'goroutine 1 [running]:' >&2`,
        `  cat >&2 <<'STACK'\n${stack}\nSTACK`,
        '  exit 2',
        'fi',
        `exec '${cli}' "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(path, 0o755);
    return { path, attempts: () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length };
  };

  test('starts again after a panic at start-up (a lost port race), and serves', async () => {
    const flaky = crashingCli('temporal-crashes-once', 1);
    const server = await startDevServer({
      cli: flaky.path,
      port: await freePort(),
      uiPort: 0,
      headless: true,
      dbFile: join(dir, 'retry.db'),
    });
    try {
      const connection = await Connection.connect({ address: server.address });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      expect(flaky.attempts()).toBe(2);
    } finally {
      await server.stop();
    }
  });

  test('gives up after three panics, and the error keeps the line that names the cause', async () => {
    const broken = crashingCli('temporal-always-crashes', Number.MAX_SAFE_INTEGER);
    const failure = startDevServer({
      cli: broken.path,
      port: await freePort(),
      uiPort: 0,
      headless: true,
      dbFile: join(dir, 'never.db'),
    });
    await expect(failure).rejects.toThrow(
      /did not start: exited with code 2\npanic: listen tcp 127\.0\.0\.1:40001: bind: address already in use[^]*\[…\][^]*param\.go:199/,
    );
    expect(broken.attempts()).toBe(3);
  });

  test('ensure-temporal names the ways to provide the binary when TEMPORAL_CLI is wrong', async () => {
    await expect(ensureTemporalCli({ ...process.env, TEMPORAL_CLI: join(dir, 'no-such-temporal') })).rejects.toThrow(
      /TEMPORAL_CLI=.*no-such-temporal is not an executable Temporal CLI/,
    );
  });
});
