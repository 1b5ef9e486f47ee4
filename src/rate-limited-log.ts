// Logs repeated warnings at most once per interval per key, with the count of those skipped,
// so that a misbehaving client cannot flood the log.

import type { Logger } from './log.js';

export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #lastLoggedAt = new Map<string, number>();
  readonly #suppressed = new Map<string, number>();

  constructor(logger: Logger, intervalMs = 10_000) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const last = this.#lastLoggedAt.get(key);
    if (last !== undefined && now - last < this.#intervalMs) {
      this.#suppressed.set(key, (this.#suppressed.get(key) ?? 0) + 1);
      return;
    }

    const suppressed = this.#suppressed.get(key) ?? 0;
    this.#lastLoggedAt.set(key, now);
    this.#suppressed.delete(key);
    this.#logger.warn(suppressed > 0 ? { ...fields, suppressedSinceLast: suppressed } : fields, message);
  }
}
