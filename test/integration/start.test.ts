/**
 * `npm start` as a person runs it: a process tree that starts, says where everything is, stops cleanly on Ctrl-C
 * and leaves no `temporal` process behind; and that refuses clearly, starting nothing, when it cannot run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../common/ports';
import { waitFor } from '../helpers/wait-for';

const root = resolve(__dirname, '../..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'start-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: NodeJS.ProcessEnv): Started {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/start.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

/** Every process whose command line mentions the folder (the dev server started with a db file in it). */
function processesUsing(folder: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', folder], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function ports() {
  return {
    RECEIVER_PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    CODEC_SERVER_PORT: String(await freePort()),
    ASANA_STAND_IN_PORT: String(await freePort()),
    ATTIO_STAND_IN_PORT: String(await freePort()),
  };
}

test('refuses a port in use, naming the port and its variable, and starts nothing', async () => {
  const env = await ports();
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(Number(env.RECEIVER_PORT), '127.0.0.1', r));
  const dbDir = join(dir, 'busy');
  try {
    const run = start({ ...env, TEMPORAL_DB_FILE: join(dbDir, 'dev.db') });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      `Port ${env.RECEIVER_PORT} is already in use. Stop what is using it, or set RECEIVER_PORT to a free port.`,
    );
    expect(processesUsing(dbDir)).toEqual([]);
  } finally {
    blocker.close();
  }
});

test('stops with the ways to provide Temporal when its binary cannot be had, starting nothing', async () => {
  const dbDir = join(dir, 'nocli');
  const run = start({
    ...(await ports()),
    TEMPORAL_CLI: join(dir, 'missing-temporal'),
    TEMPORAL_DB_FILE: join(dbDir, 'dev.db'),
  });
  expect(await run.exited).toBe(1);
  expect(run.output()).toMatch(/TEMPORAL_CLI=.*missing-temporal is not an executable Temporal CLI/);
  expect(processesUsing(dbDir)).toEqual([]);
});

test('lists every bad variable and exits before starting anything', async () => {
  const run = start({ RECEIVER_PORT: 'eighty', LOG_LEVEL: 'chatty' });
  expect(await run.exited).toBe(2);
  expect(run.output()).toMatch(/RECEIVER_PORT: /);
  expect(run.output()).toMatch(/LOG_LEVEL: /);
});

