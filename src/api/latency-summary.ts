// Percentiles of upstream latency, estimated from the fixed buckets of a LatencySnapshot. The
// home page and /stats show them; /metrics exports the buckets themselves.

import type { LatencySnapshot } from '../sqs/latency.js';

/**
 * Estimates the latency in milliseconds below which `fraction` (above 0, at most 1) of the
 * recorded calls fall, or returns undefined when no call was recorded.
 *
 * The estimate is an upper bound: it is the upper edge of the bucket that contains the
 * requested rank, lowered to the largest recorded latency when that is smaller. A rank in the
 * overflow bucket (above the last edge) returns the largest recorded latency. The true
 * percentile lies between the bucket's lower edge and the returned value.
 */
export function latencyPercentile(snapshot: LatencySnapshot, fraction: number): number | undefined {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new RangeError(`percentile fraction must be above 0 and at most 1 (0.99 for p99), not ${String(fraction)}`);
  }

  const total = snapshot.counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;

  // The rank of the wanted call among all calls sorted by latency, counted from 1.
  const rank = Math.max(1, Math.ceil(fraction * total));

  let cumulative = 0;
  for (let index = 0; index < snapshot.counts.length; index++) {
    cumulative += snapshot.counts[index]!;
    if (cumulative < rank) continue;

    const edge = snapshot.bucketsMs[index];
    return edge === undefined ? snapshot.maxMs : Math.min(edge, snapshot.maxMs);
  }
  return snapshot.maxMs;
}
