/** Imported first by test/helpers/traced-delivery.ts: tracing into memory, before express and undici load. */
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../common/tracing';

export const exporter = new InMemorySpanExporter();
export const tracing = startTracing({ spanProcessor: new SimpleSpanProcessor(exporter), serviceName: 'tracing-test' })!;
