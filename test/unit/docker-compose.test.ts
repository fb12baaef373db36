/**
 * Docker cannot run on CI, so docker-compose.yml is checked statically: against the official Compose Specification
 * schema (compose-spec/compose-go, fetched pinned by scripts/ensure-compose-schema), against the config schema (every
 * variable a deployment decides is passed, with the same default), and against what `npm run scale` runs for real
 * (scale/): the same Temporal version, server settings, dynamic config, set-up script and number of replicas.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { variables } from '../../common/config';
import { DYNAMIC_CONFIG_FILE } from '../../common/temporal-dynamic-config';
import { SERVER_ENV_FILE } from '../../scale/temporal-on-postgres';
import { SCALE_TOPOLOGY } from '../../scale/topology';

interface Service {
  image?: string;
  environment?: Record<string, unknown>;
  env_file?: string;
  build?: unknown;
  command?: string[];
  volumes?: (string | { source: string; target: string })[];
  healthcheck?: { test?: unknown };
  restart?: string;
  deploy?: { replicas?: number };
}

const root = resolve(__dirname, '../..');
const composeText = readFileSync(resolve(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const service = (name: string): Service => compose.services[name] ?? {};
const syncEnvironment = (parse(composeText, { merge: true }) as { 'x-sync-environment': Record<string, unknown> })[
  'x-sync-environment'
];

/** Settings that do not apply to a Compose deployment: the embedded dev server, the demo, the operator's codec server. */
const NOT_FOR_COMPOSE = [
  'TEMPORAL_CLI',
  'TEMPORAL_PORT',
  'TEMPORAL_UI_PORT',
  'TEMPORAL_DB_FILE',
  'CODEC_SERVER_PORT',
  'CODEC_SERVER_HOST',
  'CODEC_SERVER_TOKEN',
  'ASANA_STAND_IN_PORT',
  'ATTIO_STAND_IN_PORT',
  'DEMO_EDIT_INTERVAL_MS',
  // Deprecated: SCOPE_FILE replaces it.
  'FIELD_MAP_FILE',
  // Set per service below.
  'RECEIVER_HOST',
  'RECEIVER_PORT',
  'WORKER_METRICS_HOST',
  'WORKER_METRICS_PORT',
];

/** Defaults Compose sets on purpose where common/config.ts has none: the UI this file runs. */
const COMPOSE_DEFAULTS: Record<string, string> = { TEMPORAL_UI_URL: 'http://localhost:8080' };

function composeSchema(): object {
  const path = execFileSync('bash', [resolve(root, 'scripts/ensure-compose-schema')], { encoding: 'utf8' }).trim();
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

const pinnedServerVersion = () =>
  /^TEMPORAL_SERVER_PINNED_VERSION=(\S+)$/m.exec(readFileSync(resolve(root, 'scripts/temporal-versions'), 'utf8'))?.[1];

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(composeSchema());
    // Compose resolves YAML merge keys (<<) before it validates, as compose-go does.
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('runs Temporal on PostgreSQL with its set-up jobs, the UI, the receivers and the workers', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'postgresql',
      'receiver',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
    expect(service('receiver').build).toBe('.');
    expect(service('worker').build).toBe('.');
    expect(service('receiver').command).toEqual(['node', 'dist/receiver/main.js']);
    expect(service('worker').command).toEqual(['node', 'dist/workers/main.js']);
    expect(service('temporal-ui').environment?.TEMPORAL_CODEC_ENDPOINT).toMatch(/^\$\{TEMPORAL_CODEC_ENDPOINT:-http/);
  });

  test('gives every long-running service a health check, and lets the set-up jobs run once', () => {
    for (const [name, { healthcheck, restart }] of Object.entries(compose.services)) {
      if (name.startsWith('temporal-') && name !== 'temporal-ui') expect(restart).toBe('no');
      else expect({ name, test: Array.isArray(healthcheck?.test) }).toEqual({ name, test: true });
    }
  });

  test('runs as many receivers and workers as npm run scale', () => {
    expect(service('receiver').deploy?.replicas).toBe(SCALE_TOPOLOGY.receivers);
    expect(service('worker').deploy?.replicas).toBe(SCALE_TOPOLOGY.workers);
  });

  test('runs the Temporal version npm run scale builds (scripts/temporal-versions)', () => {
    const version = pinnedServerVersion();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(service('temporal').image).toBe(`temporalio/server:${version}`);
    expect(service('temporal-schema').image).toBe(`temporalio/admin-tools:${version}`);
    expect(service('temporal-namespace').image).toBe(`temporalio/admin-tools:${version}`);
  });

  test('gives the server the settings, dynamic config and set-up script npm run scale uses', () => {
    const temporal = service('temporal');
    expect(resolve(root, temporal.env_file ?? '')).toBe(SERVER_ENV_FILE);
    // Only where things are in this deployment is added to the shared settings.
    expect(Object.keys(temporal.environment ?? {}).sort()).toEqual([
      'DB_PORT',
      'DYNAMIC_CONFIG_FILE_PATH',
      'POSTGRES_SEEDS',
      'TEMPORAL_ALLOW_NO_AUTH',
    ]);
    const mount = (temporal.volumes ?? [])
      .map(String)
      .find((v) => v.includes(':' + String(temporal.environment?.DYNAMIC_CONFIG_FILE_PATH)));
    expect(resolve(root, mount?.split(':')[0] ?? '')).toBe(DYNAMIC_CONFIG_FILE);
    for (const job of ['temporal-schema', 'temporal-namespace']) {
      expect(resolve(root, service(job).env_file ?? '')).toBe(SERVER_ENV_FILE);
      expect(service(job).volumes).toContain('./deploy/temporal/setup.sh:/etc/temporal/setup.sh:ro');
    }
  });

  test('passes every setting a deployment decides, with the default common/config.ts gives it', () => {
    const expected = Object.keys(variables).filter((name) => !NOT_FOR_COMPOSE.includes(name));
    expect(Object.keys(syncEnvironment).sort()).toEqual(expected.sort());
    for (const [name, value] of Object.entries(syncEnvironment)) {
      const fallback = /^\$\{[A-Z_]+:-(.*)\}$/.exec(String(value))?.[1];
      if (fallback === undefined) continue;
      if (name in COMPOSE_DEFAULTS) {
        expect({ name, fallback }).toEqual({ name, fallback: COMPOSE_DEFAULTS[name] });
        continue;
      }
      const schema = variables[name as keyof typeof variables].schema;
      expect({ name, default: schema.parse(fallback) }).toEqual({
        name,
        default: schema.parse(undefined),
      });
    }
  });

  test.each(['receiver', 'worker'])(
    '%s sets only variables the config schema reads, and mounts the scope file',
    (name) => {
      const environment = service(name).environment ?? {};
      expect(Object.keys(environment).filter((key) => !(key in variables))).toEqual([]);
      expect(environment.SCOPE_FILE).toBe('/app/scope.yaml');
      expect(service(name).volumes).toContainEqual(
        expect.objectContaining({ target: '/app/scope.yaml', read_only: true }),
      );
    },
  );

  test('receives the sync’s secrets from the operator’s .env, never as literal values', () => {
    for (const name of ['receiver', 'worker']) {
      const environment = service(name).environment ?? {};
      for (const secret of ['ASANA_TOKEN', 'ATTIO_TOKEN', 'PAYLOAD_ENCRYPTION_KEY', 'RESYNC_API_TOKEN']) {
        expect(String(environment[secret])).toMatch(new RegExp(`^\\$\\{${secret}[:?}]`));
      }
    }
  });
});
