// The home page: what the accelerator does, how to send it a message, and its live counters.

import type { AcceleratorCounters } from '../../accelerator/accelerator.js';
import type { DeliveryCounters } from '../../sqs/delivery.js';
import { latencyPercentile } from '../latency-summary.js';
import { escapeHtml } from './escape.js';
import { renderDocument } from './layout.js';

/** Seconds between reloads of the home page, which keep its counters current without JavaScript. */
export const HOME_REFRESH_SECONDS = 5;

/** Everything the home page shows, as plain values. */
export interface HomeData {
  version: string;
  /** The accelerator's own base URL used in the examples, such as `http://127.0.0.1:9292`. */
  baseUrl: string;
  /** The SQS endpoint URL messages are delivered to. */
  endpoint: string;
  region: string;
  /** Process start and page render time, in milliseconds since the epoch. */
  startedAt: number;
  now: number;

  accepted: number;
  sent: number;
  failed: number;
  retried: number;
  pendingMessages: number;
  pendingBytes: number;
  rejectedOverload: number;
  deadLettersWritten: number;
  deadLetterWriteFailures: number;

  /** SendMessage and SendMessageBatch calls, and the batch calls among them. */
  sqsCalls: number;
  batches: number;
  /** Messages SQS accepted. */
  entriesSent: number;
  /** Calls to SQS in flight now. */
  inFlight: number;
  /** Calls measured for latency (queue lookups included), and the estimated percentiles in milliseconds. */
  latencyCount: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
}

/** Fills HomeData from the core's and the delivery engine's counters. */
export function buildHomeData(input: {
  accelerator: AcceleratorCounters;
  delivery: DeliveryCounters;
  version: string;
  baseUrl: string;
  endpoint: string;
  region: string;
  startedAt: number;
  now: number;
}): HomeData {
  const { accelerator, delivery } = input;
  const latency = delivery.latency;

  return {
    version: input.version,
    baseUrl: input.baseUrl,
    endpoint: withoutUserInfo(input.endpoint),
    region: input.region,
    startedAt: input.startedAt,
    now: input.now,
    accepted: accelerator.accepted,
    sent: accelerator.sent,
    failed: accelerator.failed,
    retried: accelerator.retried,
    pendingMessages: accelerator.pendingMessages,
    pendingBytes: accelerator.pendingBytes,
    rejectedOverload: accelerator.rejectedOverload,
    deadLettersWritten: accelerator.deadLettersWritten,
    deadLetterWriteFailures: accelerator.deadLetterWriteFailures,
    sqsCalls: delivery.calls,
    batches: delivery.batches,
    entriesSent: delivery.entriesSent,
    inFlight: delivery.inFlight,
    latencyCount: latency.count,
    latencyP50Ms: latencyPercentile(latency, 0.5) ?? 0,
    latencyP99Ms: latencyPercentile(latency, 0.99) ?? 0,
    latencyMaxMs: latency.maxMs,
  };
}

/** Drops a user name and password from a URL, so that a page never shows credentials. */
function withoutUserInfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

function formatUptime(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const parts = days > 0 ? [`${days} d`, `${hours} h`] : hours > 0 ? [`${hours} h`, `${minutes} min`] : [`${minutes} min`, `${seconds % 60} s`];
  return parts.join(' ');
}

function counterRow(label: string, value: string | number): string {
  return `<tr><th>${escapeHtml(label)}</th><td class="number">${escapeHtml(value)}</td></tr>`;
}

function formatMilliseconds(value: number): string {
  return `${Number(value.toFixed(1))} ms`;
}

