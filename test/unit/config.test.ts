import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, secretValues, secretVariableNames, variables } from '../../common/config';

const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const SCOPE_FILE = file('scope.yaml', 'salesTasks:\n  sourceProjects: ["1200000000000100"]\n');

const LIVE = {
  ASANA_TOKEN: '2/1200000000000001/1209999999999999:0123456789abcdef0123456789abcdef',
  ATTIO_TOKEN: 'attio-token-0123456789abcdef0123456789abcdef',
  PAYLOAD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  SCOPE_FILE,
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  test('with no credentials it runs the demo on the documented defaults', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('demo');
    expect(config.env.RECEIVER_PORT).toBe(3000);
    expect(config.env.TEMPORAL_PORT).toBe(7233);
    expect(config.env.TEMPORAL_UI_PORT).toBe(8233);
    expect(config.env.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.receiverPublicUrl).toBe('http://localhost:3000');
  });

  test('with both tokens and an encryption key it runs live', () => {
    const config = loadConfig({ ...LIVE, RECEIVER_PUBLIC_URL: 'https://sync.example.com/' });
    expect(config.mode).toBe('live');
    expect(config.receiverPublicUrl).toBe('https://sync.example.com');
  });

  test('lists every bad variable by name in one error', () => {
    const problems = problemsOf({ RECEIVER_PORT: 'abc', TEMPORAL_UI_PORT: '70000', LOG_LEVEL: 'loud' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'RECEIVER_PORT', 'TEMPORAL_UI_PORT']);
  });

  test('names the missing token when only one of the two is set', () => {
    expect(problemsOf({ ASANA_TOKEN: LIVE.ASANA_TOKEN })).toEqual([expect.stringMatching(/^ATTIO_TOKEN: missing/)]);
    expect(problemsOf({ ATTIO_TOKEN: LIVE.ATTIO_TOKEN })).toEqual([
      expect.stringMatching(/^ASANA_TOKEN or ASANA_OAUTH_CLIENT_ID and ASANA_OAUTH_CLIENT_SECRET: missing/),
    ]);
  });

  test('accepts an Asana OAuth app instead of a personal access token, and names its missing half', () => {
    const oauth = { ...LIVE, ASANA_TOKEN: undefined, ASANA_OAUTH_CLIENT_ID: 'id', ASANA_OAUTH_CLIENT_SECRET: 's' };
    expect(loadConfig(oauth).mode).toBe('live');
    expect(problemsOf({ ...oauth, ASANA_OAUTH_CLIENT_SECRET: undefined })).toEqual([
      expect.stringMatching(/^ASANA_OAUTH_CLIENT_SECRET: missing/),
    ]);
  });

  test('reads an empty optional URL as unset, as docker-compose.yml passes a variable missing from .env', () => {
    const config = loadConfig({ ...LIVE, ASANA_OAUTH_REDIRECT_URL: '' });
    expect(config.env.ASANA_OAUTH_REDIRECT_URL).toBeUndefined();
    expect(problemsOf({ ...LIVE, ASANA_OAUTH_REDIRECT_URL: 'not a url' })).toEqual([
      expect.stringMatching(/^ASANA_OAUTH_REDIRECT_URL: /),
    ]);
  });

  test('requires an encryption key outside the demo', () => {
    expect(problemsOf({ ASANA_TOKEN: LIVE.ASANA_TOKEN, ATTIO_TOKEN: LIVE.ATTIO_TOKEN, SCOPE_FILE })).toEqual([
      expect.stringMatching(/^PAYLOAD_ENCRYPTION_KEY: required/),
    ]);
  });

  test('live, refuses a scope in which no task can sync, naming the setting, unless it says projects only', () => {
    const { SCOPE_FILE: _, ...withoutScope } = LIVE;
    expect(problemsOf(withoutScope)).toEqual([
      expect.stringMatching(/^SCOPE_FILE: unset: salesTasks\.sourceProjects is empty/),
    ]);
    const noSource = file('no-source.yaml', 'projects:\n  archived: visible\n');
    expect(problemsOf({ ...LIVE, SCOPE_FILE: noSource })).toEqual([
      expect.stringMatching(/^SCOPE_FILE: SCOPE_FILE .*no-source\.yaml: salesTasks\.sourceProjects is empty/),
    ]);
    const projectsOnly = file('projects-only.yaml', 'syncs: projects-only\n');
    expect(loadConfig({ ...LIVE, SCOPE_FILE: projectsOnly }).scope.syncs).toBe('projects-only');
    // The demo brings its own scope (stand-ins/demo.ts).
    expect(loadConfig({}).mode).toBe('demo');
  });

  test('reads a former field map (FIELD_MAP_FILE, JSON) as a scope, and refuses both variables at once', () => {
    const fieldMap = file('field-map.json', JSON.stringify({ salesTasks: { sourceProjectGid: '1200000000000100' } }));
    const { SCOPE_FILE: _, ...withoutScope } = LIVE;
    expect(loadConfig({ ...withoutScope, FIELD_MAP_FILE: fieldMap }).scope.salesTasks.sourceProjects).toEqual([
      '1200000000000100',
    ]);
    expect(problemsOf({ ...LIVE, FIELD_MAP_FILE: fieldMap })).toEqual([
      expect.stringMatching(/^FIELD_MAP_FILE: set together with SCOPE_FILE/),
    ]);
  });

  test('names the scope file and each bad key in its problem', () => {
    const bad = file('bad.yaml', 'salesTasks:\n  sourceProjects: [abc]\nbackfil: {}\n');
    const [problem] = problemsOf({ ...LIVE, SCOPE_FILE: bad });
    expect(problem).toMatch(/^SCOPE_FILE: SCOPE_FILE .*bad\.yaml is invalid/);
    expect(problem).toMatch(/salesTasks\.sourceProjects\.0: an Asana gid/);
    expect(problem).toMatch(/backfil/);
  });

  test('never prints a secret value, even when the value is what is wrong', () => {
    const badKey = 'not-a-32-byte-key-but-still-a-secret-value';
    const error = (() => {
      try {
        loadConfig({ ...LIVE, PAYLOAD_ENCRYPTION_KEY: badKey, RECEIVER_PORT: 'x' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.message).toContain('PAYLOAD_ENCRYPTION_KEY');
    expect(error.message).toContain('RECEIVER_PORT');
    expect(error.message).not.toContain(badKey);
    for (const value of Object.values(LIVE)) expect(error.message).not.toContain(value);
  });

  test('marks the tokens, the resync and codec server tokens, the encryption keys and the alert webhook as secret', () => {
    expect(secretVariableNames.sort()).toEqual([
      'ALERT_WEBHOOK_URL',
      'ASANA_OAUTH_CLIENT_SECRET',
      'ASANA_TOKEN',
      'ATTIO_TOKEN',
      'CODEC_SERVER_TOKEN',
      'PAYLOAD_ENCRYPTION_KEY',
      'PAYLOAD_ENCRYPTION_PREVIOUS_KEYS',
      'RESYNC_API_TOKEN',
    ]);
  });

  test('reads the previous payload keys as a comma-separated list, and refuses one that is not a key', () => {
    const previous = [Buffer.alloc(32, 1).toString('base64'), Buffer.alloc(32, 2).toString('base64')];
    const config = loadConfig({ ...LIVE, PAYLOAD_ENCRYPTION_PREVIOUS_KEYS: ` ${previous[0]}, ${previous[1]} ` });
    expect(config.env.PAYLOAD_ENCRYPTION_PREVIOUS_KEYS).toEqual(previous);
    expect(secretValues(config)).toEqual(expect.arrayContaining(previous));
    expect(loadConfig(LIVE).env.PAYLOAD_ENCRYPTION_PREVIOUS_KEYS).toBeUndefined();
    expect(problemsOf({ ...LIVE, PAYLOAD_ENCRYPTION_PREVIOUS_KEYS: `${previous[0]},short` })).toEqual([
      'PAYLOAD_ENCRYPTION_PREVIOUS_KEYS: invalid value (not shown: secret)',
    ]);
  });

  test('refuses a codec server reachable from other machines without a token', () => {
    expect(problemsOf({ ...LIVE, CODEC_SERVER_HOST: '0.0.0.0' })).toEqual([
      expect.stringMatching(
        /^CODEC_SERVER_HOST: 0\.0\.0\.0 is reachable from other machines, so set CODEC_SERVER_TOKEN/,
      ),
    ]);
    const shared = loadConfig({
      ...LIVE,
      CODEC_SERVER_HOST: '0.0.0.0',
      CODEC_SERVER_TOKEN: 'codec-token-0123456789abcdef',
    });
    expect(shared.env.CODEC_SERVER_TOKEN).toBe('codec-token-0123456789abcdef');
    expect(loadConfig(LIVE).env.CODEC_SERVER_HOST).toBe('127.0.0.1');
  });

  test('gives every variable a description', () => {
    for (const [name, v] of Object.entries(variables)) expect([name, v.description.length > 10]).toEqual([name, true]);
  });
});
