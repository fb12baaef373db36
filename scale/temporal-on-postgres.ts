/**
 * The Temporal half of the docker-compose.yml topology without Docker: PostgreSQL in a data folder on a free port,
 * both databases set up by temporal-sql-tool, the official Temporal server (scripts/ensure-temporal-server) with the
 * settings of deploy/temporal/server.env and the dynamic config of deploy/temporal/dynamic-config.yaml, and the
 * namespace created, each step by deploy/temporal/setup.sh as the Compose jobs run it. Everything on 127.0.0.1.
 *
 * It implements chaos/stack.ts's `Temporal`, so the chaos stack runs the service against it unchanged.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  chownSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  type WriteStream,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv, promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { grpc } from '@temporalio/proto';
import { type Temporal, waitUntil } from '../chaos/stack';
import { assertPortFree, freePort } from '../common/ports';
import { registerSearchAttributes } from '../common/register-search-attributes';
import { ensureTemporalCli } from '../common/temporal-dev-server';
import { DYNAMIC_CONFIG_FILE } from '../common/temporal-dynamic-config';

const ROOT = resolve(__dirname, '..');
const run = promisify(execFile);

/** The server's settings shared with docker-compose.yml (its `env_file`). */
export const SERVER_ENV_FILE = resolve(ROOT, 'deploy/temporal/server.env');
export const serverEnv = (): Record<string, string> =>
  parseEnv(readFileSync(SERVER_ENV_FILE, 'utf8')) as Record<string, string>;

interface Binaries {
  server: string;
  sql: string;
  schema: string;
}

/** scripts/ensure-temporal-server: finds or builds the pinned server and schema tool. */
export async function ensureTemporalServer(): Promise<Binaries> {
  const { stdout } = await run('bash', [resolve(ROOT, 'scripts/ensure-temporal-server')], { maxBuffer: 1 << 20 });
  const found = new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
  const [server, sql, schema] = [found.get('server'), found.get('sql'), found.get('schema')];
  if (!server || !sql || !schema) throw new Error(`ensure-temporal-server printed ${stdout}`);
  return { server, sql, schema };
}

/** PostgreSQL's programs: POSTGRES_BIN_DIR, else `pg_config --bindir`, else the newest Debian install. */
async function postgresBinDir(): Promise<string> {
  if (process.env.POSTGRES_BIN_DIR) return process.env.POSTGRES_BIN_DIR;
  const fromPgConfig = await run('pg_config', ['--bindir']).then(
    ({ stdout }) => stdout.trim(),
    () => undefined,
  );
  if (fromPgConfig && existsSync(join(fromPgConfig, 'initdb'))) return fromPgConfig;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => join(debian, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  if (!dir) throw new Error('PostgreSQL not found: install it (apt-get install postgresql) or set POSTGRES_BIN_DIR');
  return dir;
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

/**
 * A free port below 32768: the server stores membership ports in a smallint column (cluster_membership.rpc_port in
 * schema/postgresql/v12/temporal/schema.sql), and the ports the OS hands out for "any port" are above it.
 */
async function freeMembershipPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (
      await assertPortFree(port, 'membership port').then(
        () => true,
        () => false,
      )
    )
      return port;
  }
  throw new Error('no free port between 20000 and 32000 for the Temporal server’s membership');
}

export interface TemporalOnPostgres extends Temporal {
  readonly postgresPort: number;
  readonly serverVersion: string;
}

interface Child {
  process: ChildProcess;
  exited: Promise<void>;
}

function start(command: string, args: string[], log: WriteStream, options: Parameters<typeof spawn>[2]): Child {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Never leave one behind if the runner exits without stopping it (a crash, process.exit).
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { process: child, exited };
}

