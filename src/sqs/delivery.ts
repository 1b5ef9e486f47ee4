// The delivery engine: accepts messages, groups them per (credentials, queue) into
// SendMessageBatch calls, retries what fails and reports each message's outcome.
//
// Batches form on their own while calls are in flight. With a free connection a message
// leaves at once. Once every connection is busy the engine switches to lingering: a partial
// batch then waits for a free connection and at most `lingerMs` for more entries. It switches
// back when half the connections are free and nothing waits, so that a lone message on an
// idle system never waits for a timer.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { SqsClient } from './client.js';
import { LOCAL_ERROR_CODES, SqsError, toSqsError } from './errors.js';
import { Batcher, BatcherRegistry, type Entry } from './batcher.js';
import { MAX_PAYLOAD_BYTES, checkMessage, type OutgoingMessage } from './message.js';
import { retryDelayMs, type RetryPolicy } from './retry.js';
import { sendEntries, type SendOutcome } from './send.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { resolveDeliveryOptions, type DeliveryCounters, type DeliveryOptions, type DeliverySettings, type FailureInfo } from './delivery-options.js';

export type { DeliveryCounters, DeliveryOptions, FailureInfo };

export class Delivery {
  readonly #client: SqsClient;
  readonly #policy: RetryPolicy;
  readonly #batching: boolean;
  readonly #lingerMs: number;
  readonly #maxInFlight: number;
  readonly #maxEntries: number;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #onSent: DeliverySettings['onSent'];
  readonly #onFailed: DeliverySettings['onFailed'];
  readonly #onRetry: DeliverySettings['onRetry'];
  readonly #warnings: RateLimitedLog;

  readonly #batchers = new BatcherRegistry();
  /** Batchers with queued entries that may be able to send; insertion order gives round robin. */
  readonly #ready = new Set<Batcher>();
  readonly #pending = new Set<Entry>();
  #pendingBytes = 0;
  #inFlight = 0;
  #lingering = false;
  #lingerTimer: NodeJS.Timeout | undefined;
  #lingerTimerAt = Infinity;
  #accepting = true;
  #flushAll = false;
  #drainWaiters: Array<() => void> = [];
  #calls = 0;
  #batches = 0;
  #entriesSent = 0;
  #entriesFailed = 0;
  #retries = 0;

  constructor(options: DeliveryOptions) {
    const settings = resolveDeliveryOptions(options);
    this.#client = settings.client;
    this.#policy = settings.policy;
    this.#batching = settings.batching;
    this.#maxEntries = settings.maxEntries;
    this.#lingerMs = settings.lingerMs;
    this.#maxInFlight = settings.maxInFlight;
    this.#logger = settings.logger;
    this.#random = settings.random;
    this.#onSent = settings.onSent;
    this.#onFailed = settings.onFailed;
    this.#onRetry = settings.onRetry;
    this.#warnings = new RateLimitedLog(settings.logger);
  }

  get counters(): DeliveryCounters {
    return {
      calls: this.#calls,
      batches: this.#batches,
      entriesSent: this.#entriesSent,
      entriesFailed: this.#entriesFailed,
      retries: this.#retries,
      pendingCount: this.#pending.size,
      pendingBytes: this.#pendingBytes,
      inFlight: this.#inFlight,
      latency: this.#client.stats.latency,
    };
  }

