// The accelerator core: accepts validated messages, bounds what is pending, hands messages to
// the delivery engine, records each outcome in the status index, and writes messages that
// cannot be delivered to the dead-letter file.

import type { Logger } from '../log.js';
import type { Delivery, FailureInfo, OutgoingMessage } from '../sqs/index.js';
import type { DeliveryCounters } from '../sqs/delivery.js';
import type { Credentials } from './credentials.js';
import type { DeadLetterWriter } from './dead-letters.js';
import { AcceleratorError } from './errors.js';
import { MessageIdGenerator, MessageIndex, type MessageStatus } from './message-index.js';
import type { MessageInput } from './message.js';
import { RateLimitedLog } from '../rate-limited-log.js';

export interface AcceleratorLimits {
  /** Accepted messages not yet sent or failed; beyond it requests get 503. */
  maxPendingMessages: number;
  /** Bytes (as SQS counts them) of those messages; beyond it requests get 503. */
  maxPendingBytes: number;
}

export interface AcceleratorCounters {
  accepted: number;
  sent: number;
  failed: number;
  retried: number;
  pendingMessages: number;
  pendingBytes: number;
  /** Requests rejected with 503 because the pending bounds were reached. */
  rejectedOverload: number;
  deadLettersWritten: number;
  deadLetterWriteFailures: number;
}

/** One message to accept, already validated, with its size as SQS counts it. */
export interface AcceptedMessage {
  message: MessageInput;
  size: number;
}

export interface ShutdownSummary {
  delivered: number;
  deadLettered: number;
  drainMs: number;
}