async function stopChild(child: Child | undefined, signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill(signal);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function startTemporalOnPostgres(
  dir: string,
  say: (message: string) => void,
): Promise<TemporalOnPostgres> {
  const binaries = await ensureTemporalServer();
  const cli = await ensureTemporalCli();
  const pgBin = await postgresBinDir();
  const user = await postgresUser();
  const log = createWriteStream(join(dir, 'temporal-and-postgres.log'), { flags: 'a' });

  // PostgreSQL: a fresh cluster in dir/postgresql, owned by whoever runs it, trusting loopback connections.
  const data = join(dir, 'postgresql');
  mkdirSync(data, { recursive: true });
  if (user) chownSync(data, user.uid, user.gid);
  const asPostgres = user ? { uid: user.uid, gid: user.gid } : {};
  const settings = serverEnv();
  await run(
    join(pgBin, 'initdb'),
    ['-D', data, '-U', settings.POSTGRES_USER!, '--auth=trust', '-E', 'UTF8', '--locale=C'],
    { ...asPostgres, cwd: data },
  );
  const postgresPort = await freePort();
  const postgres = start(
    join(pgBin, 'postgres'),
    ['-D', data, '-p', String(postgresPort), '-k', data, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    log,
    { ...asPostgres, cwd: data },
  );
  await waitUntil(
    async () =>
      run(join(pgBin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(postgresPort)]).then(
        () => true,
        () => false,
      ),
    60_000,
    'PostgreSQL to accept connections',
    postgres.exited,
  );
  say(`PostgreSQL ${pgBin.match(/\/(\d+)\/bin$/)?.[1] ?? ''} on 127.0.0.1:${postgresPort} (data in ${data})`);

  // Schema, then the server, as the Compose jobs do (deploy/temporal/setup.sh).
  const setupEnv = {
    ...process.env,
    ...settings,
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(postgresPort),
    SCHEMA_DIR: binaries.schema,
    TEMPORAL_SQL_TOOL: binaries.sql,
    TEMPORAL_CLI: cli,
  };
  const setup = async (step: string, env: NodeJS.ProcessEnv) => {
    const { stdout, stderr } = await run('sh', [resolve(ROOT, 'deploy/temporal/setup.sh'), step], {
      env,
      maxBuffer: 1 << 24,
    });
    log.write(stdout + stderr);
  };
  await setup('schema', setupEnv);
  say('schema set up by temporal-sql-tool (deploy/temporal/setup.sh schema)');

  const port = await freePort();
  const ports = {
    FRONTEND_GRPC_PORT: port,
    FRONTEND_HTTP_PORT: await freePort(),
    FRONTEND_MEMBERSHIP_PORT: await freeMembershipPort(),
    HISTORY_GRPC_PORT: await freePort(),
    HISTORY_MEMBERSHIP_PORT: await freeMembershipPort(),
    MATCHING_GRPC_PORT: await freePort(),
    MATCHING_MEMBERSHIP_PORT: await freeMembershipPort(),
    WORKER_GRPC_PORT: await freePort(),
    WORKER_MEMBERSHIP_PORT: await freeMembershipPort(),
    INTERNAL_FRONTEND_HTTP_PORT: await freePort(),
  };
  const address = `127.0.0.1:${port}`;
  const serverProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...settings,
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(postgresPort),
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  const launch = async (): Promise<Child> => {
    const server = start(binaries.server, ['--allow-no-auth', 'start'], log, { env: serverProcessEnv });
    await waitUntil(
      async () => {
        const connection = await Connection.connect({ address, connectTimeout: 1_000 }).catch(() => undefined);
        if (!connection) return false;
        const health = await connection.healthService.check({}).then(
          (r) => r.status === grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING,
          () => false,
        );
        await connection.close();
        return health;
      },
      120_000,
      'the Temporal server to serve',
      server.exited,
    );
    return server;
  };
  let server = await launch();
  await setup('namespace', { ...setupEnv, TEMPORAL_ADDRESS: address });
  const connection = await Connection.connect({ address });
  // A new namespace is usable once every service's namespace registry has refreshed (seconds).
  await waitUntil(
    () =>
      registerSearchAttributes(connection, 'default').then(
        () => true,
        () => false,
      ),
    60_000,
    'the namespace to be usable and the search attributes registered',
  );
  await connection.close();
  const version = binaries.server.match(/temporal-server\/([^/]+)\//)?.[1] ?? 'found on PATH';
  say(`Temporal server ${version} on ${address} (PostgreSQL, dynamic config ${DYNAMIC_CONFIG_FILE})`);

  return {
    address,
    postgresPort,
    serverVersion: version,
    pid: () => server.process.pid ?? -1,
    kill: async () => stopChild(server, 'SIGKILL'),
    restart: async () => {
      server = await launch();
    },
    stop: async () => {
      await stopChild(server, 'SIGTERM');
      // SIGINT is PostgreSQL's fast shutdown: open transactions rolled back, a clean data folder.
      await stopChild(postgres, 'SIGINT');
      await new Promise((r) => log.end(r));
    },
  };
}