  /**
   * Accepts a message for delivery; its outcome arrives through onSent or onFailed.
   * Throws SqsError InvalidMessage for a message SQS would reject, and DeliveryClosed
   * after drain() or close().
   */
  send(message: OutgoingMessage): void {
    if (!this.#accepting) throw new SqsError({ code: LOCAL_ERROR_CODES.closed, message: `delivery is draining or closed; message ${JSON.stringify(message.id)} was not accepted` });
    const size = checkMessage(message);

    const batcher = this.#batchers.forMessage(message, (idle) => this.#ready.delete(idle));
    const now = Date.now();
    const entry: Entry = {
      message,
      size,
      attempts: 0,
      acceptedAt: now,
      queuedAt: now,
      deduplicationId: message.deduplicationId,
      state: 'queued',
      retryTimer: undefined,
    };
    this.#pending.add(entry);
    this.#pendingBytes += size;
    batcher.pendingCount++;
    batcher.push(entry);

    if (batcher.resolution === 'resolved') {
      this.#assignDeduplicationId(batcher, entry);
      this.#ready.add(batcher);
      this.#pump();
    } else if (batcher.resolution === 'unresolved') {
      void this.#resolve(batcher);
    }
  }

  /**
   * Stops taking messages, sends what is pending without lingering, and waits until all is
   * delivered or `timeoutMs` milliseconds have passed. Returns the messages still undelivered
   * and drops them from the engine, so their late outcomes are not reported. Those that were
   * in flight at the deadline may still reach SQS.
   */
  async drain(timeoutMs: number): Promise<OutgoingMessage[]> {
    this.#accepting = false;
    this.#flushAll = true;
    this.#pump();

    if (this.#pending.size > 0 && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#drainWaiters.push(resolve);
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
    }
    return this.#abandonPending();
  }

  /** Stops at once: no new messages, no retries; returns what was still pending. */
  async close(): Promise<OutgoingMessage[]> {
    return this.drain(0);
  }

  #assignDeduplicationId(batcher: Batcher, entry: Entry): void {
    // Generated once and kept on the entry, so that a retry after an ambiguous failure is
    // deduplicated by SQS instead of creating a second message.
    if (batcher.fifo && !batcher.contentBasedDeduplication && entry.deduplicationId === undefined) entry.deduplicationId = randomUUID();
  }

  async #resolve(batcher: Batcher): Promise<void> {
    batcher.resolution = 'resolving';
    try {
      batcher.queueUrl = await this.#client.getQueueUrl(batcher.queueName, batcher.credentials);
      if (batcher.fifo) batcher.contentBasedDeduplication = await this.#client.usesContentBasedDeduplication(batcher.queueName, batcher.credentials);
    } catch (caught) {
      this.#onResolveFailure(batcher, toSqsError(caught));
      return;
    }

