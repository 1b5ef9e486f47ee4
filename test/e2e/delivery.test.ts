// End to end through the real command: 10,000 messages in every body form, sent over
// pipelined keep-alive connections, must each arrive upstream once with body and attributes
// intact: at fauxqs, and at the fake SQS while a fifth of its calls fail. Bodies sent to
// fauxqs stay below U+10000, because fauxqs 1.9.2 rejects the characters above it.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { DEFAULT_TEST_CREDENTIALS, FakeSqs } from '../support/fake-sqs.js';
import { makeScratchDirectory, startCli, stopAllCliProcesses, type CliProcess } from '../support/cli-process.js';
import { FAUXQS_CREDENTIALS, attributesOfReceived, drainQueue, request, startFauxqs, waitForNoPending, waitForSettled, type Fauxqs } from '../support/e2e-http.js';
import { buildWorkload, encodeSingle, makeMessage, sendPipelined, tagOf, type SendResult, type SentAttribute, type TestMessage } from '../support/e2e-messages.js';

const MESSAGES = 10_000;

interface Arrived {
  body: string;
  attributes: Record<string, SentAttribute>;
}

function daemonArguments(endpoint: string): string[] {
  const directory = makeScratchDirectory('delivery-');
  return ['--port', '0', '--endpoint', endpoint, '--dead-letter-file', `${directory}/dead-letters.jsonl`, '--log-level', 'info'];
}

/** Checks every response: 202, and for single messages a Location naming the id in the body. */
function checkAnswers(results: SendResult[], queue: string): TestMessage[] {
  const accepted: TestMessage[] = [];
  for (const result of results) {
    assert.is(result.status, 202, `${result.request.path} answered ${result.status}: ${JSON.stringify(result.json)}`);
    if (result.request.messages.length === 1 && !result.request.path.endsWith('/messages')) {
      assert.type(result.json.id, 'string');
      assert.is(result.json.queue, queue);
      assert.is(result.location, `/messages/${result.json.id}`);
    } else {
      assert.is(result.json.queue, queue);
      assert.is(result.json.ids.length, result.request.messages.length);
    }
    accepted.push(...result.request.messages);
  }
  return accepted;
}

/** Compares what arrived with what was sent; returns the number of extra copies. */
function compareArrivals(sent: TestMessage[], arrived: Arrived[]): number {
  const expected = new Map(sent.map((message) => [message.tag, message]));
  const seen = new Set<string>();
  let duplicates = 0;

  for (const message of arrived) {
    const tag = tagOf(message.body);
    const original = tag === undefined ? undefined : expected.get(tag);
    assert.ok(original !== undefined, `an unexpected message arrived: ${JSON.stringify(message.body.slice(0, 60))}`);
    if (seen.has(original.tag)) duplicates++;
    seen.add(original.tag);

    assert.ok(Buffer.from(message.body, 'utf8').equals(Buffer.from(original.body, 'utf8')), `body of ${original.tag} changed: ${JSON.stringify(message.body)}`);
    assert.equal(message.attributes, original.attributes ?? {}, `attributes of ${original.tag} changed`);
  }

  const missing = sent.filter((message) => !seen.has(message.tag)).map((message) => message.tag);
  assert.equal(missing.slice(0, 10), [], `${missing.length} messages never arrived`);
  return duplicates;
}

const delivery = suite('delivery through the command');
let fauxqs: Fauxqs | undefined;
let fake: FakeSqs | undefined;

delivery.after(async () => {
  await stopAllCliProcesses();
  await fauxqs?.close();
  await fake?.close();
});

delivery('10,000 messages reach fauxqs exactly once', async () => {
  fauxqs = await startFauxqs();
  await fauxqs.sdk.send(new CreateQueueCommand({ QueueName: 'e2e-exact' }));
  const cli = await startCli({
    args: daemonArguments(fauxqs.endpoint),
    environment: { AWS_ACCESS_KEY_ID: FAUXQS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAUXQS_CREDENTIALS.secretAccessKey },
  });

  const started = Date.now();
  const results = await sendPipelined(cli.baseUrl, buildWorkload('e2e-exact', MESSAGES), { connections: 8, pipelining: 16 });
  const sent = checkAnswers(results, 'e2e-exact');
  assert.is(sent.length, MESSAGES);
  const accepted = Date.now() - started;

  const stats = await waitForNoPending(cli.baseUrl);
  assert.is(stats.accepted, MESSAGES);
  assert.is(stats.sent, MESSAGES);
  assert.is(stats.failed, 0);
  const delivered = Date.now() - started;

  const received = await drainQueue(fauxqs.sdk, 'e2e-exact', MESSAGES);
  const duplicates = compareArrivals(
    sent,
    received.map((message) => ({ body: message.Body ?? '', attributes: attributesOfReceived(message) })),
  );
  assert.is(duplicates, 0);
  assert.is(received.length, MESSAGES);
  console.log(`  fauxqs: ${results.length} requests accepted in ${accepted} ms, all delivered after ${delivered} ms, ${stats.batches} batches`);

  const exit = await cli.stop();
  assert.is(exit.code, 0);
});

