// A fake SQS, a client and a delivery engine wired together, with every outcome recorded,
// for delivery and fault-injection tests.

import { SqsClient, type SqsClientOptions } from '../../src/sqs/client.js';
import { Delivery, type DeliveryOptions, type FailureInfo } from '../../src/sqs/delivery.js';
import type { OutgoingMessage } from '../../src/sqs/message.js';
import { DEFAULT_TEST_CREDENTIALS, FakeSqs, type FakeSqsOptions, type StoredMessage } from './fake-sqs.js';

export interface SqsHarness {
  fake: FakeSqs;
  client: SqsClient;
  delivery: Delivery;
  /** Message id to the SQS message id, per onSent call. */
  sent: Map<string, string>;
  /** onSent calls for an id already in `sent`: must stay 0. */
  sentTwice: number;
  failed: Array<{ id: string; error: FailureInfo; message: OutgoingMessage }>;
  retries: Array<{ id: string; attempt: number; error: FailureInfo }>;
  /** Drains with a generous deadline and closes everything; returns what was left undelivered. */
  finish(): Promise<OutgoingMessage[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  fake?: FakeSqsOptions;
  client?: Partial<SqsClientOptions>;
  delivery?: Partial<Omit<DeliveryOptions, 'client'>>;
  queues?: Array<[string, Record<string, string>?]>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<SqsHarness> {
  const fake = await FakeSqs.start(options.fake);
  for (const [name, attributes] of options.queues ?? []) fake.createQueue(name, attributes);
  const client = new SqsClient({ endpoint: fake.endpoint, connections: 8, ...options.client });

  const harness: SqsHarness = {
    fake,
    client,
    delivery: undefined as unknown as Delivery,
    sent: new Map(),
    sentTwice: 0,
    failed: [],
    retries: [],
    async finish() {
      const remaining = await harness.delivery.drain(120_000);
      await harness.close();
      return remaining;
    },
    async close() {
      await harness.delivery.close();
      await client.close();
      await fake.close();
    },
  };

  harness.delivery = new Delivery({
    client,
    baseDelayMs: 5,
    maxDelayMs: 50,
    ...options.delivery,
    onSent: (id, sqsMessageId) => {
      if (harness.sent.has(id)) harness.sentTwice++;
      harness.sent.set(id, sqsMessageId);
    },
    onFailed: (id, error, message) => harness.failed.push({ id, error, message }),
    onRetry: (id, attempt, error) => harness.retries.push({ id, attempt, error }),
  });
  return harness;
}

export function testMessage(id: string, queueName: string, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { id, queueName, credentials: DEFAULT_TEST_CREDENTIALS, body: `body of ${id}`, ...overrides };
}

/** Counts bodies stored more than once: duplicates that SQS itself would have kept. */
export function countDuplicates(messages: StoredMessage[]): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const message of messages) {
    if (seen.has(message.body)) duplicates++;
    seen.add(message.body);
  }
  return duplicates;
}

/** Returns the first group whose bodies arrived out of the order given, or undefined. */
export function findOrderViolation(messages: StoredMessage[], expectedOrder: Map<string, string[]>): string | undefined {
  const arrived = new Map<string, string[]>();
  for (const message of messages) {
    const group = message.groupId ?? '';
    if (!arrived.has(group)) arrived.set(group, []);
    arrived.get(group)!.push(message.body);
  }
  for (const [group, bodies] of expectedOrder) {
    const actual = arrived.get(group) ?? [];
    if (actual.join('\n') !== bodies.join('\n')) return `group ${group}: expected ${bodies.length} bodies in order, got ${actual.length} (${actual.slice(0, 5).join(', ')} ...)`;
  }
  return undefined;
}