    batcher.resolution = 'resolved';
    batcher.resolveFailures = 0;
    for (const entry of batcher.takeAll()) {
      if (entry.state === 'done') continue;
      this.#assignDeduplicationId(batcher, entry);
      batcher.push(entry);
    }
    this.#ready.add(batcher);
    this.#pump();
  }

  #onResolveFailure(batcher: Batcher, error: SqsError): void {
    batcher.resolution = 'unresolved';
    batcher.resolveFailures++;
    this.#warnings.warn(`lookup:${error.code}`, { queue: batcher.queueName, code: error.code, failures: batcher.resolveFailures, err: error.message }, 'queue lookup failed');

    // A failed lookup is not a delivery attempt of the waiting messages, and the queue's failure
    // count must not doom a message that arrived a moment ago, so only each message's age applies.
    const now = Date.now();
    const keep: Entry[] = [];
    for (const entry of batcher.takeAll()) {
      const expired = now - entry.acceptedAt >= this.#policy.maxAgeMs;
      if (!error.retryable || expired) this.#fail(batcher, entry, error);
      else keep.push(entry);
    }
    if (keep.length === 0) return;

    for (const entry of keep) batcher.push(entry);
    batcher.resolution = 'resolving';
    const delay = retryDelayMs(this.#policy, batcher.resolveFailures, this.#random);
    batcher.resolveTimer = setTimeout(() => {
      batcher.resolveTimer = undefined;
      void this.#resolve(batcher);
    }, delay);
  }

  /** Starts as many calls as free slots allow, choosing batchers round robin. */
  #pump(): void {
    const now = Date.now();
    let lingerUntil = Infinity;

    while (this.#inFlight < this.#maxInFlight && this.#ready.size > 0) {
      let chosen: Batcher | undefined;
      for (const batcher of this.#ready) {
        if (batcher.queuedCount === 0 || batcher.resolution !== 'resolved') {
          this.#ready.delete(batcher);
          continue;
        }
        const oldest = batcher.oldestQueuedAt ?? now;
        if (!this.#lingering || this.#flushAll || batcher.hasFullBatch(this.#maxEntries, MAX_PAYLOAD_BYTES) || now - oldest >= this.#lingerMs) {
          chosen = batcher;
          break;
        }
        lingerUntil = Math.min(lingerUntil, oldest + this.#lingerMs);
      }
      if (chosen === undefined) break;

      // Delete and re-add moves the batcher to the back of the round.
      this.#ready.delete(chosen);
      const batch = chosen.takeBatch(this.#maxEntries, MAX_PAYLOAD_BYTES);
      if (batch.length === 0) continue; // every queued group is held; a release re-adds the batcher
      if (chosen.queuedCount > 0) this.#ready.add(chosen);
      void this.#dispatch(chosen, batch);
    }

    if (this.#inFlight >= this.#maxInFlight && this.#ready.size > 0) this.#lingering = true;
    else if (this.#lingering && this.#ready.size === 0 && this.#inFlight * 2 <= this.#maxInFlight) this.#lingering = false;
    this.#armLingerTimer(lingerUntil);
  }

  #armLingerTimer(at: number): void {
    if (at === Infinity || at >= this.#lingerTimerAt) return;
    clearTimeout(this.#lingerTimer);
    this.#lingerTimerAt = at;
    this.#lingerTimer = setTimeout(() => {
      this.#lingerTimer = undefined;
      this.#lingerTimerAt = Infinity;
      this.#pump();
    }, Math.max(0, at - Date.now()));
  }

  async #dispatch(batcher: Batcher, batch: Entry[]): Promise<void> {
    this.#inFlight++;
    this.#calls++;
    if (this.#batching) this.#batches++;
    for (const entry of batch) entry.attempts++;

    let outcomes: SendOutcome[];
    try {
      outcomes = await sendEntries(this.#client, batcher, batch, this.#batching);
    } catch (caught) {
      const error = toSqsError(caught);
      this.#warnings.warn(`call:${error.code}`, { queue: batcher.queueName, code: error.code, entries: batch.length, retryable: error.retryable, err: error.message }, 'SQS send call failed');
      outcomes = batch.map((entry) => ({ entry, error }));
    } finally {
      this.#inFlight--;
    }

    const tooLong = outcomes.length > 1 && outcomes.every((outcome) => outcome.error?.code === 'BatchRequestTooLong');
    if (tooLong) {
      this.#splitBatch(batcher, batch);
    } else {
      const retrying: Entry[] = [];
      for (const outcome of outcomes) {
        if (outcome.error === undefined) this.#succeed(batcher, outcome.entry, outcome.messageId ?? '');
        else if (this.#retryOrFail(batcher, outcome.entry, outcome.error)) retrying.push(outcome.entry);
      }
      if (retrying.length > 0) this.#scheduleRetry(batcher, retrying);
    }

    // A queue found missing is looked up again, which fails its queued entries at once.
    if (batcher.resolution === 'unresolved' && batcher.queuedCount > 0) void this.#resolve(batcher);
    this.#pump();
  }

  /** Sends the two halves of a batch SQS found too long, without counting an attempt. */
  #splitBatch(batcher: Batcher, batch: Entry[]): void {
    const live = batch.filter((entry) => entry.state !== 'done');
    for (const entry of live) {
      entry.attempts--;
      batcher.releaseGroup(entry);
    }
    const middle = Math.ceil(live.length / 2);
    for (const half of [live.slice(0, middle), live.slice(middle)]) {
      if (half.length === 0) continue;
      for (const entry of half) batcher.holdGroup(entry);
      void this.#dispatch(batcher, half);
    }
  }

  #succeed(batcher: Batcher, entry: Entry, messageId: string): void {
    if (entry.state === 'done') return;
    this.#finish(batcher, entry);
    this.#entriesSent++;
    this.#notify(() => this.#onSent(entry.message.id, messageId));
  }

  /** Fails the entry or marks it for a retry; returns true when it waits for a retry. */
  #retryOrFail(batcher: Batcher, entry: Entry, error: SqsError): boolean {
    if (entry.state === 'done') return false;
    if (error.code === 'QueueDoesNotExist' && batcher.resolution === 'resolved') {
      this.#client.forgetQueue(batcher.queueName, batcher.credentials);
      batcher.resolution = 'unresolved';
    }

    const age = Date.now() - entry.acceptedAt;
    const canRetry = error.retryable && entry.attempts < this.#policy.maxAttempts && age < this.#policy.maxAgeMs;
    if (!canRetry) {
      batcher.releaseGroup(entry);
      this.#fail(batcher, entry, error);
      return false;
    }

    // The group stays held while the entry waits, so later entries of the group wait too.
    this.#retries++;
    entry.state = 'retry-wait';
    this.#notify(() => this.#onRetry(entry.message.id, entry.attempts + 1, { code: error.code, message: error.message }));
    return true;
  }

  /**
   * Requeues the failed entries of one call after one shared backoff delay, so that they
   * can leave together again instead of as one call each.
   */
  #scheduleRetry(batcher: Batcher, entries: Entry[]): void {
    let attempts = 0;
    for (const entry of entries) attempts = Math.max(attempts, entry.attempts);
    const delay = retryDelayMs(this.#policy, attempts, this.#random);
    const timer = setTimeout(() => this.#requeue(batcher, entries), delay);
    for (const entry of entries) entry.retryTimer = timer;
  }

  #requeue(batcher: Batcher, entries: Entry[]): void {
    const now = Date.now();

    // Pushed to the front in reverse, so the entries keep their relative order there.
    for (let index = entries.length - 1; index >= 0; index--) {
      const entry = entries[index]!;
      entry.retryTimer = undefined;
      if (entry.state !== 'retry-wait') continue;
      batcher.releaseGroup(entry);
      entry.queuedAt = now;
      batcher.pushFront(entry);
    }
    if (batcher.queuedCount === 0) return;

    if (batcher.resolution === 'resolved') {
      this.#ready.add(batcher);
      this.#pump();
    } else if (batcher.resolution === 'unresolved') {
      void this.#resolve(batcher);
    }
  }

  #fail(batcher: Batcher, entry: Entry, error: SqsError): void {
    if (entry.state === 'done') return;
    this.#finish(batcher, entry, false);
    this.#entriesFailed++;
    const ageMs = Date.now() - entry.acceptedAt;
    this.#warnings.warn(`failed:${error.code}`, { queue: batcher.queueName, id: entry.message.id, code: error.code, attempts: entry.attempts, ageMs, err: error.message }, 'message failed permanently');

    // A retryable error ends here only because a retry limit was reached, so name the limits.
    let message = error.message;
    if (error.retryable) {
      const { maxAttempts, maxAgeMs } = this.#policy;
      message += ` (retries stopped after ${entry.attempts} attempts in ${ageMs} ms; limits: ${maxAttempts} attempts, ${maxAgeMs} ms)`;
    }
    this.#notify(() => this.#onFailed(entry.message.id, { code: error.code, message }, entry.message));
  }

  #finish(batcher: Batcher, entry: Entry, release = true): void {
    if (release) batcher.releaseGroup(entry);
    entry.state = 'done';
    this.#pending.delete(entry);
    this.#pendingBytes -= entry.size;
    batcher.pendingCount--;

    // A released group may unblock queued entries of a FIFO queue.
    if (batcher.queuedCount > 0 && batcher.resolution === 'resolved') this.#ready.add(batcher);
    if (this.#pending.size === 0) {
      for (const resolve of this.#drainWaiters.splice(0)) resolve();
    }
  }

  /** Runs a caller's callback; an exception there is logged and must not stop the engine. */
  #notify(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#logger.error({ err: error instanceof Error ? error.message : String(error) }, 'delivery callback threw');
    }
  }

  #abandonPending(): OutgoingMessage[] {
    this.#accepting = false;
    clearTimeout(this.#lingerTimer);
    this.#lingerTimer = undefined;
    this.#lingerTimerAt = Infinity;

    const remaining: OutgoingMessage[] = [];
    for (const entry of this.#pending) {
      clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
      entry.state = 'done';
      remaining.push(entry.message);
    }
    for (const batcher of this.#batchers.all()) {
      clearTimeout(batcher.resolveTimer);
      batcher.resolveTimer = undefined;
      if (batcher.resolution === 'resolving') batcher.resolution = 'unresolved';
      batcher.takeAll();
    }
    this.#pending.clear();
    this.#pendingBytes = 0;
    this.#ready.clear();
    return remaining;
  }
}
