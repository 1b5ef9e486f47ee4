// Retry policy: exponential backoff with full jitter, bounded by an attempt count and an age.

export interface RetryPolicy {
  /** Calls that may carry one message, the first included (default 8). */
  maxAttempts: number;
  /** Time after acceptance beyond which a failed message is not retried, in milliseconds (default 300,000). */
  maxAgeMs: number;
  /** Cap of the first retry delay, in milliseconds; it doubles with each attempt (default 50). */
  baseDelayMs: number;
  /** Largest delay cap, in milliseconds (default 10,000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, maxAgeMs: 300_000, baseDelayMs: 50, maxDelayMs: 10_000 };

/** Checks a partial policy and fills in defaults; throws a RangeError naming the bad option. */
export function resolveRetryPolicy(options: Partial<RetryPolicy>): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY };
  for (const name of Object.keys(DEFAULT_RETRY_POLICY) as Array<keyof RetryPolicy>) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0) || (name === 'maxAttempts' && (!Number.isInteger(value) || value < 1))) {
      throw new RangeError(`Delivery: ${name} must be ${name === 'maxAttempts' ? 'an integer >= 1' : 'a number of milliseconds >= 0'}, got ${value}`);
    }
    policy[name] = value;
  }
  return policy;
}

/**
 * Returns the delay before retry number `failedAttempts` (1 for the first retry): a uniform
 * random value between 0 and min(maxDelayMs, baseDelayMs * 2^(failedAttempts - 1)). Full
 * jitter spreads the retries of many clients that failed at the same moment.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(failedAttempts - 1, 30);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return random() * cap;
}
