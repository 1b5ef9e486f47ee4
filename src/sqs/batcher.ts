// The queue of entries waiting for one (credentials, queue) pair, and the rules for taking a
// SendMessageBatch out of it: at most 10 entries and at most 1 MiB. On FIFO queues a batch
// takes at most one entry per message group, and none from a group that has an entry in
// flight or waiting for a retry. Order within a group thus survives partial failures.

import { isFifoQueue, type OutgoingMessage } from './message.js';
import type { Credentials } from './signer.js';

/** One message on its way to SQS, with the state kept across attempts. */
export interface Entry {
  message: OutgoingMessage;
  /** Payload bytes as SQS counts them. */
  size: number;
  /** Calls that carried this entry so far. */
  attempts: number;
  /** When the engine accepted the message, in ms since the epoch; the retry age counts from here. */
  acceptedAt: number;
  /** When the entry last joined the queue (first time or after a retry delay), in ms since the epoch. */
  queuedAt: number;
  /** The deduplication id sent to SQS; generated once for FIFO queues and kept across retries. */
  deduplicationId: string | undefined;
  state: 'queued' | 'in-flight' | 'retry-wait' | 'done';
  retryTimer: NodeJS.Timeout | undefined;
}

export type QueueResolution = 'unresolved' | 'resolving' | 'resolved';

export class Batcher {
  readonly key: string;
  readonly queueName: string;
  readonly credentials: Credentials;
  readonly fifo: boolean;
  resolution: QueueResolution = 'unresolved';
  queueUrl = '';
  /** True when the FIFO queue deduplicates by content, so no deduplication id is generated. */
  contentBasedDeduplication = false;
  /** Failed attempts to resolve the queue URL in a row, for the resolution backoff. */
  resolveFailures = 0;
  /** Entries accepted for this batcher and not yet sent or failed: queued, in flight or waiting for a retry. */
  pendingCount = 0;
  /** Timer of the next lookup after a failed one, cleared when the engine stops. */
  resolveTimer: NodeJS.Timeout | undefined;

  #queue: Entry[] = [];
  #head = 0;
  #queuedBytes = 0;
  /** Message groups with an entry in flight or waiting for a retry, with how many. */
  readonly #heldGroups = new Map<string, number>();

  constructor(key: string, queueName: string, credentials: Credentials, fifo: boolean) {
    this.key = key;
    this.queueName = queueName;
    this.credentials = credentials;
    this.fifo = fifo;
  }