delivery('10,000 messages survive 20% upstream faults', async () => {
  fake = await FakeSqs.start({
    seed: 7,
    faults: { rates: { http500: 0.04, http503: 0.03, throttle: 0.04, resetBefore: 0.03, resetAfter: 0.03, partial: 0.03 } },
  });
  fake.createQueue('e2e-faults');
  const cli = await startCli({
    args: [...daemonArguments(fake.endpoint), '--max-attempts', '40', '--max-age', '120s'],
    environment: { AWS_ACCESS_KEY_ID: DEFAULT_TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DEFAULT_TEST_CREDENTIALS.secretAccessKey },
  });

  const started = Date.now();
  const results = await sendPipelined(cli.baseUrl, buildWorkload('e2e-faults', MESSAGES, { astral: true }), { connections: 8, pipelining: 16 });
  const sent = checkAnswers(results, 'e2e-faults');
  const stats = await waitForNoPending(cli.baseUrl);
  assert.is(stats.sent, MESSAGES);
  assert.is(stats.failed, 0, `failed messages; see the dead-letter file. Output:\n${cli.stdout.slice(-2000)}`);

  const stored = fake.messages('e2e-faults');
  const duplicates = compareArrivals(sent, stored.map((message) => ({ body: message.body, attributes: message.attributes })));
  const faults = fake.stats.faults;
  const injected = Object.values(faults).reduce((sum, count) => sum + count, 0);
  console.log(`  fake: ${injected} faults injected ${JSON.stringify(faults)}, ${stats.retried} retries, ${duplicates} duplicates, ${Date.now() - started} ms`);

  assert.ok(injected > 0, 'no fault was injected');
  assert.ok(fake.stats.signatureFailures === 0, `${fake.stats.signatureFailures} requests had bad signatures`);
  // A reset after SQS stored a batch loses the response for every entry of that batch, so each
  // such fault may duplicate up to 10 messages. No other injected fault stores anything.
  const maxBatch = 10;
  assert.ok(duplicates <= (faults.resetAfter ?? 0) * maxBatch, `${duplicates} duplicates from ${faults.resetAfter ?? 0} resetAfter faults`);

  const exit = await cli.stop();
  assert.is(exit.code, 0);
});

delivery('FIFO order survives faults', async () => {
  const flaky = await FakeSqs.start({
    seed: 3,
    faults: { rates: { http500: 0.04, http503: 0.03, throttle: 0.04, resetBefore: 0.03, resetAfter: 0.03, partial: 0.03 } },
  });
  try {
    flaky.createQueue('e2e-order.fifo');
    const cli = await startCli({
      args: [...daemonArguments(flaky.endpoint), '--max-attempts', '40'],
      environment: { AWS_ACCESS_KEY_ID: DEFAULT_TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DEFAULT_TEST_CREDENTIALS.secretAccessKey },
    });

    const GROUPS = 20;
    const COUNT = 3_000;
    const expected = new Map<string, string[]>();
    const requests = [];
    for (let index = 0; index < COUNT; index++) {
      const group = `group-${index % GROUPS}`;
      const body = `o${index}|${group} 🚀 ${index}`;
      expected.set(group, [...(expected.get(group) ?? []), body]);
      requests.push({
        path: '/queues/e2e-order.fifo',
        contentType: 'application/json',
        body: JSON.stringify({ body, groupId: group, deduplicationId: `order-${index}` }),
        messages: [{ tag: `o${index}`, form: 'json' as const, body }],
      });
    }
    // One connection, so that the daemon accepts the messages in the order written here.
    const results = await sendPipelined(cli.baseUrl, requests, { connections: 1, pipelining: 32 });
    for (const result of results) assert.is(result.status, 202, JSON.stringify(result.json));
    const stats = await waitForNoPending(cli.baseUrl);
    assert.is(stats.sent, COUNT);

    // Retried sends reuse their deduplication ids, so the FIFO queue keeps one copy of each.
    const arrived = new Map<string, string[]>();
    for (const message of flaky.messages('e2e-order.fifo')) {
      const group = message.groupId ?? '';
      arrived.set(group, [...(arrived.get(group) ?? []), message.body]);
    }
    for (const [group, bodies] of expected) assert.equal(arrived.get(group), bodies, `group ${group} arrived out of order`);
    console.log(`  FIFO: ${JSON.stringify(flaky.stats.faults)} faults, ${stats.retried} retries, ${flaky.stats.duplicatesSuppressed} duplicates suppressed by deduplication id`);
    assert.is((await cli.stop()).code, 0);
  } finally {
    await flaky.close();
  }
});

