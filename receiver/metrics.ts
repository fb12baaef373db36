/**
 * The receiver's Prometheus metrics (prom-client), served at GET /metrics: deliveries by outcome, how long Asana
 * waited for its answer, and signature failures (forgeries, or a secret out of step after a re-registration). One
 * registry per app, so several apps in one process (tests) count apart. The worker's Temporal SDK metrics are
 * served by the Temporal Runtime itself (workers/runtime-logging.ts).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** What became of one request to a webhook target; a label value, so a small fixed set. */
export type DeliveryOutcome = 'recorded' | 'handshake' | 'refused' | 'forged' | 'unavailable';

export interface ReceiverMetrics {
  registry: Registry;
  /** Counts one answered request and observes how long it took. */
  observe(outcome: DeliveryOutcome, seconds: number): void;
}

/** The outcome an answer's status stands for: 401 is a bad or missing signature, 503 asks Asana to retry. */
export function deliveryOutcome(status: number, handshake: boolean): DeliveryOutcome {
  if (status === 401) return 'forged';
  if (status === 503) return 'unavailable';
  if (status >= 400) return 'refused';
  return handshake ? 'handshake' : 'recorded';
}

export function createReceiverMetrics(): ReceiverMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const deliveries = new Counter({
    name: 'asana_webhook_requests_total',
    help: 'Requests to the Asana webhook targets, by outcome (recorded, handshake, refused, forged, unavailable).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const signatureFailures = new Counter({
    name: 'asana_webhook_signature_failures_total',
    help: 'Deliveries refused because X-Hook-Signature was missing or did not match the body.',
    registers: [registry],
  });
  const ackSeconds = new Histogram({
    name: 'asana_webhook_ack_duration_seconds',
    help: 'Time from a request to its answer; Asana gives up after 10 s.',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    observe(outcome, seconds) {
      deliveries.inc({ outcome });
      ackSeconds.observe({ outcome }, seconds);
      if (outcome === 'forged') signatureFailures.inc();
    },
  };
}
