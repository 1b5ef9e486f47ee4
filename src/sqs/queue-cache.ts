// Caches queue URLs (GetQueueUrl) and the ContentBasedDeduplication attribute per access
// key and queue name. Concurrent lookups of one queue share a single request, and a
// QueueDoesNotExist response is cached briefly so that a burst for a missing queue costs one call.

import type { Credentials } from './signer.js';
import { SqsError } from './errors.js';

interface Caller {
  call(action: string, params: Record<string, unknown>, credentials: Credentials): Promise<Record<string, unknown>>;
}

interface CacheEntry<T> {
  value: Promise<T>;
  expiresAt: number;
}

export interface QueueCacheOptions {
  ttlMs: number;
  missingTtlMs: number;
}

// Entries expire only when looked up again, so the cache is cleared at this size to bound
// memory when access keys rotate.
const MAX_CACHED_QUEUES = 10_000;

const MISSING_QUEUE_CODES = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

function cacheKey(queueName: string, credentials: Credentials): string {
  // Queue names are per account, and an access key belongs to one account.
  return `${credentials.accessKeyId}\n${queueName}`;
}

export class QueueCache {
  readonly #caller: Caller;
  readonly #options: QueueCacheOptions;
  readonly #urls = new Map<string, CacheEntry<string>>();
  readonly #contentBased = new Map<string, CacheEntry<boolean>>();

  constructor(caller: Caller, options: QueueCacheOptions) {
    this.#caller = caller;
    this.#options = options;
  }

  queueUrl(queueName: string, credentials: Credentials): Promise<string> {
    return this.#lookup(this.#urls, queueName, credentials, async () => {
      const result = await this.#caller.call('GetQueueUrl', { QueueName: queueName }, credentials);
      if (typeof result.QueueUrl !== 'string') throw new TypeError(`GetQueueUrl for ${JSON.stringify(queueName)} returned no QueueUrl`);
      return result.QueueUrl;
    });
  }

  contentBasedDeduplication(queueName: string, credentials: Credentials): Promise<boolean> {
    return this.#lookup(this.#contentBased, queueName, credentials, async () => {
      const queueUrl = await this.queueUrl(queueName, credentials);
      const result = await this.#caller.call('GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: ['ContentBasedDeduplication'] }, credentials);
      const attributes = result.Attributes as Record<string, unknown> | undefined;
      return attributes?.ContentBasedDeduplication === 'true';
    });
  }

  forget(queueName: string, credentials: Credentials): void {
    const key = cacheKey(queueName, credentials);
    this.#urls.delete(key);
    this.#contentBased.delete(key);
  }

  #lookup<T>(cache: Map<string, CacheEntry<T>>, queueName: string, credentials: Credentials, load: () => Promise<T>): Promise<T> {
    const key = cacheKey(queueName, credentials);
    const now = Date.now();
    const cached = cache.get(key);
    if (cached !== undefined && cached.expiresAt > now) return cached.value;

    if (cache.size >= MAX_CACHED_QUEUES) cache.clear();
    const entry: CacheEntry<T> = { value: load(), expiresAt: now + this.#options.ttlMs };
    cache.set(key, entry);
    entry.value.catch((error: unknown) => {
      // Transient failures are not cached; a missing queue is, for a short time.
      if (cache.get(key) !== entry) return;
      if (error instanceof SqsError && MISSING_QUEUE_CODES.has(error.code)) entry.expiresAt = Date.now() + this.#options.missingTtlMs;
      else cache.delete(key);
    });
    return entry.value;
  }
}