delivery('message status goes from pending to sent', async () => {
  const slow = await FakeSqs.start({ faults: { latencyMs: 3_000 } });
  try {
    slow.createQueue('e2e-status');
    const cli: CliProcess = await startCli({
      args: daemonArguments(slow.endpoint),
      environment: { AWS_ACCESS_KEY_ID: DEFAULT_TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DEFAULT_TEST_CREDENTIALS.secretAccessKey },
    });

    const encoded = encodeSingle('e2e-status', makeMessage(1, 'json', { prefix: 'status' }));
    const answer = await request(`${cli.baseUrl}${encoded.path}`, { method: 'POST', headers: { 'content-type': encoded.contentType }, body: encoded.body });
    assert.is(answer.status, 202);
    const id = answer.json.id as string;
    assert.is(answer.headers.get('location'), `/messages/${id}`);

    // The fake delays every response by 3 s, so the message cannot have been sent yet.
    const pending = await request(`${cli.baseUrl}/messages/${id}`);
    assert.is(pending.status, 200);
    assert.is(pending.json.id, id);
    assert.is(pending.json.queue, 'e2e-status');
    assert.is(pending.json.state, 'pending');

    const settled = await waitForSettled(cli.baseUrl, id);
    assert.is(settled.state, 'sent');
    const stored = slow.messages('e2e-status');
    assert.is(stored.length, 1);
    assert.is(settled.sqsMessageId, stored[0].messageId);

    const unknown = await request(`${cli.baseUrl}/messages/0000000000000000000000`);
    assert.is(unknown.status, 404);
    assert.is(unknown.json.error.field, 'id');
    assert.is((await cli.stop()).code, 0);
  } finally {
    await slow.close();
  }
});

delivery('1 MiB messages arrive intact', async () => {
  const sink = await FakeSqs.start();
  try {
    sink.createQueue('e2e-large');
    const cli = await startCli({
      args: daemonArguments(sink.endpoint),
      environment: { AWS_ACCESS_KEY_ID: DEFAULT_TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DEFAULT_TEST_CREDENTIALS.secretAccessKey },
    });

    // Each message is exactly 1,048,576 bytes as SQS counts them: body plus attribute names,
    // types and values. Forms percent-encode every non-ASCII byte, tripling the request.
    const binaryBytes = 1_048_576 - 'large-binary'.length - 'blob'.length - 'Binary'.length;
    const requests: { contentType: string; body: string; message: string; attributes?: Record<string, SentAttribute> }[] = [
      { contentType: 'text/plain; charset=utf-8', body: 'a'.repeat(1_048_576), message: 'a'.repeat(1_048_576) },
      { contentType: 'text/plain; charset=utf-8', body: '🚀'.repeat(262_144), message: '🚀'.repeat(262_144) },
      { contentType: 'application/x-www-form-urlencoded', body: `message_body=${encodeURIComponent('é'.repeat(524_288))}`, message: 'é'.repeat(524_288) },
      {
        contentType: 'application/json',
        body: JSON.stringify({ body: 'large-binary', attributes: { blob: { DataType: 'Binary', BinaryValue: Buffer.alloc(binaryBytes, 0xa5).toString('base64') } } }),
        message: 'large-binary',
        attributes: { blob: { DataType: 'Binary', BinaryValue: Buffer.alloc(binaryBytes, 0xa5).toString('base64') } },
      },
    ];
    const ids: string[] = [];
    for (const entry of requests) {
      const answer = await request(`${cli.baseUrl}/queues/e2e-large`, { method: 'POST', headers: { 'content-type': entry.contentType }, body: entry.body });
      assert.is(answer.status, 202, answer.text.slice(0, 300));
      ids.push(answer.json.id);
    }
    for (const id of ids) assert.is((await waitForSettled(cli.baseUrl, id)).state, 'sent');

    const stored = sink.messages('e2e-large');
    assert.is(stored.length, requests.length);
    for (const entry of requests) {
      const copies = stored.filter((message) => message.body === entry.message);
      assert.is(copies.length, 1, `a message of ${entry.message.length} UTF-16 units arrived ${copies.length} times`);
      assert.equal(copies[0].attributes, entry.attributes ?? {});
    }

    const over = await request(`${cli.baseUrl}/queues/e2e-large`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a'.repeat(1_048_577) });
    assert.is(over.status, 413);
    assert.is((await cli.stop()).code, 0);
  } finally {
    await sink.close();
  }
});

delivery.run();
