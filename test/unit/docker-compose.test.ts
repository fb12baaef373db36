/**
 * Docker cannot run on CI, so docker-compose.yml is checked statically: against the official Compose Specification
 * schema (compose-spec/compose-go, fetched pinned by scripts/ensure-compose-schema), and against the config schema:
 * every variable the receiver and worker services set must be one the service reads.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { variables } from '../../common/config';

const root = resolve(__dirname, '../..');
const composeText = readFileSync(resolve(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, { environment?: Record<string, unknown>; build?: unknown; command?: string[] }>;
};

function composeSchema(): object {
  const path = execFileSync('bash', [resolve(root, 'scripts/ensure-compose-schema')], { encoding: 'utf8' }).trim();
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

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

  test('runs Temporal on PostgreSQL, the Temporal UI, the receiver and the worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'postgresql',
      'receiver',
      'temporal',
      'temporal-ui',
      'worker',
    ]);
    expect(compose.services.temporal?.environment).toMatchObject({ DB: 'postgres12' });
    expect(compose.services.receiver?.build).toBe('.');
    expect(compose.services.worker?.build).toBe('.');
    expect(compose.services.receiver?.command).toEqual(['node', 'dist/receiver/main.js']);
    expect(compose.services.worker?.command).toEqual(['node', 'dist/workers/main.js']);
  });

  test.each(['receiver', 'worker'])('%s sets only variables the config schema reads', (service) => {
    const environment = compose.services[service]?.environment ?? {};
    expect(Object.keys(environment).length).toBeGreaterThan(3);
    const unknown = Object.keys(environment).filter((name) => !(name in variables));
    expect(unknown).toEqual([]);
  });

  test('receives the sync’s secrets from the operator’s .env, never as literal values', () => {
    for (const service of ['receiver', 'worker']) {
      const environment = compose.services[service]?.environment ?? {};
      for (const name of ['ASANA_TOKEN', 'ATTIO_TOKEN', 'PAYLOAD_ENCRYPTION_KEY']) {
        expect(String(environment[name])).toMatch(new RegExp(`^\\$\\{${name}[:?}]`));
      }
    }
  });
});
