// The delivery engine against the fake SQS: batching, splitting, partial failures, retries,
// dead letters, FIFO deduplication and order, drain, counters and logs.

import { Writable } from 'node:stream';
import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Delivery } from '../../src/sqs/delivery.js';
import { SqsClient } from '../../src/sqs/client.js';
import { SqsError } from '../../src/sqs/errors.js';
import { payloadSize } from '../../src/sqs/message.js';
import { DEFAULT_TEST_CREDENTIALS } from '../support/fake-sqs.js';
import { freePort } from '../support/free-port.js';
import { countDuplicates, findOrderViolation, startHarness, testMessage } from '../support/sqs-harness.js';

function whenSent(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = (): void => {
      if (check()) resolve();
      else setImmediate(poll);
    };
    poll();
  });
}

const batching = suite('batching');

batching('lone message on an idle engine leaves at once', async () => {
  const harness = await startHarness({ queues: [['idle']], delivery: { lingerMs: 10 } });
  try {
    harness.delivery.send(testMessage('first', 'idle'));
    await whenSent(() => harness.sent.has('first'));

    // The queue URL is known now, so the next message must start its call inside send().
    const callsBefore = harness.delivery.counters.calls;
    harness.delivery.send(testMessage('second', 'idle'));
    assert.is(harness.delivery.counters.calls, callsBefore + 1);
    assert.is(harness.delivery.counters.inFlight, 1);
    assert.equal(await harness.finish(), []);
  } finally {
    await harness.close();
  }
});

batching('busy connections accumulate a batch', async () => {
  const harness = await startHarness({ queues: [['busy']], client: { connections: 1 }, fake: { faults: { latencyMs: 20 } } });
  try {
    harness.delivery.send(testMessage('warm', 'busy'));
    await whenSent(() => harness.sent.has('warm'));

    // The first message takes the only connection; the next three must wait and leave together.
    for (const id of ['a', 'b', 'c', 'd']) harness.delivery.send(testMessage(id, 'busy'));
    assert.is(harness.delivery.counters.inFlight, 1);
    assert.equal(await harness.finish(), []);
    assert.equal(harness.fake.stats.batchSizes, [1, 1, 3]);
  } finally {
    await harness.close();
  }
});

batching('sustained load averages at least 9 entries per call', async () => {
  const harness = await startHarness({ queues: [['load']], client: { connections: 4 }, fake: { faults: { latencyMs: 5 } } });
  try {
    for (let i = 0; i < 5000; i++) harness.delivery.send(testMessage(`m${i}`, 'load'));
    assert.equal(await harness.finish(), []);

    const sizes = harness.fake.stats.batchSizes;
    const mean = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
    assert.ok(mean >= 9, `mean entries per call is ${mean.toFixed(2)} over ${sizes.length} calls`);
    assert.ok(Math.max(...sizes) <= 10);
    assert.is(harness.delivery.counters.entriesSent, 5000);
    assert.is(harness.delivery.counters.batches, sizes.length);
    assert.is(harness.fake.messages('load').length, 5000);
  } finally {
    await harness.close();
  }
});

batching('batches stay under 1 MiB without SQS splitting them', async () => {
  const harness = await startHarness({ queues: [['big']], client: { connections: 1 } });
  try {
    const body = 'x'.repeat(200 * 1024);
    for (let i = 0; i < 12; i++) harness.delivery.send(testMessage(`m${i}`, 'big', { body: `${i}:${body}` }));
    assert.equal(await harness.finish(), []);
    assert.is(harness.fake.stats.errors.BatchRequestTooLong, undefined);
    assert.is(harness.fake.messages('big').length, 12);
    assert.ok(harness.fake.stats.batchSizes.every((size) => size <= 5));
  } finally {
    await harness.close();
  }
});

batching('BatchRequestTooLong splits the batch', async () => {
  const harness = await startHarness({ queues: [['split']], client: { connections: 1 }, fake: { maxBatchBytes: 2_500 } });
  try {
    for (let i = 0; i < 30; i++) harness.delivery.send(testMessage(`m${i}`, 'split', { body: `${i}`.padEnd(1000, '.') }));
    assert.equal(await harness.finish(), []);
    assert.ok((harness.fake.stats.errors.BatchRequestTooLong ?? 0) > 0, 'the fake never rejected a batch');
    assert.is(harness.failed.length, 0);
    assert.is(harness.sent.size, 30);
    assert.is(countDuplicates(harness.fake.messages('split')), 0);
  } finally {
    await harness.close();
  }
});