test('runs the labelled demo, prints where things are, and Ctrl-C stops everything including the dev server', async () => {
  const env = await ports();
  const dbDir = join(dir, 'demo');
  const run = start({ ...env, TEMPORAL_DB_FILE: join(dbDir, 'dev.db'), DEMO_EDIT_INTERVAL_MS: '0' });
  try {
    await waitFor(() => run.output().includes('asana-attio-sync is running'), { timeoutMs: 90_000, what: 'start' });
    expect(run.output()).toContain('DEMO MODE');
    expect(run.output()).toContain(`http://localhost:${env.RECEIVER_PORT}`);
    expect(run.output()).toContain(`http://localhost:${env.TEMPORAL_UI_PORT}`);
    expect(processesUsing(dbDir).length).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${env.RECEIVER_PORT}/readyz`);
    expect(health.status).toBe(200);
    // The demo's set-up (handshakes, backfill) runs without a Node warning on the console.
    await waitFor(() => run.output().includes('demo: backfill finished'), { timeoutMs: 90_000, what: 'backfill' });
    expect(run.output()).not.toMatch(/Warning:/);
    await expectUiShowsPayloadsThroughTheCodecServer(env);
  } finally {
    run.child.kill('SIGINT');
  }
  const code = await run.exited;
  // On failure, show what the process said.
  expect({ code, output: code === 0 ? 'ok' : run.output().slice(-3000) }).toEqual({ code: 0, output: 'ok' });
  expect(run.output()).toContain('stopped Temporal dev server');
  expect(processesUsing(dbDir)).toEqual([]);
});

/**
 * What an operator's browser does: the Web UI reads a workflow's history (ciphertext, as Temporal stores it) and posts
 * its payloads to the codec endpoint the UI was configured with, which answers them in clear.
 */
async function expectUiShowsPayloadsThroughTheCodecServer(env: Record<string, string>): Promise<void> {
  const ui = `http://localhost:${env.TEMPORAL_UI_PORT}`;
  const settings = (await (await fetch(`${ui}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
  expect(settings.Codec.Endpoint).toBe(`http://localhost:${env.CODEC_SERVER_PORT}`);

  const query = encodeURIComponent(`WorkflowType = 'backfill'`);
  const list = (await (await fetch(`${ui}/api/v1/namespaces/default/workflows?query=${query}`)).json()) as {
    executions: { execution: { workflowId: string } }[];
  };
  const workflowId = list.executions[0]!.execution.workflowId;
  const history = (await (
    await fetch(`${ui}/api/v1/namespaces/default/workflows/${encodeURIComponent(workflowId)}/history`)
  ).json()) as {
    history: { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: unknown[] } } }[] };
  };
  const input = history.history.events[0]!.workflowExecutionStartedEventAttributes!.input;
  expect(JSON.stringify(input)).not.toContain('projectGids');

  const decoded = await fetch(`${settings.Codec.Endpoint}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ui, 'x-namespace': 'default' },
    body: JSON.stringify(input),
  });
  expect(decoded.status).toBe(200);
  const { payloads } = (await decoded.json()) as { payloads: { data: string }[] };
  const backfillInput = JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString()) as { projectGids: string[] };
  expect(Object.keys(backfillInput)).toEqual(['projectGids']);
  expect(backfillInput.projectGids.length).toBeGreaterThan(0);
}

/**
 * Kills the dev server of a run and takes its port as soon as it is free, so attempts to start it again fail. The
 * squatter closes every connection at once, as a port with nothing behind it would.
 */
async function killDevServerAndTakeItsPort(dbDir: string, port: string): Promise<Server> {
  for (const pid of processesUsing(dbDir)) process.kill(Number(pid), 'SIGKILL');
  const squatter: Server = createServer((socket) => socket.destroy());
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        squatter.once('error', () => resolve(false));
        squatter.listen(Number(port), '127.0.0.1', () => resolve(true));
      }),
    { what: 'the dev server port free' },
  );
  return squatter;
}

test('keeps serving when its dev server dies: starts it again on the same SQLite file, 503 meanwhile, and changes sync after', async () => {
  const env = await ports();
  const dbDir = join(dir, 'dies');
  const run = start({ ...env, TEMPORAL_DB_FILE: join(dbDir, 'dev.db'), DEMO_EDIT_INTERVAL_MS: '1000' });
  const ready = async () => (await fetch(`http://127.0.0.1:${env.RECEIVER_PORT}/readyz`)).status;
  const synced = 'demo: Attio: Sales Task updated';
  try {
    await waitFor(() => run.output().includes(synced), { timeoutMs: 120_000, what: 'a first change synced' });
    // The first attempts to start it again fail (its port is taken for a while); meanwhile the receiver says it
    // cannot record anything, so Asana retries.
    const squatter = await killDevServerAndTakeItsPort(dbDir, env.TEMPORAL_PORT);
    try {
      expect(await ready()).toBe(503);
      await waitFor(() => /"attempt":2,"of":5/.test(run.output()), { timeoutMs: 30_000, what: 'a second attempt' });
    } finally {
      squatter.close();
    }
    await waitFor(() => run.output().includes('Temporal dev server restarted'), {
      timeoutMs: 60_000,
      what: 'restart',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${run.output().slice(-6000)}`);
    });
    expect(run.output()).toContain('starting it again on the same SQLite file');
    const restartedAt = run.output().length;
    await waitFor(() => run.output().slice(restartedAt).includes(synced), {
      timeoutMs: 90_000,
      what: 'a change made after the restart synced',
    });
    expect(await ready()).toBe(200);
    expect(run.child.exitCode).toBeNull();
  } finally {
    run.child.kill('SIGINT');
  }
  const code = await run.exited;
  expect({ code, output: code === 0 ? 'ok' : run.output().slice(-3000) }).toEqual({ code: 0, output: 'ok' });
  expect(processesUsing(dbDir)).toEqual([]);
});

test('exits non-zero, saying why, when its dev server dies and cannot come back', async () => {
  const env = await ports();
  const dbDir = join(dir, 'gone');
  const run = start({ ...env, TEMPORAL_DB_FILE: join(dbDir, 'dev.db'), DEMO_EDIT_INTERVAL_MS: '0' });
  await waitFor(() => run.output().includes('asana-attio-sync is running'), { timeoutMs: 90_000, what: 'start' });
  // Something else takes its port: no attempt to start it again can succeed.
  const squatter = await killDevServerAndTakeItsPort(dbDir, env.TEMPORAL_PORT);
  try {
    expect(await run.exited).toBe(1);
  } finally {
    squatter.close();
  }
  expect(run.output()).toContain('the Temporal dev server cannot come back; shutting down');
  expect(run.output()).toContain(`Port ${env.TEMPORAL_PORT} is already in use`);
  expect(run.output().match(/starting it again on the same SQLite file/g)).toHaveLength(5);
});
