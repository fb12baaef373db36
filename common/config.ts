/**
 * Every setting of the service, read from environment variables (and an optional `.env` file) through one zod schema.
 *
 * Each variable is declared once in `variables` with its description and whether it is secret. The README's
 * configuration table is generated from these declarations (`npm run generate`), and docker-compose.yml may only set
 * variables declared here (checked by test/unit/docker-compose.test.ts).
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { assertTasksCanSync, loadScope, parseScope, type Scope } from '../mapping/scope';
import { smallestBudget } from './rate-limits';
import { SYNC_DEFAULTS } from '../workflows/definitions';

interface Variable<S extends z.ZodType = z.ZodType> {
  schema: S;
  description: string;
  /** Secret values are never printed: not in logs, not in config errors. */
  secret?: boolean;
}

const variable = <S extends z.ZodType>(schema: S, description: string, secret = false): Variable<S> => ({
  schema,
  description,
  secret,
});

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const milliseconds = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const isPayloadKey = (value: string) => Buffer.from(value, 'base64').length === 32;
const optionalText = () =>
  z
    .string()
    .trim()
    .transform((value) => (value === '' ? undefined : value))
    .optional();

export const variables = {
  // --- Asana and Attio ---
  ASANA_TOKEN: variable(
    optionalText(),
    'Asana personal access token. With ATTIO_TOKEN unset too, the service runs the demo against local stand-ins.',
    true,
  ),
  ASANA_OAUTH_CLIENT_ID: variable(
    optionalText(),
    'Asana OAuth app client id. With ASANA_OAUTH_CLIENT_SECRET, replaces ASANA_TOKEN: authorize at /oauth/asana/connect.',
  ),
  ASANA_OAUTH_CLIENT_SECRET: variable(optionalText(), 'Asana OAuth app client secret.', true),
  ASANA_OAUTH_REDIRECT_URL: variable(
    optionalText().pipe(z.url().optional()),
    'The OAuth redirect URL registered with the Asana app. Unset: RECEIVER_PUBLIC_URL + `/oauth/asana/callback`.',
  ),
  ASANA_BASE_URL: variable(z.url().default('https://app.asana.com/api/1.0'), 'Base URL of the Asana REST API.'),
  ATTIO_TOKEN: variable(optionalText(), 'Attio API token (workspace access token).', true),
  ATTIO_BASE_URL: variable(z.url().default('https://api.attio.com'), 'Base URL of the Attio REST API.'),

  // --- Temporal ---
  TEMPORAL_ADDRESS: variable(
    optionalText(),
    'host:port of an existing Temporal cluster. When set, no dev server is started and this cluster is used.',
  ),
  TEMPORAL_NAMESPACE: variable(z.string().min(1).default('default'), 'Temporal namespace.'),
  TEMPORAL_TASK_QUEUE: variable(
    z
      .string()
      .regex(/^[\w.-]+$/)
      .default('asana-attio-sync'),
    'Workflow task queue; Asana and Attio activities run on `<queue>.asana` and `<queue>.attio`.',
  ),
  TEMPORAL_CLI: variable(
    optionalText(),
    'Path to a `temporal` binary; otherwise PATH, then a pinned install into .tools/ (scripts/ensure-temporal).',
  ),
  TEMPORAL_PORT: variable(port(7233), 'gRPC port of the embedded dev server (only when TEMPORAL_ADDRESS is unset).'),
  TEMPORAL_UI_PORT: variable(port(8233), 'Web UI port of the embedded dev server.'),
  CODEC_SERVER_PORT: variable(
    port(8888),
    'Port of the codec server that lets the Temporal Web UI and the `temporal` CLI show the encrypted payloads in clear.',
  ),
  CODEC_SERVER_HOST: variable(
    z.string().min(1).default('127.0.0.1'),
    'Interface the codec server listens on. Anything but loopback (a codec server shared by a team) needs CODEC_SERVER_TOKEN.',
  ),
  CODEC_SERVER_TOKEN: variable(
    optionalText().pipe(z.string().min(24, 'at least 24 characters').optional()),
    'Bearer token the codec server requires on every request (`temporal … --codec-auth "Bearer <token>"`). Unset: none.',
    true,
  ),
  TEMPORAL_DB_FILE: variable(
    z.string().min(1).default('.temporal/dev.db'),
    'SQLite file of the embedded dev server; its state survives restarts.',
  ),
  TEMPORAL_UI_URL: variable(
    optionalText(),
    'Web UI URL printed for operators when TEMPORAL_ADDRESS points at an existing cluster.',
  ),
  PAYLOAD_ENCRYPTION_KEY: variable(
    optionalText().pipe(z.string().refine(isPayloadKey, 'must be 32 bytes, base64-encoded').optional()),
    'AES-256-GCM key (base64, 32 bytes) that encrypts workflow payloads in Temporal history. Required outside the demo.',
    true,
  ),
  PAYLOAD_ENCRYPTION_PREVIOUS_KEYS: variable(
    optionalText().pipe(
      z
        .string()
        .transform((value) => value.split(',').map((key) => key.trim()))
        .pipe(z.array(z.string().refine(isPayloadKey, 'each must be 32 bytes, base64-encoded')))
        .optional(),
    ),
    'Earlier PAYLOAD_ENCRYPTION_KEYs, comma-separated: decode only, so history written before a rotation stays readable.',
    true,
  ),

  // --- Receiver ---
  RECEIVER_HOST: variable(z.string().min(1).default('127.0.0.1'), 'Interface the webhook receiver listens on.'),
  RECEIVER_PORT: variable(port(3000), 'Port the webhook receiver listens on.'),
  RECEIVER_PUBLIC_URL: variable(
    optionalText().pipe(z.url().optional()),
    'Public base URL of the receiver that Asana posts to. Defaults to http://localhost:RECEIVER_PORT.',
  ),
  RECEIVER_ACK_TIMEOUT_MS: variable(
    milliseconds(5000),
    'Longest wait for Temporal to record a delivery before answering 503 (well under Asana’s 10 s).',
  ),

  // --- Sync ---
  SCOPE_FILE: variable(
    optionalText(),
    'The scope file (YAML or JSON, docs/scope.example.yaml): every set-up decision. Required live: it names the Sales Tasks source.',
  ),
  FIELD_MAP_FILE: variable(
    optionalText(),
    'Deprecated: the former field map (JSON), read as a scope file. Rename the variable to SCOPE_FILE; the keys mean the same.',
  ),
  SYNC_QUIET_PERIOD_MS: variable(
    milliseconds(SYNC_DEFAULTS.quietPeriodMs),
    'A resource is synced once no change arrived for this long (debounce quiet period).',
  ),
  SYNC_MAX_DELAY_MS: variable(
    milliseconds(SYNC_DEFAULTS.maxDelayMs),
    'Longest a change waits for its sync while changes keep arriving (debounce maximum delay).',
  ),
  SYNC_IDLE_TIMEOUT_MS: variable(
    z.coerce.number().int().min(0).default(SYNC_DEFAULTS.idleTimeoutMs),
    'A sync workflow completes after this long without changes; the next change starts a new one. 0 ends it right after its sync.',
  ),

  SYNC_TOUCH_UNCHANGED: variable(
    z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    'true: a sync that finds Asana’s content unchanged still moves asana_last_synced_at in Attio (one write per such sync).',
  ),

  RECONCILE_EVERY_MINUTES: variable(
    z.coerce.number().int().min(1).default(15),
    'Incremental reconciliation (tasks modified since the last run) runs this often, as a Temporal Schedule.',
  ),
  FULL_RECONCILE_EVERY_HOURS: variable(
    z.coerce.number().int().min(1).default(24),
    'Full verification (Asana compared with Attio, differences repaired) runs this often, as a Temporal Schedule.',
  ),
  RESYNC_API_TOKEN: variable(
    optionalText().pipe(z.string().min(24, 'at least 24 characters').optional()),
    'Bearer token for the receiver’s POST /resync (an Attio record action calls it). Unset: the endpoint is off.',
    true,
  ),

  // --- Worker ---
  WORKER_MAX_CACHED_WORKFLOWS: variable(
    z.coerce.number().int().min(0).default(500),
    'Workflows a worker keeps in memory (sticky cache); bounds worker memory.',
  ),
  ASANA_MAX_REQUESTS_PER_SECOND: variable(
    z.coerce.number().min(smallestBudget('asana')).default(20),
    'Most Asana calls in any one second, all workers together (a Temporal task-queue rate limit). Asana allows 1,500/min on paid plans, 150/min on free.',
  ),
  ATTIO_MAX_WRITES_PER_SECOND: variable(
    z.coerce.number().min(smallestBudget('attio')).default(20),
    'Most Attio write calls in any one second, all workers together (a Temporal task-queue rate limit); Attio allows 25/s.',
  ),

  // --- Demo stand-ins ---
  ASANA_STAND_IN_PORT: variable(port(4010), 'Port of the Asana stand-in in demo mode.'),
  ATTIO_STAND_IN_PORT: variable(port(4020), 'Port of the Attio stand-in in demo mode.'),
  DEMO_EDIT_INTERVAL_MS: variable(
    z.coerce.number().int().min(0).default(5000),
    'In demo mode, a simulated person edits an Asana task this often; 0 turns the simulation off.',
  ),

  // --- Operating ---
  ALERT_WEBHOOK_URL: variable(
    optionalText().pipe(z.url().optional()),
    'Slack-compatible incoming webhook (`{"text": …}`) told once per incident: a failing or re-created webhook, a permanently failing sync, a reconciliation with differences. Unset: alerts are only logged.',
    true,
  ),
  WORKER_METRICS_PORT: variable(
    z.coerce.number().int().min(0).max(65535).default(0),
    'Port (on WORKER_METRICS_HOST) where the worker serves the Temporal SDK metrics for Prometheus at /metrics; 0 turns them off.',
  ),
  WORKER_METRICS_HOST: variable(z.string().min(1).default('127.0.0.1'), 'Interface of the worker metrics endpoint.'),
  OTEL_EXPORTER_OTLP_ENDPOINT: variable(
    optionalText().pipe(z.url().optional()),
    'OTLP/HTTP endpoint (e.g. http://collector:4318) that receives traces: one trace per delivery. Unset: tracing is off.',
  ),

  // --- Logging ---
  LOG_LEVEL: variable(
    z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
    'Minimum level of log lines.',
  ),
  LOG_FORMAT: variable(
    z.enum(['json', 'pretty', 'auto']).default('auto'),
    'json for machines, pretty for people; auto is pretty on a terminal and json otherwise.',
  ),
} satisfies Record<string, Variable>;

