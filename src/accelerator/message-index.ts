// The status index: what became of recently accepted messages, looked up by message id. It is
// bounded, because the daemon accepts messages for as long as it runs. When full, it evicts
// the oldest accepted message first.

export { MessageIdGenerator, timeOfMessageId, MESSAGE_ID_LENGTH } from './message-id.js';

export type MessageState = 'pending' | 'sent' | 'failed';

/** The status of one accepted message. */
export interface MessageStatus {
  readonly id: string;
  readonly queue: string;
  /** Acceptance time in milliseconds since the epoch. */
  readonly acceptedAt: number;
  readonly state: MessageState;
  /** The MessageId SQS assigned, once sent. */
  readonly sqsMessageId: string | undefined;
  /** The final error, once failed. */
  readonly error: { readonly code: string; readonly message: string } | undefined;
}

class StatusEntry implements MessageStatus {
  readonly id: string;
  readonly queue: string;
  readonly acceptedAt: number;
  state: MessageState = 'pending';
  sqsMessageId: string | undefined = undefined;
  error: { code: string; message: string } | undefined = undefined;

  constructor(id: string, queue: string, acceptedAt: number) {
    this.id = id;
    this.queue = queue;
    this.acceptedAt = acceptedAt;
  }
}

/** A bounded map from message id to status; a capacity of 0 keeps nothing. */
export class MessageIndex {
  readonly capacity: number;
  // A Map iterates in insertion order, so its first key is the oldest accepted message.
  readonly #entries = new Map<string, StatusEntry>();
  readonly #counts: Record<MessageState, number> = { pending: 0, sent: 0, failed: 0 };

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`status index capacity must be a whole number from 0, not ${String(capacity)}`);
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The number of kept statuses in each state. */
  get counts(): Readonly<Record<MessageState, number>> {
    return { ...this.#counts };
  }

  /** Records a newly accepted message as pending, evicting the oldest entry when full. */
  accept(id: string, queue: string, acceptedAt: number = Date.now()): void {
    if (this.capacity === 0) return;

    const existing = this.#entries.get(id);
    if (existing !== undefined) {
      this.#counts[existing.state]--;
      this.#entries.delete(id);
    }
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.values().next().value as StatusEntry;
      this.#counts[oldest.state]--;
      this.#entries.delete(oldest.id);
    }

    this.#entries.set(id, new StatusEntry(id, queue, acceptedAt));
    this.#counts.pending++;
  }

  /** Marks a message sent with the MessageId SQS assigned. Returns false when the id is no longer kept. */
  markSent(id: string, sqsMessageId: string): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;

    this.#counts[entry.state]--;
    entry.state = 'sent';
    entry.sqsMessageId = sqsMessageId;
    entry.error = undefined;
    this.#counts.sent++;
    return true;
  }

  /** Marks a message failed for good. Returns false when the id is no longer kept. */
  markFailed(id: string, error: { code: string; message: string }): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;

    this.#counts[entry.state]--;
    entry.state = 'failed';
    entry.error = { code: error.code, message: error.message };
    this.#counts.failed++;
    return true;
  }

  /** Returns the status of a message, or undefined when it was never accepted or has been evicted. */
  get(id: string): MessageStatus | undefined {
    return this.#entries.get(id);
  }

  /** Returns up to `limit` statuses, newest first, for status pages. */
  recent(limit: number): MessageStatus[] {
    const entries = [...this.#entries.values()];
    return entries.slice(Math.max(0, entries.length - limit)).reverse();
  }
}