/** Seconds a client is asked to wait after a 503 for pending bounds. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

export class Accelerator {
  readonly index: MessageIndex;
  readonly limits: AcceleratorLimits;
  readonly #delivery: Delivery;
  readonly #deadLetters: DeadLetterWriter;
  readonly #logger: Logger;
  readonly #ids = new MessageIdGenerator();
  readonly #pendingSizes = new Map<string, number>();
  readonly #warnings: RateLimitedLog;
  readonly #counters: AcceleratorCounters = {
    accepted: 0,
    sent: 0,
    failed: 0,
    retried: 0,
    pendingMessages: 0,
    pendingBytes: 0,
    rejectedOverload: 0,
    deadLettersWritten: 0,
    deadLetterWriteFailures: 0,
  };
  #accepting = true;

  constructor(options: { delivery: Delivery; deadLetters: DeadLetterWriter; index: MessageIndex; limits: AcceleratorLimits; logger: Logger }) {
    this.#delivery = options.delivery;
    this.#deadLetters = options.deadLetters;
    this.index = options.index;
    this.limits = options.limits;
    this.#logger = options.logger;
    this.#warnings = new RateLimitedLog(options.logger);
  }

  get counters(): Readonly<AcceleratorCounters> {
    return this.#counters;
  }

  get deliveryCounters(): DeliveryCounters {
    return this.#delivery.counters;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  /**
   * Accepts all `messages` for `queueName` or none: throws OVERLOADED (503) when they do not fit
   * the pending bounds, SHUTTING_DOWN (503) after shutdown began. Returns their ids in order.
   */
  accept(queueName: string, messages: AcceptedMessage[], credentials: Credentials): string[] {
    if (!this.#accepting) {
      throw new AcceleratorError('SHUTTING_DOWN', '', 'the accelerator is shutting down and accepts no new messages; send to another instance or retry after it restarts');
    }
    let bytes = 0;
    for (const accepted of messages) bytes += accepted.size;
    this.#checkBounds(messages.length, bytes);

    const ids: string[] = [];
    const now = Date.now();
    for (const { message, size } of messages) {
      const id = this.#ids.next();
      ids.push(id);
      this.index.accept(id, queueName, now);
      this.#pendingSizes.set(id, size);
      this.#delivery.send({
        id,
        queueName,
        credentials,
        body: message.body,
        attributes: message.attributes,
        delaySeconds: message.delaySeconds,
        groupId: message.groupId,
        deduplicationId: message.deduplicationId,
      });
    }

    this.#counters.accepted += messages.length;
    this.#counters.pendingMessages += messages.length;
    this.#counters.pendingBytes += bytes;
    return ids;
  }

  status(id: string): MessageStatus | undefined {
    return this.index.get(id);
  }

  /** Delivery callback: SQS accepted message `id`. */
  onSent(id: string, sqsMessageId: string): void {
    this.#settle(id);
    this.#counters.sent++;
    this.index.markSent(id, sqsMessageId);
  }

  /** Delivery callback: message `id` failed for good; it goes to the dead-letter file. */
  onFailed(id: string, error: FailureInfo, message: OutgoingMessage): void {
    this.#settle(id);
    this.#counters.failed++;
    this.index.markFailed(id, error);
    this.#warnings.warn(`failed:${error.code}`, { id, queue: message.queueName, code: error.code, reason: error.message }, 'message could not be delivered; writing it to the dead-letter file');
    void this.#writeDeadLetter(message, error);
  }

  /** Delivery callback: message `id` is about to be retried. */
  onRetry(id: string, attempt: number, error: FailureInfo): void {
    this.#counters.retried++;
    this.#warnings.warn(`retry:${error.code}`, { id, attempt, code: error.code, reason: error.message }, 'retrying a message');
  }

  /**
   * Stops accepting, waits up to `drainTimeoutMs` for pending messages to be delivered, writes
   * the rest to the dead-letter file, and closes it.
   */
  async shutdown(drainTimeoutMs: number): Promise<ShutdownSummary> {
    this.#accepting = false;
    const started = Date.now();
    const sentBefore = this.#counters.sent;
    const remaining = await this.#delivery.drain(drainTimeoutMs);

    const shutdownError = { code: 'ShutdownDeadline', message: `not delivered within the drain timeout of ${drainTimeoutMs} ms at shutdown` };
    for (const message of remaining) {
      this.#settle(message.id);
      this.#counters.failed++;
      this.index.markFailed(message.id, shutdownError);
      await this.#writeDeadLetter(message, shutdownError);
    }
    await this.#deadLetters.close();

    return { delivered: this.#counters.sent - sentBefore, deadLettered: remaining.length, drainMs: Date.now() - started };
  }

  #checkBounds(count: number, bytes: number): void {
    const { maxPendingMessages, maxPendingBytes } = this.limits;
    const counters = this.#counters;
    if (counters.pendingMessages + count <= maxPendingMessages && counters.pendingBytes + bytes <= maxPendingBytes) return;

    counters.rejectedOverload++;
    this.#warnings.warn('overload', { pendingMessages: counters.pendingMessages, pendingBytes: counters.pendingBytes }, 'pending bounds reached; rejecting messages with 503');
    throw new AcceleratorError(
      'OVERLOADED',
      '',
      `${counters.pendingMessages} messages (${counters.pendingBytes} bytes) are waiting for delivery, at the limit of ${maxPendingMessages} messages or ${maxPendingBytes} bytes; retry after ${OVERLOAD_RETRY_AFTER_SECONDS} s`,
    );
  }

  #settle(id: string): void {
    const size = this.#pendingSizes.get(id);
    if (size === undefined) return;
    this.#pendingSizes.delete(id);
    this.#counters.pendingMessages--;
    this.#counters.pendingBytes -= size;
  }

  async #writeDeadLetter(message: OutgoingMessage, error: FailureInfo): Promise<void> {
    try {
      await this.#deadLetters.append({
        id: message.id,
        queue: message.queueName,
        message,
        error,
        accessKeyId: message.credentials.accessKeyId,
      });
      this.#counters.deadLettersWritten++;
    } catch (caught) {
      // The message is lost at this point, so log an error with its id, but not its body.
      this.#counters.deadLetterWriteFailures++;
      this.#logger.error({ id: message.id, queue: message.queueName, err: caught instanceof Error ? caught.message : String(caught) }, 'could not write a dead letter; the message is lost');
    }
  }
}
