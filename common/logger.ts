/**
 * The one logger of every process (pino), and the one place where redaction is configured.
 *
 * Two layers keep secrets out of the output:
 *  1. by key: any field whose name looks like a credential (token, secret, authorization, X-Hook-Secret,
 *     X-Hook-Signature, password, cookie, api key) is replaced, at any depth;
 *  2. by value: the configured secret values (and any registered at run time, such as a webhook secret) and
 *     `Bearer …` credentials are scrubbed from the serialized line, so a secret inside a message or an error
 *     string is caught too.
 */
import type { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';
import { type Config, secretValues as configuredSecrets } from './config';

export type { Logger } from 'pino';

export const REDACTED = '[redacted]';

/** Field names whose values are never logged. Matched case-insensitively against every key at every depth. */
const SECRET_KEY = /token|secret|authorization|signature|password|passwd|cookie|api[-_]?key|private[-_]?key/i;

/** `Bearer <credential>` in any string, such as a header copied into an error message. */
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;

const MAX_DEPTH = 8;

function redactKeys(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactKeys(item, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redactKeys(inner, depth + 1);
  }
  return out;
}

/** Secret values scrubbed from every line, whichever logger wrote it. Shared so run-time secrets reach all loggers. */
const secretValues = new Set<string>();

/** Secrets shorter than this are not scrubbed by value: they would match ordinary text. Keys still redact them. */
const MIN_SCRUBBED_LENGTH = 8;

/** Adds values that must never appear in any log line of this process (tokens, webhook secrets). */
export function registerSecretValues(values: Iterable<string>): void {
  for (const value of values) if (value.length >= MIN_SCRUBBED_LENGTH) secretValues.add(value);
}

export function scrubSecrets(line: string): string {
  let out = line.replace(BEARER, `$1 ${REDACTED}`);
  for (const secret of secretValues) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    // A secret inside a JSON string is serialized with escapes; scrub that form too.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
  }
  return out;
}

export interface CreateLoggerOptions {
  level?: string;
  /** `auto` is pretty when stdout is a terminal. @default 'auto' */
  format?: 'json' | 'pretty' | 'auto';
  /** Secret values to scrub (typically `secretValues(config)`). */
  secrets?: Iterable<string>;
  /** Where lines go. @default stdout */
  destination?: DestinationStream | Writable;
  name?: string;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  registerSecretValues(options.secrets ?? []);
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    ...(options.name ? { name: options.name } : {}),
    formatters: {
      log: (object) => redactKeys(object) as Record<string, unknown>,
    },
    hooks: {
      streamWrite: scrubSecrets,
    },
  };
  const destination =
    options.destination ??
    (pretty
      ? pinoPretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true })
      : undefined);
  return destination ? pino(pinoOptions, destination) : pino(pinoOptions);
}

/** The process logger as configured (LOG_LEVEL, LOG_FORMAT), scrubbing the configured secrets. */
export const createLoggerFor = (config: Config): Logger =>
  createLogger({ level: config.env.LOG_LEVEL, format: config.env.LOG_FORMAT, secrets: configuredSecrets(config) });
