import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { register as globalRegistry } from 'prom-client';
import type { AcceleratorCounters } from '../../src/accelerator/accelerator.js';
import type { IngressCounters } from '../../src/http/server.js';
import type { DeliveryCounters } from '../../src/sqs/delivery.js';
import { LATENCY_BUCKETS_MS, LatencyHistogram } from '../../src/sqs/latency.js';
import { createMetrics } from '../../src/api/metrics.js';
import { latencyPercentile } from '../../src/api/latency-summary.js';

// A strict reader of the Prometheus text format (version 0.0.4), written for this test: it
// throws on any line the format does not allow, on samples without a TYPE, and on duplicates.

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Family {
  type: string;
  help: string | undefined;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

// Prometheus reads values with Go's strconv.ParseFloat, which matches NaN and Inf in any case;
// prom-client 15 writes NaN as "Nan".
function parseValue(text: string, line: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`invalid sample value ${JSON.stringify(text)} in line ${JSON.stringify(line)}`);
  return Number(text);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/.exec(rest);
    if (match === null) throw new Error(`invalid labels in line ${JSON.stringify(line)}`);
    if (match[1] in labels) throw new Error(`duplicate label ${match[1]} in line ${JSON.stringify(line)}`);
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
    rest = rest.slice(match[0].length);
  }
  return labels;
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  const exact = families.get(sampleName);
  if (exact !== undefined) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family !== undefined && (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket'))) return family;
  }
  return undefined;
}

function parseExposition(text: string): Map<string, Family> {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line feed');
  const families = new Map<string, Family>();
  const series = new Set<string>();

  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;

    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment !== null) {
      const [, keyword, name, rest] = comment;
      if (!NAME.test(name)) throw new Error(`invalid metric name in ${JSON.stringify(line)}`);
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`unknown type in ${JSON.stringify(line)}`);
        const existing = families.get(name);
        if (existing !== undefined && existing.type !== '') throw new Error(`second TYPE for ${name}`);
        if (existing !== undefined && existing.samples.length > 0) throw new Error(`TYPE after samples for ${name}`);
        families.set(name, { type: rest, help: existing?.help, samples: existing?.samples ?? [] });
      } else {
        const existing = families.get(name);
        if (existing?.help !== undefined) throw new Error(`second HELP for ${name}`);
        if (existing === undefined) families.set(name, { type: '', help: rest, samples: [] });
        else existing.help = rest;
      }
      continue;
    }
    if (line.startsWith('#')) continue;

    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (sample === null) throw new Error(`invalid sample line ${JSON.stringify(line)}`);
    const [, name, labelText, valueText] = sample;
    const family = familyOf(families, name);
    if (family === undefined || family.type === '') throw new Error(`sample ${name} has no TYPE line before it`);

    const labels = parseLabels(labelText ?? '', line);
    const key = `${name}{${Object.entries(labels).sort().map(([label, value]) => `${label}=${value}`).join(',')}}`;
    if (series.has(key)) throw new Error(`duplicate series ${key}`);
    series.add(key);
    family.samples.push({ name, labels, value: parseValue(valueText, line) });
  }
  return families;
}

/** Returns the single value of an unlabelled sample, such as a counter or a histogram's _count. */
function valueOf(families: Map<string, Family>, name: string): number {
  const family = familyOf(families, name);
  assert.ok(family, `metric ${name} is exposed`);
  const samples = family.samples.filter((sample) => sample.name === name);
  assert.is(samples.length, 1, `metric ${name} has one sample`);
  return samples[0].value;
}

// Each source field gets its own value, so a metric wired to the wrong field shows a wrong number.
function makeSources(latency = new LatencyHistogram()) {
  const accelerator: AcceleratorCounters = {
    accepted: 101,
    sent: 102,
    failed: 103,
    retried: 104,
    pendingMessages: 105,
    pendingBytes: 106,
    rejectedOverload: 107,
    deadLettersWritten: 108,
    deadLetterWriteFailures: 109,
  };
  const delivery: Omit<DeliveryCounters, 'latency'> = {
    calls: 201,
    batches: 202,
    entriesSent: 203,
    entriesFailed: 204,
    retries: 205,
    pendingCount: 206,
    pendingBytes: 207,
    inFlight: 208,
  };
  const ingress: IngressCounters = {
    connectionsAccepted: 301,
    connectionsRejected: 302,
    requests: 303,
    protocolErrors: 304,
    handlerErrors: 305,
  };
  const sources = {
    accelerator: () => ({ ...accelerator }),
    delivery: () => ({ ...delivery, latency: latency.snapshot() }),
    ingress: () => ({ ...ingress }),
  };
  return { accelerator, delivery, ingress, latency, sources };
}

const metrics = suite('createMetrics');