export type VariableName = keyof typeof variables;

type Parsed = { [K in VariableName]: z.output<(typeof variables)[K]['schema']> };

export type Mode = 'demo' | 'live';

export interface Config {
  readonly mode: Mode;
  readonly env: Readonly<Parsed>;
  /** Where Asana posts deliveries: RECEIVER_PUBLIC_URL or http://localhost:RECEIVER_PORT. */
  readonly receiverPublicUrl: string;
  /** The set-up decisions: SCOPE_FILE (or the deprecated FIELD_MAP_FILE), else the defaults. */
  readonly scope: Scope;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const secretVariableNames = (Object.keys(variables) as VariableName[]).filter(
  (name) => (variables[name] as Variable).secret,
);

const schema = z.object(
  Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, v.schema])) as {
    [K in VariableName]: (typeof variables)[K]['schema'];
  },
);

/**
 * Parses the environment into a Config, or throws one ConfigError that lists every problem with its variable name.
 * Messages never contain the value of a secret variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '(environment)');
      const secret = secretVariableNames.includes(name as VariableName);
      problems.push(`${name}: ${secret ? 'invalid value (not shown: secret)' : issue.message}`);
    }
    throw new ConfigError(problems);
  }
  const parsed = result.data as Parsed;

  const hasOAuthId = parsed.ASANA_OAUTH_CLIENT_ID !== undefined;
  if (hasOAuthId !== (parsed.ASANA_OAUTH_CLIENT_SECRET !== undefined)) {
    problems.push(
      hasOAuthId
        ? 'ASANA_OAUTH_CLIENT_SECRET: missing; an OAuth app needs both its client id and secret'
        : 'ASANA_OAUTH_CLIENT_ID: missing; an OAuth app needs both its client id and secret',
    );
  }
  const hasAsana = parsed.ASANA_TOKEN !== undefined || hasOAuthId;
  const hasAttio = parsed.ATTIO_TOKEN !== undefined;
  if (hasAsana !== hasAttio) {
    problems.push(
      hasAsana
        ? 'ATTIO_TOKEN: missing; set it too to sync for real, or unset the Asana credentials to run the demo'
        : 'ASANA_TOKEN or ASANA_OAUTH_CLIENT_ID and ASANA_OAUTH_CLIENT_SECRET: missing; set one to sync for real, or unset ATTIO_TOKEN to run the demo',
    );
  }
  const mode: Mode = hasAsana && hasAttio ? 'live' : 'demo';
  if (mode === 'live' && parsed.PAYLOAD_ENCRYPTION_KEY === undefined) {
    problems.push('PAYLOAD_ENCRYPTION_KEY: required outside the demo (generate one: openssl rand -base64 32)');
  }
  if (!isLoopback(parsed.CODEC_SERVER_HOST) && parsed.CODEC_SERVER_TOKEN === undefined) {
    problems.push(
      `CODEC_SERVER_HOST: ${parsed.CODEC_SERVER_HOST} is reachable from other machines, so set CODEC_SERVER_TOKEN too (anyone reaching the codec server can decrypt history)`,
    );
  }
  const scope = scopeOf(parsed, mode, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    mode,
    env: parsed,
    receiverPublicUrl: (parsed.RECEIVER_PUBLIC_URL ?? `http://localhost:${parsed.RECEIVER_PORT}`).replace(/\/$/, ''),
    scope,
  };
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');
/** Reads the scope file and, live, refuses a scope in which no task can sync; problems name the variable. */
function scopeOf(parsed: Parsed, mode: Mode, problems: string[]): Scope {
  if (parsed.SCOPE_FILE && parsed.FIELD_MAP_FILE) {
    problems.push(
      'FIELD_MAP_FILE: set together with SCOPE_FILE; the scope replaces the field map, unset FIELD_MAP_FILE',
    );
    return parseScope({});
  }
  const variable = parsed.FIELD_MAP_FILE ? 'FIELD_MAP_FILE' : 'SCOPE_FILE';
  const file = parsed.SCOPE_FILE ?? parsed.FIELD_MAP_FILE;
  try {
    const scope = file ? loadScope(file, variable) : parseScope({});
    if (mode === 'live') assertTasksCanSync(scope, file ? `${variable} ${file}` : 'unset');
    return scope;
  } catch (error) {
    problems.push(`${variable}: ${(error as Error).message}`);
    return parseScope({});
  }
}

/** Reads `.env` into process.env (without overriding variables already set), if the file exists. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** The secret values present in a config, so the logger can scrub them from any output. */
export const secretValues = (config: Config): string[] =>
  secretVariableNames
    .flatMap((name) => config.env[name] ?? [])
    .filter((v): v is string => typeof v === 'string' && v !== '');
