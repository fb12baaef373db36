/**
 * Imported first by each entry point (receiver, worker, `npm start`): starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set (in the environment or `.env`), before express and undici are loaded so that their instrumentation applies.
 * Reads the variable itself because common/config.ts is not loaded yet; config.ts validates it as a URL.
 */
import { loadDotEnv } from './config';
import { startTracing } from './tracing';

loadDotEnv();
const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
if (endpoint) startTracing({ endpoint, serviceName: process.env.OTEL_SERVICE_NAME?.trim() || 'asana-attio-sync' });
