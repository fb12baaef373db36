/**
 * Installs the Temporal Runtime: routes its logs (Core, worker, and the SDK's workflow and activity loggers, which sink into the
 * Runtime logger) into the process's pino logger, so there is one stream with one redaction policy.
 */
import { DefaultLogger, type LogEntry, type LogLevel, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

const TEMPORAL_LEVEL: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
};

/**
 * SDK warnings about this project's design rather than a fault: the Asana and Attio queues have activity-only workers
 * (workers/create-workers.ts), which the SDK warns about at every start.
 */
const EXPECTED_WARNINGS = new Set(['No workflows registered, not polling for workflow tasks']);

/** A Temporal Logger that writes into pino under `component: temporal`. */
export function temporalLoggerFor(logger: Logger): DefaultLogger {
  const child = logger.child({ component: 'temporal' });
  return new DefaultLogger(TEMPORAL_LEVEL[logger.level] ?? 'INFO', (entry: LogEntry) => {
    // The SDK's own lifecycle chatter (bundling, poller state) is debug detail; workflow and activity logs keep their level.
    const component = (entry.meta as { sdkComponent?: string } | undefined)?.sdkComponent;
    const chatter =
      ((component === 'worker' || component === 'core') && (entry.level === 'INFO' || entry.level === 'DEBUG')) ||
      EXPECTED_WARNINGS.has(entry.message);
    child[chatter ? 'debug' : PINO_LEVEL[entry.level]](entry.meta ?? {}, entry.message);
  });
}

let installed = false;

export interface RuntimeTelemetry {
  /** host:port where Core serves the SDK's metrics (worker slots, poll and task latencies, requests) for Prometheus. */
  prometheusBindAddress?: string;
}

/** The metrics endpoint a config asks for: WORKER_METRICS_HOST:WORKER_METRICS_PORT, none when the port is 0. */
export const runtimeTelemetryOf = (config: Config): RuntimeTelemetry =>
  config.env.WORKER_METRICS_PORT > 0
    ? { prometheusBindAddress: `${config.env.WORKER_METRICS_HOST}:${config.env.WORKER_METRICS_PORT}` }
    : {};

/**
 * Installs the Runtime once per process with the pino-backed logger and, if asked, the Prometheus endpoint (Core
 * serves it; nothing of ours runs per scrape). The process handles SIGINT/SIGTERM itself (so the receiver and the dev
 * server stop in order), hence no Runtime shutdown signals.
 */
export function installRuntimeLogging(logger: Logger, telemetry: RuntimeTelemetry = {}): void {
  if (installed) return;
  Runtime.install({
    logger: temporalLoggerFor(logger),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'WARN' }) },
      ...(telemetry.prometheusBindAddress
        ? { metrics: { prometheus: { bindAddress: telemetry.prometheusBindAddress } } }
        : {}),
    },
  });
  installed = true;
}
