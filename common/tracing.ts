/**
 * OpenTelemetry tracing (issue 16 item 7): one Asana delivery is one trace, from the receiver's POST (HTTP and
 * Express instrumentation) through signalWithStart (Temporal's client interceptor carries the context in the
 * workflow's headers) into the sync workflow and its activities (Temporal's workflow and activity interceptors), and
 * the Asana and Attio calls they make (undici instrumentation).
 *
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then nothing is registered, no interceptor runs and no span is made
 * (the OpenTelemetry API's no-op tracer), so tracing costs nothing. Start it before express and undici are loaded
 * (common/tracing-from-env.ts, the first import of each entry point), so their instrumentation can patch them.
 *
 * Span attributes are what the instrumentations record: methods, routes, status codes, workflow and activity types
 * and ids. Payloads never are (they are encrypted, and the interceptors do not read them); query strings are
 * dropped from URLs (a webhook target carries its registration token there).
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Context } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

export interface TracingOptions {
  /** OTLP/HTTP base URL (`/v1/traces` is appended). */
  endpoint?: string;
  /** Where spans go instead (tests: an in-memory exporter). */
  spanProcessor?: SpanProcessor;
  serviceName?: string;
}

export interface Tracing {
  /** Temporal's OpenTelemetry plugin, for every Client and Worker of the process. */
  plugin: OpenTelemetryPlugin;
  /** Flushes the spans not yet exported. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/** Starts tracing for this process (once); undefined when neither an endpoint nor a processor is given. */
export function startTracing(options: TracingOptions): Tracing | undefined {
  if (active) return active;
  if (!options.endpoint && !options.spanProcessor) return undefined;
  const spanProcessor =
    options.spanProcessor ??
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/$/, '')}/v1/traces` }));
  const resource = new Resource({ 'service.name': options.serviceName ?? 'asana-attio-sync' });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Only the path: a webhook target's query string carries its registration token.
        requestHook: (span, request) => {
          if ('url' in request && typeof request.url === 'string') {
            span.setAttribute('http.target', withoutQuery(request.url));
            span.setAttribute('http.url', withoutQuery(`http://${request.headers.host ?? ''}${request.url}`));
          }
        },
        ignoreIncomingRequestHook: (request) => request.url === '/metrics' || request.url === '/healthz',
      }),
      new ExpressInstrumentation(),
      new UndiciInstrumentation({
        requestHook: (span, request) => {
          span.setAttribute('url.full', withoutQuery(`${request.origin}${request.path}`));
          span.setAttribute('url.query', '');
        },
      }),
    ],
  });
  active = {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor: new WithoutWorkflowState(spanProcessor) }),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return active;
}

const withoutQuery = (url: string): string => url.split('?')[0]!;

/**
 * Temporal's workflow span exporter copies the whole WorkflowInfo into each workflow span's attributes, with the
 * memo (the watch workflow's webhook secrets, decoded), the search attributes and the last result. Only its plain
 * values (ids, type, queue, namespace, times) are kept; objects are not valid span attributes anyway.
 */
class WithoutWorkflowState implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(span: Span, context: Context): void {
    this.next.onStart(span, context);
  }
  onEnd(span: ReadableSpan): void {
    const attributes = span.attributes as Record<string, unknown>;
    for (const [key, value] of Object.entries(attributes)) {
      const plain = value === null || typeof value !== 'object' || Array.isArray(value);
      if (!plain) delete attributes[key];
    }
    this.next.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/**
 * Exports the spans still buffered and stops tracing: called when a process shuts down, since the batch processor's
 * timer does not keep a process alive and the last seconds of spans (often the interesting ones) would be lost.
 */
export async function stopTracing(): Promise<void> {
  const stopping = active;
  active = undefined;
  await stopping?.shutdown();
}

/** The plugins every Temporal Client and Worker of this process takes: Temporal's tracing one when tracing is on. */
export const tracingPlugins = (): OpenTelemetryPlugin[] => (active ? [active.plugin] : []);
