// Prometheus metrics in the text exposition format (version 0.0.4), built with prom-client on
// a registry of our own. The sources are read once per scrape: render() takes one snapshot of
// the counters, and each metric's collect() callback copies its value from that snapshot, so
// the request path does no metrics work and one scrape shows one consistent moment.

import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { AcceleratorCounters } from '../accelerator/accelerator.js';
import type { IngressCounters } from '../http/server.js';
import type { DeliveryCounters } from '../sqs/delivery.js';
import type { LatencySnapshot } from '../sqs/latency.js';

export interface MetricsSources {
  accelerator: () => AcceleratorCounters;
  delivery: () => DeliveryCounters;
  ingress: () => IngressCounters;
}

export interface Metrics {
  /** The Content-Type header value of the exposition. */
  contentType: string;
  render(): Promise<string>;
}

interface Snapshot {
  accelerator: AcceleratorCounters;
  delivery: DeliveryCounters;
  ingress: IngressCounters;
}

interface MetricDefinition {
  /** The name after the `sqs_accelerator_` prefix. */
  name: string;
  help: string;
  read: (snapshot: Snapshot) => number;
}

const PREFIX = 'sqs_accelerator_';

const COUNTERS: MetricDefinition[] = [
  { name: 'messages_accepted_total', help: 'Messages validated and acknowledged with 202 Accepted.', read: (s) => s.accelerator.accepted },
  { name: 'messages_sent_total', help: 'Messages SQS accepted.', read: (s) => s.accelerator.sent },
  { name: 'messages_failed_total', help: 'Messages that failed for good and went to the dead-letter file.', read: (s) => s.accelerator.failed },
  { name: 'messages_retried_total', help: 'Retries of messages, one per message per retry.', read: (s) => s.accelerator.retried },
  { name: 'overload_rejections_total', help: 'Requests rejected with 503 because the pending message or byte limit was reached.', read: (s) => s.accelerator.rejectedOverload },
  { name: 'dead_letters_written_total', help: 'Messages written to the dead-letter file.', read: (s) => s.accelerator.deadLettersWritten },
  { name: 'dead_letter_write_failures_total', help: 'Messages that could not be written to the dead-letter file.', read: (s) => s.accelerator.deadLetterWriteFailures },
  { name: 'sqs_calls_total', help: 'SendMessage and SendMessageBatch calls made to SQS.', read: (s) => s.delivery.calls },
  { name: 'sqs_batches_total', help: 'SendMessageBatch calls made to SQS.', read: (s) => s.delivery.batches },
  {
    name: 'sqs_entries_sent_total',
    help: 'Messages SQS accepted in send calls. With batching on, rate of this divided by rate of sqs_accelerator_sqs_batches_total is the mean batch size.',
    read: (s) => s.delivery.entriesSent,
  },
  { name: 'sqs_entries_failed_total', help: 'Messages the delivery engine gave up on.', read: (s) => s.delivery.entriesFailed },
  { name: 'connections_accepted_total', help: 'Client TCP connections accepted.', read: (s) => s.ingress.connectionsAccepted },
  { name: 'connections_rejected_total', help: 'Client TCP connections closed at once because the connection limit was reached.', read: (s) => s.ingress.connectionsRejected },
  { name: 'http_requests_total', help: 'HTTP requests parsed and routed.', read: (s) => s.ingress.requests },
  { name: 'http_protocol_errors_total', help: 'Requests rejected because they broke the HTTP/1.1 syntax or a limit.', read: (s) => s.ingress.protocolErrors },
  { name: 'http_handler_errors_total', help: 'Requests whose route handler threw.', read: (s) => s.ingress.handlerErrors },
];

const GAUGES: MetricDefinition[] = [
  { name: 'pending_messages', help: 'Messages accepted and not yet sent or failed.', read: (s) => s.accelerator.pendingMessages },
  { name: 'pending_bytes', help: 'Size of the pending messages as SQS counts it (body plus attributes), in bytes.', read: (s) => s.accelerator.pendingBytes },
  { name: 'sqs_calls_in_flight', help: 'Calls to SQS waiting for a response.', read: (s) => s.delivery.inFlight },
];

const LATENCY_NAME = `${PREFIX}upstream_request_duration_seconds`;
const LATENCY_HELP = 'Duration of calls to SQS, queue lookups included, in seconds.';

/** Formats a sample value as the text format wants it: Go-style floats and +Inf. */
function formatValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}

/**
 * Writes the upstream latency histogram. prom-client's Histogram only grows by observe(), and
 * the snapshot already contains the counts, so the lines are written here: cumulative `_bucket`
 * lines with `le` in seconds, the `+Inf` bucket, `_sum` and `_count`.
 */
export function formatLatencyHistogram(snapshot: LatencySnapshot): string {
  const lines = [`# HELP ${LATENCY_NAME} ${LATENCY_HELP}`, `# TYPE ${LATENCY_NAME} histogram`];

  // counts has one slot per edge plus a final overflow slot, which only the +Inf bucket covers.
  let cumulative = 0;
  for (let index = 0; index < snapshot.bucketsMs.length; index++) {
    cumulative += snapshot.counts[index] ?? 0;
    lines.push(`${LATENCY_NAME}_bucket{le="${formatValue(snapshot.bucketsMs[index]! / 1000)}"} ${cumulative}`);
  }
  for (let index = snapshot.bucketsMs.length; index < snapshot.counts.length; index++) cumulative += snapshot.counts[index]!;

  lines.push(`${LATENCY_NAME}_bucket{le="+Inf"} ${cumulative}`);
  lines.push(`${LATENCY_NAME}_sum ${formatValue(snapshot.sumMs / 1000)}`);
  lines.push(`${LATENCY_NAME}_count ${cumulative}`);
  return lines.join('\n') + '\n';
}

/**
 * Creates the metrics of one accelerator on a new registry. Process and Node.js runtime metrics
 * come from prom-client's default collectors, under their usual unprefixed names
 * (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ...), so stock dashboards work.
 */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  let snapshot: Snapshot | undefined;
  const current = (): Snapshot => {
    // render() sets the snapshot before it collects; reading the sources here covers any other caller.
    snapshot ??= { accelerator: sources.accelerator(), delivery: sources.delivery(), ingress: sources.ingress() };
    return snapshot;
  };

  for (const definition of COUNTERS) {
    new Counter({
      name: PREFIX + definition.name,
      help: definition.help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(definition.read(current()));
      },
    });
  }
  for (const definition of GAUGES) {
    new Gauge({
      name: PREFIX + definition.name,
      help: definition.help,
      registers: [registry],
      collect() {
        this.set(definition.read(current()));
      },
    });
  }

  return {
    contentType: registry.contentType,
    async render(): Promise<string> {
      snapshot = { accelerator: sources.accelerator(), delivery: sources.delivery(), ingress: sources.ingress() };
      try {
        const text = await registry.metrics();
        return `${text}\n${formatLatencyHistogram(snapshot.delivery.latency)}`;
      } finally {
        snapshot = undefined;
      }
    },
  };
}
