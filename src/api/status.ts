// Health, readiness, counters, metrics, message status and the home page.

import type { IngressRequest } from '../http/request.js';
import type { Reply } from '../http/reply.js';
import type { Router } from '../http/router.js';
import type { ApiContext } from './context.js';
import { requestCredentials } from './messages.js';
import { sendHtml, wantsHtml } from './respond.js';
import { latencyPercentile } from './latency-summary.js';
import { buildHomeData, renderHome, type HomeData } from './html/home.js';
import { renderMessage } from './html/message.js';
import { renderError } from './html/error.js';

/** How long a readiness result is reused, in milliseconds, so probes cannot flood SQS. */
const READINESS_CACHE_MS = 2000;

/** Collects the counters that /stats returns. */
export function collectStats(context: ApiContext): Record<string, unknown> {
  const counters = context.accelerator.counters;
  const delivery = context.accelerator.deliveryCounters;
  const latency = delivery.latency;
  return {
    accepted: counters.accepted,
    sent: counters.sent,
    failed: counters.failed,
    retried: counters.retried,
    pendingMessages: counters.pendingMessages,
    pendingBytes: counters.pendingBytes,
    rejectedOverload: counters.rejectedOverload,
    deadLettersWritten: counters.deadLettersWritten,
    deadLetterWriteFailures: counters.deadLetterWriteFailures,
    batches: delivery.batches,
    meanBatchSize: delivery.batches === 0 ? 0 : delivery.entriesSent / delivery.batches,
    upstream: {
      // SendMessage and SendMessageBatch calls; `requests` counts queue lookups too, and the
      // latency covers all requests.
      calls: delivery.calls,
      requests: latency.count,
      inFlight: delivery.inFlight,
      latencyMs: {
        count: latency.count,
        mean: latency.count === 0 ? 0 : latency.sumMs / latency.count,
        p50: latencyPercentile(latency, 0.5),
        p90: latencyPercentile(latency, 0.9),
        p99: latencyPercentile(latency, 0.99),
        max: latency.maxMs,
      },
    },
    ingress: context.ingressCounters(),
    uptimeSeconds: Math.round((Date.now() - context.settings.startedAt) / 1000),
  };
}

interface Readiness {
  checkedAt: number;
  ready: boolean;
  reason: string;
}

function addReadiness(router: Router, context: ApiContext): void {
  let cached: Readiness | undefined;

  router.add('GET', '/readyz', async (request, reply) => {
    if (cached === undefined || Date.now() - cached.checkedAt > READINESS_CACHE_MS) {
      cached = await checkReadiness(context, request);
    }
    const status = cached.ready ? 200 : 503;
    reply.json(status, { ready: cached.ready, accepting: context.accelerator.accepting, endpoint: context.settings.endpoint, reason: cached.reason });
  });
}

/** Ready means accepting messages and able to call SQS (ListQueues) with the credentials at hand. */
async function checkReadiness(context: ApiContext, request: IngressRequest): Promise<Readiness> {
  const checkedAt = Date.now();
  if (!context.accelerator.accepting) return { checkedAt, ready: false, reason: 'shutting down' };
  try {
    const credentials = requestCredentials(context, request);
    await context.client.listQueues({ MaxResults: 1 }, credentials);
    return { checkedAt, ready: true, reason: 'SQS answered ListQueues' };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'Error';
    context.logger.warn({ code, reason: (error as Error).message }, 'readiness check failed');
    return { checkedAt, ready: false, reason: `${code}: ${(error as Error).message}` };
  }
}

function showMessage(context: ApiContext, request: IngressRequest, reply: Reply): void {
  const status = context.accelerator.status(request.params.id);
  if (status !== undefined) {
    if (wantsHtml(request)) sendHtml(reply, 200, renderMessage(status));
    else reply.json(200, status);
    return;
  }

  const code = 'MessageNotFound';
  const message = `no recent message has id ${JSON.stringify(request.params.id.slice(0, 64))}; the status index keeps the most recent ${context.accelerator.index.capacity} messages`;
  if (wantsHtml(request)) sendHtml(reply, 404, renderError({ status: 404, code, message, field: 'id' }));
  else reply.json(404, { error: { code, field: 'id', message } });
}

export function addStatusRoutes(router: Router, context: ApiContext): void {
  router.add('GET', '/healthz', (_request, reply) => reply.json(200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - context.settings.startedAt) / 1000) }));
  addReadiness(router, context);
  router.add('GET', '/stats', (_request, reply) => reply.json(200, collectStats(context)));
  router.add('GET', '/metrics', async (_request, reply) => reply.send(200, await context.metrics.render(), { 'Content-Type': context.metrics.contentType }));
  router.add('GET', '/messages/:id', (request, reply) => showMessage(context, request, reply));
  // Browsers request this on every page; an empty 204 keeps their consoles free of 404s.
  router.add('GET', '/favicon.ico', (_request, reply) => reply.send(204));
  router.add('GET', '/', (request, reply) => {
    if (wantsHtml(request)) {
      sendHtml(reply, 200, renderHome(homeData(context, request)));
      return;
    }
    reply.json(200, {
      service: 'sqs-accelerator',
      version: context.settings.version,
      routes: ['POST /queues/:name', 'POST /queues/:name/messages', 'GET /queues', 'POST /queues', 'GET /queues/:name', 'DELETE /queues/:name', 'GET /messages/:id', 'GET /healthz', 'GET /readyz', 'GET /stats', 'GET /metrics'],
    });
  });
}

function homeData(context: ApiContext, request: IngressRequest): HomeData {
  return buildHomeData({
    accelerator: context.accelerator.counters,
    delivery: context.accelerator.deliveryCounters,
    version: context.settings.version,
    baseUrl: `http://${request.header('host') ?? '127.0.0.1'}`,
    endpoint: context.settings.endpoint,
    region: context.settings.region,
    startedAt: context.settings.startedAt,
    now: Date.now(),
  });
}