  get queuedCount(): number {
    return this.#queue.length - this.#head;
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** When the oldest queued entry joined the queue, in ms since the epoch, or undefined when empty. */
  get oldestQueuedAt(): number | undefined {
    return this.queuedCount === 0 ? undefined : this.#queue[this.#head]!.queuedAt;
  }

  /** True when a batch of `maxEntries` or `maxBytes` could leave now without waiting for more. */
  hasFullBatch(maxEntries: number, maxBytes: number): boolean {
    return this.queuedCount >= maxEntries || this.#queuedBytes >= maxBytes;
  }

  push(entry: Entry): void {
    entry.state = 'queued';
    this.#queue.push(entry);
    this.#queuedBytes += entry.size;
  }

  /** Puts an entry back at the front, where a retried entry belongs because it is the oldest of its group. */
  pushFront(entry: Entry): void {
    entry.state = 'queued';
    if (this.#head > 0) {
      this.#head--;
      this.#queue[this.#head] = entry;
    } else {
      this.#queue.unshift(entry);
    }
    this.#queuedBytes += entry.size;
  }

  /** Removes and returns every queued entry, for a drain deadline or a failed queue lookup. */
  takeAll(): Entry[] {
    const entries = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    return entries;
  }

  /** Marks the group of an entry as held while it is in flight or waiting for a retry. */
  holdGroup(entry: Entry): void {
    const group = entry.message.groupId;
    if (!this.fifo || group === undefined) return;
    this.#heldGroups.set(group, (this.#heldGroups.get(group) ?? 0) + 1);
  }

  releaseGroup(entry: Entry): void {
    const group = entry.message.groupId;
    if (!this.fifo || group === undefined) return;
    const count = (this.#heldGroups.get(group) ?? 0) - 1;
    if (count <= 0) this.#heldGroups.delete(group);
    else this.#heldGroups.set(group, count);
  }

  /**
   * Takes the next batch: queue order, at most `maxEntries` entries and `maxBytes` bytes in
   * total. On a FIFO queue, skipped entries keep their place and their group's later entries
   * are skipped too. The returned entries are marked in flight and their groups held.
   */
  takeBatch(maxEntries: number, maxBytes: number): Entry[] {
    const batch = this.fifo ? this.#takeFifo(maxEntries, maxBytes) : this.#takeInOrder(maxEntries, maxBytes);
    for (const entry of batch) {
      entry.state = 'in-flight';
      this.#queuedBytes -= entry.size;
      this.holdGroup(entry);
    }
    this.#compact();
    return batch;
  }

  #takeInOrder(maxEntries: number, maxBytes: number): Entry[] {
    const batch: Entry[] = [];
    let bytes = 0;
    while (this.#head < this.#queue.length && batch.length < maxEntries) {
      const entry = this.#queue[this.#head]!;
      if (batch.length > 0 && bytes + entry.size > maxBytes) break;
      batch.push(entry);
      bytes += entry.size;
      this.#head++;
    }
    return batch;
  }

  // TODO(perf): this scans every queued entry, so a batch costs O(queue) when most queued
  // entries belong to held groups. An index by group would avoid the scan.
  #takeFifo(maxEntries: number, maxBytes: number): Entry[] {
    const batch: Entry[] = [];
    const kept: Entry[] = [];
    const skippedGroups = new Set<string>();
    let bytes = 0;

    for (let index = this.#head; index < this.#queue.length; index++) {
      const entry = this.#queue[index]!;
      const group = entry.message.groupId ?? '';
      const eligible =
        batch.length < maxEntries &&
        bytes + entry.size <= maxBytes &&
        !this.#heldGroups.has(group) &&
        !skippedGroups.has(group);
      if (eligible) {
        batch.push(entry);
        bytes += entry.size;
        // One entry per group per batch: the next entry of this group waits for this one.
        skippedGroups.add(group);
      } else {
        kept.push(entry);
        skippedGroups.add(group);
      }
    }

    this.#queue = kept;
    this.#head = 0;
    return batch;
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}

// Idle batchers are kept until the registry reaches this size, so that a quiet queue does not
// pay a new lookup for its next message, while rotating session tokens cannot grow it forever.
const IDLE_SWEEP_THRESHOLD = 1024;

/** The batchers of one engine, keyed by credentials and queue name. */
export class BatcherRegistry {
  readonly #batchers = new Map<string, Batcher>();

  /** Returns the batcher for a message, creating it when missing. `onDrop` is called with each idle batcher removed to make room. */
  forMessage(message: OutgoingMessage, onDrop: (batcher: Batcher) => void): Batcher {
    const { credentials } = message;
    const key = `${credentials.accessKeyId}\n${credentials.secretAccessKey}\n${credentials.sessionToken ?? ''}\n${message.queueName}`;
    let batcher = this.#batchers.get(key);
    if (batcher !== undefined) return batcher;

    if (this.#batchers.size >= IDLE_SWEEP_THRESHOLD) this.#dropIdle(onDrop);
    batcher = new Batcher(key, message.queueName, credentials, isFifoQueue(message.queueName));
    this.#batchers.set(key, batcher);
    return batcher;
  }

  all(): IterableIterator<Batcher> {
    return this.#batchers.values();
  }

  #dropIdle(onDrop: (batcher: Batcher) => void): void {
    for (const [key, batcher] of this.#batchers) {
      if (batcher.pendingCount > 0 || batcher.resolution === 'resolving') continue;
      this.#batchers.delete(key);
      onDrop(batcher);
    }
  }
}
