// The queues of the fake SQS and the actions that read and change them, following SQS's
// rules closely enough to catch a client that breaks them: batch limits, entry ids, FIFO
// fields and five-minute deduplication. MD5 digests are computed here independently of the
// client's own code.

import { createHash, randomUUID } from 'node:crypto';

export type Json = Record<string, unknown>;

export interface StoredMessage {
  messageId: string;
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  groupId?: string;
  deduplicationId?: string;
  /** True when the sender gave no deduplication id and the queue derived one from the body. */
  contentDeduplicated: boolean;
  sequenceNumber: number;
  delaySeconds: number;
  receiptHandle?: string;
  visibleAt: number;
  receiveCount: number;
}

export interface FakeQueue {
  name: string;
  url: string;
  fifo: boolean;
  attributes: Record<string, string>;
  messages: StoredMessage[];
  /** Deduplication id to the message id and time it was first accepted, in ms since the epoch. */
  deduplication: Map<string, { messageId: string; at: number }>;
}

/** An SQS error response: HTTP status, the JSON `__type` code and the legacy Query code. */
export class FakeSqsFault extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly queryCode: string = code,
    readonly sender = true,
  ) {
    super(message);
  }
}

const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

// SQS's attribute digest, written apart from the client's so that the two can disagree.
function attributesDigest(attributes: StoredMessage['attributes']): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (bytes: Buffer): void => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const attribute = attributes[name]!;
    field(Buffer.from(name));
    field(Buffer.from(attribute.DataType));
    if (attribute.DataType.startsWith('Binary')) {
      parts.push(Buffer.from([2]));
      field(Buffer.from(attribute.BinaryValue ?? '', 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      field(Buffer.from(attribute.StringValue ?? ''));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

function messageSize(body: string, attributes: StoredMessage['attributes']): number {
  let size = Buffer.byteLength(body);
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType);
    if (attribute.StringValue !== undefined) size += Buffer.byteLength(attribute.StringValue);
    if (attribute.BinaryValue !== undefined) size += Buffer.from(attribute.BinaryValue, 'base64').length;
  }
  return size;
}

export interface StoreOptions {
  /** Base of queue URLs, e.g. `http://127.0.0.1:PORT/000000000000`. */
  urlBase: string;
  /** SendMessageBatch payload limit in bytes (SQS: 1 MiB); lower it to test splitting. */
  maxBatchBytes: number;
}

export class FakeSqsStore {
  readonly queues = new Map<string, FakeQueue>();
  /** Sends that a FIFO deduplication id turned into no-ops. */
  duplicatesSuppressed = 0;
  #sequence = 0;
  readonly #options: StoreOptions;

  constructor(options: StoreOptions) {
    this.#options = options;
  }

  setUrlBase(urlBase: string): void {
    this.#options.urlBase = urlBase;
  }

  createQueue(name: string, attributes: Record<string, string> = {}): FakeQueue {
    const existing = this.queues.get(name);
    if (existing !== undefined) return existing;
    const fifo = name.endsWith('.fifo');
    const queue: FakeQueue = {
      name,
      url: `${this.#options.urlBase}/${name}`,
      fifo,
      attributes: { ...attributes, ...(fifo ? { FifoQueue: 'true' } : {}) },
      messages: [],
      deduplication: new Map(),
    };
    this.queues.set(name, queue);
    return queue;
  }

  #queueByUrl(params: Json): FakeQueue {
    const url = params.QueueUrl;
    if (typeof url !== 'string') throw new FakeSqsFault(400, 'MissingParameter', 'Missing parameter QueueUrl.');
    // Only the last path segment counts: the host of a queue URL is not ours to check.
    const name = url.slice(url.lastIndexOf('/') + 1);
    const queue = this.queues.get(name);
    if (queue === undefined) throw new FakeSqsFault(400, 'QueueDoesNotExist', `Queue ${name} does not exist.`, 'AWS.SimpleQueueService.NonExistentQueue');
    return queue;
  }

  /** Runs one action; `failEntries` lists SendMessageBatch entry ids to fail with InternalError. */
  handle(action: string, params: Json, failEntries?: ReadonlySet<string>): Json {
    switch (action) {
      case 'CreateQueue': {
        if (typeof params.QueueName !== 'string') throw new FakeSqsFault(400, 'MissingParameter', 'Missing parameter QueueName.');
        return { QueueUrl: this.createQueue(params.QueueName, (params.Attributes ?? {}) as Record<string, string>).url };
      }
      case 'GetQueueUrl': {
        const queue = this.queues.get(String(params.QueueName));
        if (queue === undefined) throw new FakeSqsFault(400, 'QueueDoesNotExist', `Queue ${String(params.QueueName)} does not exist.`, 'AWS.SimpleQueueService.NonExistentQueue');
        return { QueueUrl: queue.url };
      }
      case 'DeleteQueue':
        this.queues.delete(this.#queueByUrl(params).name);
        return {};
      case 'ListQueues': {
        const prefix = typeof params.QueueNamePrefix === 'string' ? params.QueueNamePrefix : '';
        return { QueueUrls: [...this.queues.values()].filter((queue) => queue.name.startsWith(prefix)).map((queue) => queue.url) };
      }
      case 'GetQueueAttributes': {
        const queue = this.#queueByUrl(params);
        return { Attributes: { ...queue.attributes, ApproximateNumberOfMessages: String(queue.messages.length), QueueArn: `arn:aws:sqs:us-east-1:000000000000:${queue.name}` } };
      }
      case 'SendMessage':
        return this.#sendOne(this.#queueByUrl(params), params);
      case 'SendMessageBatch':
        return this.#sendBatch(this.#queueByUrl(params), params, failEntries);
      case 'ReceiveMessage':
        return this.#receive(this.#queueByUrl(params), params);
      case 'DeleteMessage': {
        const queue = this.#queueByUrl(params);
        const index = queue.messages.findIndex((message) => message.receiptHandle !== undefined && message.receiptHandle === params.ReceiptHandle);
        if (index === -1) throw new FakeSqsFault(400, 'ReceiptHandleIsInvalid', 'Receipt handle not found.');
        queue.messages.splice(index, 1);
        return {};
      }
      default:
        throw new FakeSqsFault(400, 'InvalidAction', `Action ${action} is not supported by the fake SQS.`);
    }
  }

  #sendOne(queue: FakeQueue, params: Json): Json {
    const body = params.MessageBody;
    if (typeof body !== 'string' || body === '') throw new FakeSqsFault(400, 'MissingParameter', 'Missing parameter MessageBody.');
    const attributes = (params.MessageAttributes ?? {}) as StoredMessage['attributes'];
    const size = messageSize(body, attributes);
    if (size > 1_048_576) throw new FakeSqsFault(400, 'InvalidParameterValue', `Message payload is ${size} bytes, over the limit of 1048576.`);

    let deduplicationId = typeof params.MessageDeduplicationId === 'string' ? params.MessageDeduplicationId : undefined;
    const contentDeduplicated = queue.fifo && deduplicationId === undefined;
    const groupId = typeof params.MessageGroupId === 'string' ? params.MessageGroupId : undefined;
    if (queue.fifo) {
      if (groupId === undefined) throw new FakeSqsFault(400, 'MissingParameter', 'Missing parameter MessageGroupId on a FIFO queue.');
      if (params.DelaySeconds !== undefined && params.DelaySeconds !== 0) throw new FakeSqsFault(400, 'InvalidParameterValue', 'DelaySeconds cannot be set per message on a FIFO queue.');
      if (deduplicationId === undefined) {
        if (queue.attributes.ContentBasedDeduplication !== 'true') {
          throw new FakeSqsFault(400, 'InvalidParameterValue', 'MessageDeduplicationId is missing and the queue has no content-based deduplication.');
        }
        deduplicationId = createHash('sha256').update(body).digest('hex');
      }
    }

    const digests = { MD5OfMessageBody: md5Hex(body), MD5OfMessageAttributes: attributesDigest(attributes) };
    if (queue.fifo && deduplicationId !== undefined) {
      const seen = queue.deduplication.get(deduplicationId);
      if (seen !== undefined && Date.now() - seen.at < DEDUPLICATION_WINDOW_MS) {
        this.duplicatesSuppressed++;
        return { MessageId: seen.messageId, ...digests };
      }
    }

    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      attributes,
      groupId,
      deduplicationId,
      contentDeduplicated,
      sequenceNumber: ++this.#sequence,
      delaySeconds: typeof params.DelaySeconds === 'number' ? params.DelaySeconds : 0,
      visibleAt: 0,
      receiveCount: 0,
    };
    queue.messages.push(message);
    if (queue.fifo && deduplicationId !== undefined) queue.deduplication.set(deduplicationId, { messageId: message.messageId, at: Date.now() });
    return { MessageId: message.messageId, ...digests, ...(queue.fifo ? { SequenceNumber: String(message.sequenceNumber) } : {}) };
  }

  #sendBatch(queue: FakeQueue, params: Json, failEntries?: ReadonlySet<string>): Json {
    const entries = params.Entries;
    if (!Array.isArray(entries) || entries.length === 0) throw new FakeSqsFault(400, 'EmptyBatchRequest', 'The batch has no entries.');
    if (entries.length > 10) throw new FakeSqsFault(400, 'TooManyEntriesInBatchRequest', `The batch has ${entries.length} entries, over the maximum of 10.`);

    const ids = new Set<string>();
    let total = 0;
    for (const entry of entries as Json[]) {
      const id = String(entry.Id);
      if (!BATCH_ENTRY_ID.test(id)) throw new FakeSqsFault(400, 'InvalidBatchEntryId', `Batch entry id ${JSON.stringify(id)} is invalid: expected 1 to 80 characters from [A-Za-z0-9_-].`);
      if (ids.has(id)) throw new FakeSqsFault(400, 'BatchEntryIdsNotDistinct', `Batch entry id ${id} appears more than once.`);
      ids.add(id);
      total += messageSize(String(entry.MessageBody ?? ''), (entry.MessageAttributes ?? {}) as StoredMessage['attributes']);
    }
    if (total > this.#options.maxBatchBytes) throw new FakeSqsFault(400, 'BatchRequestTooLong', `The batch payload is ${total} bytes, over the limit of ${this.#options.maxBatchBytes}.`);

    const successful: Json[] = [];
    const failed: Json[] = [];
    for (const entry of entries as Json[]) {
      const id = String(entry.Id);
      if (failEntries?.has(id)) {
        failed.push({ Id: id, SenderFault: false, Code: 'InternalError', Message: 'Injected entry failure.' });
        continue;
      }
      try {
        successful.push({ Id: id, ...this.#sendOne(queue, entry) });
      } catch (error) {
        if (!(error instanceof FakeSqsFault)) throw error;
        failed.push({ Id: id, SenderFault: error.sender, Code: error.code, Message: error.message });
      }
    }
    return { Successful: successful, Failed: failed };
  }

  #receive(queue: FakeQueue, params: Json): Json {
    const max = typeof params.MaxNumberOfMessages === 'number' ? params.MaxNumberOfMessages : 1;
    const visibility = typeof params.VisibilityTimeout === 'number' ? params.VisibilityTimeout : 30;
    const now = Date.now();
    const messages: Json[] = [];
    for (const message of queue.messages) {
      if (messages.length >= max) break;
      if (message.visibleAt > now) continue;
      message.receiptHandle = randomUUID();
      message.visibleAt = now + visibility * 1000;
      message.receiveCount++;
      const digest = attributesDigest(message.attributes);
      messages.push({
        MessageId: message.messageId,
        ReceiptHandle: message.receiptHandle,
        MD5OfBody: md5Hex(message.body),
        Body: message.body,
        ...(digest === undefined ? {} : { MessageAttributes: message.attributes, MD5OfMessageAttributes: digest }),
        Attributes: { ApproximateReceiveCount: String(message.receiveCount), ...(message.groupId === undefined ? {} : { MessageGroupId: message.groupId }) },
      });
    }
    return messages.length === 0 ? {} : { Messages: messages };
  }
}