batching('batching off sends one SendMessage per message', async () => {
  const harness = await startHarness({ queues: [['single']], delivery: { batching: false } });
  try {
    for (let i = 0; i < 50; i++) harness.delivery.send(testMessage(`m${i}`, 'single', { attributes: { n: { DataType: 'Number', StringValue: String(i) } } }));
    assert.equal(await harness.finish(), []);
    assert.is(harness.fake.stats.byAction.SendMessage, 50);
    assert.is(harness.fake.stats.byAction.SendMessageBatch, undefined);
    assert.is(harness.sent.size, 50);
  } finally {
    await harness.close();
  }
});

batching('pipelining above 1 delivers everything', async () => {
  const harness = await startHarness({ queues: [['piped']], client: { connections: 2, pipelining: 4 }, fake: { faults: { latencyMs: 2 } } });
  try {
    for (let i = 0; i < 2000; i++) harness.delivery.send(testMessage(`m${i}`, 'piped'));
    assert.equal(await harness.finish(), []);
    assert.is(harness.fake.messages('piped').length, 2000);
    assert.is(countDuplicates(harness.fake.messages('piped')), 0);
  } finally {
    await harness.close();
  }
});

batching('credentials get separate batches', async () => {
  const other = { accessKeyId: 'AKIDOTHER', secretAccessKey: 'other-secret' };
  const harness = await startHarness({ queues: [['shared']], fake: { credentials: [DEFAULT_TEST_CREDENTIALS, other] } });
  try {
    for (let i = 0; i < 100; i++) harness.delivery.send(testMessage(`m${i}`, 'shared', { credentials: i % 2 === 0 ? DEFAULT_TEST_CREDENTIALS : other }));
    assert.equal(await harness.finish(), []);
    assert.is(harness.sent.size, 100);
    assert.is(harness.fake.stats.signatureFailures, 0);
  } finally {
    await harness.close();
  }
});

batching.run();

const failures = suite('failures and retries');

failures('partial failure retries only the failed entries', async () => {
  const harness = await startHarness({ queues: [['partial']], fake: { faults: { rates: { partial: 1 } } }, delivery: { maxAttempts: 40 } });
  try {
    for (let i = 0; i < 200; i++) harness.delivery.send(testMessage(`m${i}`, 'partial'));
    assert.equal(await harness.finish(), []);
    const entriesCarried = harness.fake.stats.batchSizes.reduce((sum, size) => sum + size, 0);
    assert.ok(harness.retries.length > 0);
    assert.is(entriesCarried, 200 + harness.retries.length);
    assert.is(harness.fake.messages('partial').length, 200);
    assert.is(harness.sentTwice, 0);
  } finally {
    await harness.close();
  }
});

failures('exhausted attempts go to the dead-letter callback', async () => {
  const harness = await startHarness({ queues: [['down']], fake: { faults: { rates: { http500: 1 } } }, delivery: { maxAttempts: 3 } });
  try {
    for (let i = 0; i < 5; i++) harness.delivery.send(testMessage(`m${i}`, 'down'));
    assert.equal(await harness.finish(), []);
    assert.is(harness.failed.length, 5);
    for (const failure of harness.failed) assert.is(failure.error.code, 'InternalError');
    assert.equal(harness.retries.filter((retry) => retry.id === 'm0').map((retry) => retry.attempt), [2, 3]);
    assert.is(harness.delivery.counters.entriesFailed, 5);
  } finally {
    await harness.close();
  }
});