function renderCounters(data: HomeData): string {
  const meanBatchSize = data.batches > 0 ? (data.entriesSent / data.batches).toFixed(2) : 'no batches yet';
  const noCalls = 'no calls yet';

  const messages = [
    counterRow('Accepted', data.accepted),
    counterRow('Sent', data.sent),
    counterRow('Failed', data.failed),
    counterRow('Retried', data.retried),
    counterRow('Pending messages', data.pendingMessages),
    counterRow('Pending bytes', data.pendingBytes),
    counterRow('Rejected (pending limits reached)', data.rejectedOverload),
    counterRow('Dead letters written', data.deadLettersWritten),
    counterRow('Dead-letter write failures', data.deadLetterWriteFailures),
  ];
  const upstream = [
    counterRow('SendMessage and SendMessageBatch calls', data.sqsCalls),
    counterRow('Batches', data.batches),
    counterRow('Mean batch size (messages sent per batch)', meanBatchSize),
    counterRow('Calls in flight', data.inFlight),
    counterRow('Request latency p50, lookups included (upper-bound estimate)', data.latencyCount > 0 ? formatMilliseconds(data.latencyP50Ms) : noCalls),
    counterRow('Request latency p99, lookups included (upper-bound estimate)', data.latencyCount > 0 ? formatMilliseconds(data.latencyP99Ms) : noCalls),
    counterRow('Request latency max', data.latencyCount > 0 ? formatMilliseconds(data.latencyMaxMs) : noCalls),
  ];

  return `<h2>Messages</h2>
<table>
${messages.join('\n')}
</table>
<h2>Amazon SQS</h2>
<p>Endpoint <code>${escapeHtml(data.endpoint)}</code>, region <code>${escapeHtml(data.region)}</code>.</p>
<table>
${upstream.join('\n')}
</table>`;
}

function renderExamples(baseUrl: string): string {
  const queueUrl = `${baseUrl}/queues/my-queue`;
  const json = JSON.stringify({
    body: 'order 42 shipped',
    attributes: { customer: 'c-17', weight: 2.5 },
    delaySeconds: 10,
  });
  const fifoJson = JSON.stringify({ body: 'order 42 shipped', groupId: 'order-42', deduplicationId: 'shipped-42' });
  const lines = [
    '# a form field, as HTML forms send it',
    `curl -d message_body='order 42 shipped' ${queueUrl}`,
    '',
    '# the raw request body is the message',
    `curl -H 'Content-Type: text/plain' --data-binary @message.txt ${queueUrl}`,
    '',
    '# JSON with attributes and a delay',
    `curl -H 'Content-Type: application/json' -d '${json}' ${queueUrl}`,
    '',
    '# JSON for a FIFO queue: a group id, and a deduplication id unless content-based deduplication is on',
    `curl -H 'Content-Type: application/json' -d '${fifoJson}' ${baseUrl}/queues/my-queue.fifo`,
    '',
    `# many messages in one request: one JSON message per line (NDJSON), such as ${JSON.stringify({ body: 'first' })}`,
    `curl -H 'Content-Type: application/x-ndjson' --data-binary @messages.ndjson ${queueUrl}/messages`,
    '',
    '# with your own AWS credentials instead of the accelerator\'s',
    `curl -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -d message_body=hello ${queueUrl}`,
  ];

  return `<h2>Sending messages</h2>
<p>Each request answers <code>202 Accepted</code> with the message id as soon as the message is valid, and a <code>Location</code> header pointing at its status page under <code>/messages/ID</code>.</p>
<pre>${escapeHtml(lines.join('\n'))}</pre>`;
}

/** Renders the home page, which reloads itself every HOME_REFRESH_SECONDS seconds. */
export function renderHome(data: HomeData): string {
  const body = `<h1>sqs-accelerator ${escapeHtml(data.version)}</h1>
<p>This daemon accepts messages over HTTP on this host, answers <code>202 Accepted</code> as soon as a message is valid, and delivers it to Amazon SQS in the background, in batches of up to 10 with retries. Messages that fail for good are written to the dead-letter file.</p>
<p class="hint">Up ${escapeHtml(formatUptime(data.now - data.startedAt))}. This page reloads every ${HOME_REFRESH_SECONDS} seconds.</p>
<ul>
<li><a href="/queues">Queues</a>: list, create, send test messages</li>
<li><a href="/stats">/stats</a>: counters as JSON</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
<li><a href="/healthz">/healthz</a> and <a href="/readyz">/readyz</a>: health and readiness checks</li>
</ul>
${renderCounters(data)}
${renderExamples(data.baseUrl)}`;

  return renderDocument({ title: 'Home', body, refreshSeconds: HOME_REFRESH_SECONDS });
}
