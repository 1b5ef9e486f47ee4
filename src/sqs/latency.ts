// A fixed-bucket histogram of upstream call latency in milliseconds, cheap to update on every call.

/** Upper bounds of the buckets in milliseconds. A final overflow bucket counts everything above. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;

export interface LatencySnapshot {
  /** Bucket upper bounds in milliseconds, matching `counts` except for its final overflow slot. */
  bucketsMs: readonly number[];
  counts: number[];
  count: number;
  sumMs: number;
  maxMs: number;
}

export class LatencyHistogram {
  readonly #counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  #count = 0;
  #sumMs = 0;
  #maxMs = 0;

  record(durationMs: number): void {
    let index = 0;
    while (index < LATENCY_BUCKETS_MS.length && durationMs > LATENCY_BUCKETS_MS[index]!) index++;
    this.#counts[index]!++;
    this.#count++;
    this.#sumMs += durationMs;
    if (durationMs > this.#maxMs) this.#maxMs = durationMs;
  }

  snapshot(): LatencySnapshot {
    return { bucketsMs: LATENCY_BUCKETS_MS, counts: [...this.#counts], count: this.#count, sumMs: this.#sumMs, maxMs: this.#maxMs };
  }
}
