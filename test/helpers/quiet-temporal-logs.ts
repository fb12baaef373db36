/**
 * Integration tests: the Temporal Runtime logs into pino at `error` level, so expected failures (a 429 storm, a
 * refused handshake) do not flood the run's output. Set TEST_TEMPORAL_LOG_LEVEL=debug to see everything.
 */
import { createLogger } from '../../common/logger';
import { installRuntimeLogging } from '../../workers/runtime-logging';

try {
  installRuntimeLogging(createLogger({ level: process.env.TEST_TEMPORAL_LOG_LEVEL ?? 'error', format: 'json' }));
} catch {
  // The Runtime is per process; jest runs several test files in one worker process and it is installed already.
}