failures('permanent errors fail without retry', async () => {
  const harness = await startHarness({ queues: [['exists']] });
  try {
    harness.delivery.send(testMessage('lost', 'no-such-queue'));
    harness.delivery.send(testMessage('denied', 'exists', { credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' } }));
    assert.equal(await harness.finish(), []);
    const codes = Object.fromEntries(harness.failed.map((failure) => [failure.id, failure.error.code]));
    assert.equal(codes, { lost: 'QueueDoesNotExist', denied: 'InvalidClientTokenId' });
    assert.is(harness.retries.length, 0);
  } finally {
    await harness.close();
  }
});

failures('MD5 mismatch is reported after retries', async () => {
  const harness = await startHarness({ queues: [['digest']], fake: { faults: { rates: { badDigest: 1 } } }, delivery: { maxAttempts: 2 } });
  try {
    harness.delivery.send(testMessage('m0', 'digest'));
    assert.equal(await harness.finish(), []);
    assert.is(harness.failed[0]?.error.code, 'MD5Mismatch');
    assert.match(harness.failed[0]!.error.message, /MD5OfMessageBody/);
  } finally {
    await harness.close();
  }
});

failures('deleted queue fails queued entries', async () => {
  const harness = await startHarness({ queues: [['doomed']], client: { connections: 1 }, fake: { faults: { latencyMs: 20 } } });
  try {
    harness.delivery.send(testMessage('first', 'doomed'));
    await whenSent(() => harness.sent.has('first'));

    // Queue more than one call carries, then delete the queue while the first call is in flight.
    for (let i = 0; i < 30; i++) harness.delivery.send(testMessage(`m${i}`, 'doomed'));
    harness.fake.store.queues.delete('doomed');
    assert.equal(await harness.finish(), []);
    assert.is(harness.failed.length, 30);
    assert.ok(harness.failed.every((failure) => failure.error.code === 'QueueDoesNotExist'));
  } finally {
    await harness.close();
  }
});

failures('throwing callback does not stop delivery', async () => {
  const harness = await startHarness({ queues: [['throws']] });
  let calls = 0;
  const delivery = new Delivery({
    client: harness.client,
    onSent: () => {
      calls++;
      throw new Error('callback failure');
    },
  });
  try {
    for (let i = 0; i < 25; i++) delivery.send(testMessage(`m${i}`, 'throws'));
    assert.equal(await delivery.drain(60_000), []);
    assert.is(calls, 25);
  } finally {
    await harness.close();
  }
});

failures('lookup failures count only age', async () => {
  // A loopback port with no listener: every queue lookup fails with a retryable network error.
  const port = await freePort();

  const client = new SqsClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', connectTimeoutMs: 500 });
  const failedAt = new Map<string, { at: number; message: string }>();
  const delivery = new Delivery({
    client,
    maxAttempts: 2,
    maxAgeMs: 1500,
    baseDelayMs: 10,
    maxDelayMs: 50,
    onFailed: (id, error) => failedAt.set(id, { at: Date.now(), message: error.message }),
  });
  try {
    const firstSentAt = Date.now();
    delivery.send(testMessage('early', 'unreachable'));
    await new Promise((resolve) => setTimeout(resolve, 700));
    const secondSentAt = Date.now();
    delivery.send(testMessage('late', 'unreachable'));

    const deadline = Date.now() + 10_000;
    while (failedAt.size < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const early = failedAt.get('early');
    const late = failedAt.get('late');
    assert.ok(early !== undefined, 'the early message was dead-lettered in the end');
    assert.ok(late !== undefined, 'the late message was dead-lettered in the end');
    assert.ok(early!.at - firstSentAt >= 1500, `the early message failed after ${early!.at - firstSentAt} ms, before its age limit`);
    assert.ok(late!.at - secondSentAt >= 1500, `the late message failed after ${late!.at - secondSentAt} ms, before its age limit`);
    assert.match(late!.message, /retries stopped after .* limits: 2 attempts, 1500 ms/);
  } finally {
    await delivery.close();
    await client.close();
  }
});

failures('invalid messages are rejected by send', async () => {
  const harness = await startHarness();
  try {
    assert.throws(() => harness.delivery.send(testMessage('big', 'q', { body: 'x'.repeat(1_048_577) })), (error: unknown) => error instanceof SqsError && error.code === 'InvalidMessage');
    assert.throws(() => harness.delivery.send(testMessage('nogroup', 'q.fifo')), /groupId is required/);
    assert.is(harness.delivery.counters.pendingCount, 0);
  } finally {
    await harness.close();
  }
});

failures.run();

const fifo = suite('FIFO');

fifo('deduplication ids are generated and survive retries', async () => {
  const harness = await startHarness({ queues: [['ids.fifo']], fake: { faults: { rates: { resetAfter: 0.5 } } }, delivery: { maxAttempts: 30 } });
  try {
    for (let i = 0; i < 300; i++) harness.delivery.send(testMessage(`m${i}`, 'ids.fifo', { groupId: `g${i % 10}` }));
    assert.equal(await harness.finish(), []);
    const stored = harness.fake.messages('ids.fifo');
    assert.is(stored.length, 300);
    assert.ok(harness.fake.stats.duplicatesSuppressed > 0, 'no retry reached the fake after a reset');
    assert.is(new Set(stored.map((message) => message.deduplicationId)).size, 300);
    assert.ok(stored.every((message) => !message.contentDeduplicated));
  } finally {
    await harness.close();
  }
});

fifo('content-based queues get no generated id', async () => {
  const harness = await startHarness({ queues: [['content.fifo', { ContentBasedDeduplication: 'true' }]] });
  try {
    harness.delivery.send(testMessage('auto', 'content.fifo', { groupId: 'g' }));
    harness.delivery.send(testMessage('given', 'content.fifo', { groupId: 'g', deduplicationId: 'caller-id' }));
    assert.equal(await harness.finish(), []);
    const stored = harness.fake.messages('content.fifo');
    assert.equal(stored.map((message) => message.contentDeduplicated), [true, false]);
    assert.is(stored[1]?.deduplicationId, 'caller-id');
  } finally {
    await harness.close();
  }
});

fifo('group order holds through retries', async () => {
  const harness = await startHarness({ queues: [['order.fifo']], fake: { faults: { rates: { http500: 0.15, partial: 0.15 } } }, delivery: { maxAttempts: 50 } });
  try {
    const expected = new Map<string, string[]>();
    for (let i = 0; i < 1000; i++) {
      const group = `g${i % 20}`;
      const message = testMessage(`m${i}`, 'order.fifo', { groupId: group });
      if (!expected.has(group)) expected.set(group, []);
      expected.get(group)!.push(message.body);
      harness.delivery.send(message);
    }
    assert.equal(await harness.finish(), []);
    assert.ok(harness.retries.length > 0);
    assert.is(findOrderViolation(harness.fake.messages('order.fifo'), expected), undefined);
  } finally {
    await harness.close();
  }
});

fifo.run();

const lifecycle = suite('drain, counters and logs');

lifecycle('pending counters follow accepted messages', async () => {
  const harness = await startHarness({ queues: [['counted']] });
  try {
    const messages = [1, 2, 3].map((i) => testMessage(`m${i}`, 'counted', { body: 'é'.repeat(i) }));
    for (const message of messages) harness.delivery.send(message);
    assert.is(harness.delivery.counters.pendingCount, 3);
    assert.is(harness.delivery.counters.pendingBytes, messages.reduce((sum, message) => sum + payloadSize(message), 0));
    assert.equal(await harness.finish(), []);
    assert.is(harness.delivery.counters.pendingCount, 0);
    assert.is(harness.delivery.counters.pendingBytes, 0);
    assert.ok(harness.delivery.counters.latency.count >= 2);
  } finally {
    await harness.close();
  }
});

lifecycle('drain returns what could not be delivered', async () => {
  const harness = await startHarness({ queues: [['stuck']], fake: { faults: { rates: { http503: 1 } } }, delivery: { maxAttempts: 100, baseDelayMs: 1_000, maxDelayMs: 1_000 } });
  try {
    const messages = Array.from({ length: 25 }, (_, i) => testMessage(`m${i}`, 'stuck'));
    for (const message of messages) harness.delivery.send(message);
    await whenSent(() => harness.retries.length >= 25);

    const remaining = await harness.delivery.drain(50);
    assert.equal(remaining.map((message) => message.id).sort(), messages.map((message) => message.id).sort());
    assert.is(harness.failed.length, 0);
    assert.is(harness.delivery.counters.pendingCount, 0);
    assert.throws(() => harness.delivery.send(testMessage('late', 'stuck')), (error: unknown) => error instanceof SqsError && error.code === 'DeliveryClosed');
  } finally {
    await harness.close();
  }
});

lifecycle('logs never contain credentials or bodies', async () => {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const token = { accessKeyId: 'AKIDLOGGED', secretAccessKey: 'secret-that-must-not-leak', sessionToken: 'token-that-must-not-leak' };
  const harness = await startHarness({
    queues: [['logged']],
    fake: { credentials: [DEFAULT_TEST_CREDENTIALS, token], faults: { rates: { http500: 1 } } },
    delivery: { maxAttempts: 2, logger },
  });
  try {
    harness.delivery.send(testMessage('m1', 'logged', { credentials: token, body: 'body-that-must-not-leak' }));
    harness.delivery.send(testMessage('m2', 'missing-queue', { credentials: token, body: 'body-that-must-not-leak' }));
    assert.equal(await harness.finish(), []);
    const text = chunks.join('');
    assert.ok(text.includes('message failed permanently'), 'expected the failures to be logged');
    for (const secret of [token.accessKeyId, token.secretAccessKey, token.sessionToken, 'body-that-must-not-leak']) assert.not.ok(text.includes(secret), `log contains ${secret}`);
  } finally {
    await harness.close();
  }
});

lifecycle('options are checked at construction', async () => {
  const harness = await startHarness();
  try {
    assert.throws(() => new Delivery({ client: harness.client, lingerMs: 500 }), /lingerMs must be from 0 to 10/);
    assert.throws(() => new Delivery({ client: harness.client, maxAttempts: 0 }), /maxAttempts must be an integer >= 1/);
    assert.throws(() => new Delivery({ client: harness.client, maxInFlight: -1 }), /maxInFlight must be a positive integer/);
  } finally {
    await harness.close();
  }
});

lifecycle.run();
