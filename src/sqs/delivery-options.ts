// Options, settings and counters of the delivery engine, with the checks run at construction.

import { silentLogger, type Logger } from '../log.js';
import type { SqsClient } from './client.js';
import type { LatencySnapshot } from './latency.js';
import { MAX_BATCH_ENTRIES, type OutgoingMessage } from './message.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry.js';

/** Failure details passed to callbacks. They never contain credentials or the message body. */
export interface FailureInfo {
  code: string;
  message: string;
}

export interface DeliveryOptions extends Partial<RetryPolicy> {
  client: SqsClient;
  onSent?: (id: string, sqsMessageId: string) => void;
  /** Called once for a message that failed permanently or ran out of attempts or age: the dead-letter callback. */
  onFailed?: (id: string, error: FailureInfo, message: OutgoingMessage) => void;
  /** Called before each retry; `attempt` is the number of the attempt about to be made (2 for the first retry). */
  onRetry?: (id: string, attempt: number, error: FailureInfo) => void;
  /** Send SendMessageBatch calls (default true); false sends one SendMessage per message. */
  batching?: boolean;
  /** Maximum wait of a partial batch while every connection is busy, in milliseconds (default 2, maximum 10). */
  lingerMs?: number;
  /** Calls in flight at once (default: the client's connections times pipelining). */
  maxInFlight?: number;
  logger?: Logger;
  /** Source of randomness for retry jitter, in [0, 1). */
  random?: () => number;
}

export interface DeliveryCounters {
  /** SendMessage and SendMessageBatch calls made. */
  calls: number;
  /** SendMessageBatch calls made. */
  batches: number;
  /** Messages SQS accepted. */
  entriesSent: number;
  /** Messages handed to onFailed. */
  entriesFailed: number;
  /** Retries scheduled, one per message per retry. */
  retries: number;
  /** Messages accepted and not yet sent or failed. */
  pendingCount: number;
  /** Payload bytes of those messages. */
  pendingBytes: number;
  /** Calls in flight now. */
  inFlight: number;
  /** Latency of every call the client made, lookups included. */
  latency: LatencySnapshot;
}

// A linger longer than a few milliseconds would cost more latency than batching saves.
export const MAX_LINGER_MS = 10;

/** Options after checks, with defaults filled in. */
export interface DeliverySettings {
  client: SqsClient;
  policy: RetryPolicy;
  batching: boolean;
  /** Entries per call: 10 with batching, 1 without. */
  maxEntries: number;
  lingerMs: number;
  maxInFlight: number;
  logger: Logger;
  random: () => number;
  onSent: NonNullable<DeliveryOptions['onSent']>;
  onFailed: NonNullable<DeliveryOptions['onFailed']>;
  onRetry: NonNullable<DeliveryOptions['onRetry']>;
}

/** Checks delivery options and fills in defaults; throws a TypeError or RangeError naming the bad option. */
export function resolveDeliveryOptions(options: DeliveryOptions): DeliverySettings {
  if (options.client === undefined) throw new TypeError('Delivery: client is required');
  const lingerMs = options.lingerMs ?? 2;
  if (typeof lingerMs !== 'number' || !(lingerMs >= 0) || lingerMs > MAX_LINGER_MS) {
    throw new RangeError(`Delivery: lingerMs must be from 0 to ${MAX_LINGER_MS} milliseconds, got ${lingerMs}`);
  }
  const maxInFlight = options.maxInFlight ?? options.client.capacity;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`Delivery: maxInFlight must be a positive integer, got ${maxInFlight}`);

  const batching = options.batching ?? true;
  return {
    client: options.client,
    policy: resolveRetryPolicy(options),
    batching,
    maxEntries: batching ? MAX_BATCH_ENTRIES : 1,
    lingerMs,
    maxInFlight,
    logger: options.logger ?? silentLogger,
    random: options.random ?? Math.random,
    onSent: options.onSent ?? (() => {}),
    onFailed: options.onFailed ?? (() => {}),
    onRetry: options.onRetry ?? (() => {}),
  };
}
