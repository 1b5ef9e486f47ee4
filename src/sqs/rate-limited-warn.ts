// Logs a repeated warning at most once per interval per key, with the number suppressed in
// between, so that an SQS outage produces a few log lines rather than one per failed call.

import type { Logger } from '../log.js';

export class RateLimitedWarn {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #lastAt = new Map<string, number>();
  readonly #suppressed = new Map<string, number>();

  constructor(logger: Logger, intervalMs = 10_000) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const last = this.#lastAt.get(key);
    if (last !== undefined && now - last < this.#intervalMs) {
      this.#suppressed.set(key, (this.#suppressed.get(key) ?? 0) + 1);
      return;
    }

    const suppressed = this.#suppressed.get(key) ?? 0;
    this.#suppressed.delete(key);
    this.#lastAt.set(key, now);
    this.#logger.warn(suppressed > 0 ? { ...fields, suppressedSinceLast: suppressed } : fields, message);
  }
}