metrics('renders valid Prometheus text', async () => {
  const exposition = createMetrics(makeSources().sources);
  assert.match(exposition.contentType, /^text\/plain; version=0\.0\.4/);

  const families = parseExposition(await exposition.render());
  const ours = [...families.keys()].filter((name) => name.startsWith('sqs_accelerator_'));
  assert.ok(ours.length >= 20, `found ${ours.length} sqs_accelerator_ metrics`);
  for (const name of ours) {
    const family = families.get(name)!;
    assert.ok(family.help, `${name} has help text`);
    if (family.type === 'counter') assert.ok(name.endsWith('_total'), `counter ${name} ends in _total`);
    else assert.not.ok(name.endsWith('_total'), `${family.type} ${name} does not end in _total`);
  }
});

metrics('each metric reflects its source', async () => {
  const { accelerator, delivery, ingress, sources } = makeSources();
  const families = parseExposition(await createMetrics(sources).render());

  const expected: [string, string, number][] = [
    ['sqs_accelerator_messages_accepted_total', 'counter', accelerator.accepted],
    ['sqs_accelerator_messages_sent_total', 'counter', accelerator.sent],
    ['sqs_accelerator_messages_failed_total', 'counter', accelerator.failed],
    ['sqs_accelerator_messages_retried_total', 'counter', accelerator.retried],
    ['sqs_accelerator_overload_rejections_total', 'counter', accelerator.rejectedOverload],
    ['sqs_accelerator_dead_letters_written_total', 'counter', accelerator.deadLettersWritten],
    ['sqs_accelerator_dead_letter_write_failures_total', 'counter', accelerator.deadLetterWriteFailures],
    ['sqs_accelerator_pending_messages', 'gauge', accelerator.pendingMessages],
    ['sqs_accelerator_pending_bytes', 'gauge', accelerator.pendingBytes],
    ['sqs_accelerator_sqs_calls_total', 'counter', delivery.calls],
    ['sqs_accelerator_sqs_batches_total', 'counter', delivery.batches],
    ['sqs_accelerator_sqs_entries_sent_total', 'counter', delivery.entriesSent],
    ['sqs_accelerator_sqs_entries_failed_total', 'counter', delivery.entriesFailed],
    ['sqs_accelerator_sqs_calls_in_flight', 'gauge', delivery.inFlight],
    ['sqs_accelerator_connections_accepted_total', 'counter', ingress.connectionsAccepted],
    ['sqs_accelerator_connections_rejected_total', 'counter', ingress.connectionsRejected],
    ['sqs_accelerator_http_requests_total', 'counter', ingress.requests],
    ['sqs_accelerator_http_protocol_errors_total', 'counter', ingress.protocolErrors],
    ['sqs_accelerator_http_handler_errors_total', 'counter', ingress.handlerErrors],
  ];
  for (const [name, type, value] of expected) {
    assert.is(families.get(name)?.type, type, `${name} is a ${type}`);
    assert.is(valueOf(families, name), value, name);
  }
});

metrics('reads sources at every scrape', async () => {
  const { accelerator, ingress, latency, sources } = makeSources();
  const exposition = createMetrics(sources);
  await exposition.render();

  accelerator.accepted += 5;
  accelerator.pendingMessages = 0;
  ingress.requests += 7;
  latency.record(3);
  const families = parseExposition(await exposition.render());

  assert.is(valueOf(families, 'sqs_accelerator_messages_accepted_total'), 106);
  assert.is(valueOf(families, 'sqs_accelerator_pending_messages'), 0);
  assert.is(valueOf(families, 'sqs_accelerator_http_requests_total'), 310);
  assert.is(valueOf(families, 'sqs_accelerator_upstream_request_duration_seconds_count'), 1);
});

metrics('histogram buckets are cumulative', async () => {
  const latency = new LatencyHistogram();
  // Values on both sides of several edges, one exactly on an edge, and two above the last edge.
  const durationsMs = [0.2, 1, 1.5, 4.9, 5, 7, 19, 21, 150, 480, 999, 4000, 12_000, 60_000];
  for (const duration of durationsMs) latency.record(duration);

  const families = parseExposition(await createMetrics(makeSources(latency).sources).render());
  const name = 'sqs_accelerator_upstream_request_duration_seconds';
  const family = families.get(name);
  assert.is(family?.type, 'histogram');

  const buckets = family!.samples.filter((sample) => sample.name === `${name}_bucket`);
  assert.is(buckets.length, LATENCY_BUCKETS_MS.length + 1, 'one bucket per edge plus +Inf');
  assert.is(buckets[buckets.length - 1].labels.le, '+Inf', 'the last bucket is +Inf');

  let previous = 0;
  for (const [index, edgeMs] of LATENCY_BUCKETS_MS.entries()) {
    const bucket = buckets[index];
    assert.is(Number(bucket.labels.le), edgeMs / 1000, `bucket ${index} edge in seconds`);
    const expected = durationsMs.filter((duration) => duration <= edgeMs).length;
    assert.is(bucket.value, expected, `bucket le=${bucket.labels.le} counts calls at or below its edge`);
    assert.ok(bucket.value >= previous, `bucket le=${bucket.labels.le} is not below the one before`);
    previous = bucket.value;
  }

  const count = valueOf(families, `${name}_count`);
  assert.is(count, durationsMs.length);
  assert.is(buckets[buckets.length - 1].value, count, '+Inf equals the count');
  const sumSeconds = durationsMs.reduce((sum, duration) => sum + duration, 0) / 1000;
  assert.ok(Math.abs(valueOf(families, `${name}_sum`) - sumSeconds) < 1e-9, 'sum is in seconds');
});

metrics('empty histogram renders zeros', async () => {
  const families = parseExposition(await createMetrics(makeSources().sources).render());
  const name = 'sqs_accelerator_upstream_request_duration_seconds';
  for (const sample of families.get(name)!.samples) assert.is(sample.value, 0, `${sample.name} ${JSON.stringify(sample.labels)}`);
});

metrics('includes process metrics', async () => {
  const families = parseExposition(await createMetrics(makeSources().sources).render());
  assert.is(families.get('process_cpu_user_seconds_total')?.type, 'counter');
  assert.ok(valueOf(families, 'process_resident_memory_bytes') > 0);
  assert.ok(families.has('nodejs_heap_size_used_bytes'));
});

metrics('uses its own registry', async () => {
  const first = makeSources();
  const second = makeSources();
  second.accelerator.accepted = 9;
  const firstMetrics = createMetrics(first.sources);
  const secondMetrics = createMetrics(second.sources);

  assert.is(valueOf(parseExposition(await firstMetrics.render()), 'sqs_accelerator_messages_accepted_total'), 101);
  assert.is(valueOf(parseExposition(await secondMetrics.render()), 'sqs_accelerator_messages_accepted_total'), 9);
  assert.not.match(await globalRegistry.metrics(), 'sqs_accelerator_');
});

metrics.run();

const percentile = suite('latencyPercentile');

percentile('returns bucket edges and the max', () => {
  const latency = new LatencyHistogram();
  for (const duration of [0.5, 3, 7, 40, 12_000]) latency.record(duration);
  const snapshot = latency.snapshot();

  // The third of five calls (7 ms) lies in the bucket ending at 10 ms.
  assert.is(latencyPercentile(snapshot, 0.5), 10);
  // The fifth call lies above the last edge, so the recorded max is the bound.
  assert.is(latencyPercentile(snapshot, 0.99), 12_000);
  assert.is(latencyPercentile(snapshot, 0.2), 1);
});

percentile('caps the edge at the max', () => {
  const latency = new LatencyHistogram();
  for (const duration of [3, 3, 3, 30]) latency.record(duration);
  const snapshot = latency.snapshot();

  assert.is(latencyPercentile(snapshot, 0.5), 5);
  assert.is(latencyPercentile(snapshot, 0.99), 30);
});

percentile('is an upper bound', () => {
  // A fixed linear congruential sequence, so every run records the same values.
  let state = 12_345;
  const durations: number[] = [];
  const latency = new LatencyHistogram();
  for (let i = 0; i < 2000; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const duration = (state / 2 ** 31) ** 3 * 15_000;
    durations.push(duration);
    latency.record(duration);
  }
  durations.sort((a, b) => a - b);
  const snapshot = latency.snapshot();

  for (const fraction of [0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1]) {
    const exact = durations[Math.ceil(fraction * durations.length) - 1];
    const estimate = latencyPercentile(snapshot, fraction)!;
    assert.ok(estimate >= exact, `p${fraction * 100}: estimate ${estimate} is at least the exact ${exact}`);

    // The estimate is no higher than the first edge at or above the exact value.
    const edge = LATENCY_BUCKETS_MS.find((bound) => bound >= exact) ?? snapshot.maxMs;
    assert.ok(estimate <= edge, `p${fraction * 100}: estimate ${estimate} is at most the edge ${edge}`);
  }
});

percentile('returns undefined without calls', () => {
  assert.is(latencyPercentile(new LatencyHistogram().snapshot(), 0.5), undefined);
});

percentile('rejects fractions outside (0, 1]', () => {
  const snapshot = new LatencyHistogram().snapshot();
  for (const fraction of [0, -0.5, 1.01, 50, NaN]) {
    assert.throws(() => latencyPercentile(snapshot, fraction), /fraction/, String(fraction));
  }
});

percentile.run();
