// Pending bounds, shutdown and dead letters through the real command: 503 beyond
// --max-pending-messages, SIGTERM draining what was accepted, the dead-letter file when
// delivery fails or the drain times out, and `resend` delivering the dead letters later.

import { existsSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_TEST_CREDENTIALS, FakeSqs } from '../support/fake-sqs.js';
import { makeScratchDirectory, runCli, startCli, stopAllCliProcesses, type CliProcess } from '../support/cli-process.js';
import { request, waitForNoPending } from '../support/e2e-http.js';
import { encodeLines, encodeSingle, makeMessage, sendPipelined, tagOf, type EncodedRequest, type TestMessage } from '../support/e2e-messages.js';

const ENVIRONMENT = { AWS_ACCESS_KEY_ID: DEFAULT_TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DEFAULT_TEST_CREDENTIALS.secretAccessKey };

async function startAgainst(fake: FakeSqs, deadLetterFile: string, extra: string[] = []): Promise<CliProcess> {
  return startCli({
    args: ['--port', '0', '--endpoint', fake.endpoint, '--dead-letter-file', deadLetterFile, '--log-level', 'info', ...extra],
    environment: ENVIRONMENT,
  });
}

function requestsFor(queue: string, count: number, prefix: string): EncodedRequest[] {
  const forms = ['json', 'raw', 'form'] as const;
  return Array.from({ length: count }, (_unused, index) => encodeSingle(queue, makeMessage(index, forms[index % forms.length], { prefix, astral: true })));
}

interface DeadLetterLine {
  id: string;
  queue: string;
  message: { body: string; attributes?: Record<string, unknown> };
  error: { code: string; message: string };
  time: string;
}

function readDeadLetterLines(file: string): DeadLetterLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as DeadLetterLine);
}

const shutdown = suite('pending bounds and shutdown');
const fakes: FakeSqs[] = [];

shutdown.after(async () => {
  await stopAllCliProcesses();
  for (const fake of fakes) await fake.close();
});

async function startFake(latencyMs: number): Promise<FakeSqs> {
  const fake = await FakeSqs.start({ faults: { latencyMs } });
  fakes.push(fake);
  return fake;
}

shutdown('503 beyond max pending messages', async () => {
  const fake = await startFake(2_000);
  fake.createQueue('e2e-bound');
  const cli = await startAgainst(fake, `${makeScratchDirectory('bound-')}/dead-letters.jsonl`, ['--max-pending-messages', '50']);

  const first = await sendPipelined(cli.baseUrl, requestsFor('e2e-bound', 50, 'first'), { connections: 4, pipelining: 8 });
  for (const result of first) assert.is(result.status, 202, JSON.stringify(result.json));
  const lines = encodeLines('e2e-bound', [0, 1, 2, 3, 4].map((index) => makeMessage(index, 'ndjson', { prefix: 'lines' })));
  const extra = await sendPipelined(cli.baseUrl, [...requestsFor('e2e-bound', 20, 'extra'), lines], { connections: 4, pipelining: 8 });

  // The fake delays each response by 2 s, so the first 50 are normally still pending here.
  // A very slow machine might deliver some first and accept a few extra messages: those
  // must then be delivered like the rest.
  const rejected = extra.filter((result) => result.status === 503);
  assert.ok(rejected.length > 0, 'no request was rejected beyond 50 pending messages');
  for (const result of rejected) {
    assert.ok(result.retryAfter !== undefined, '503 without Retry-After');
    assert.ok(Number(result.retryAfter) >= 1, `Retry-After ${result.retryAfter}`);
    assert.is(result.json.error.code, 'OVERLOADED');
  }
  for (const result of extra) assert.ok(result.status === 202 || result.status === 503, `unexpected status ${result.status}`);

  const stats = await waitForNoPending(cli.baseUrl);
  assert.is(stats.rejectedOverload, rejected.length);
  // An NDJSON request is accepted or rejected whole, so its five messages arrive together or not at all.
  const acceptedTags = [...first, ...extra].filter((result) => result.status === 202).flatMap((result) => result.request.messages.map((message) => message.tag));
  const storedTags = fake.messages('e2e-bound').map((message) => tagOf(message.body));
  assert.equal(storedTags.sort(), acceptedTags.sort());
  assert.is((await cli.stop()).code, 0);
});

shutdown('SIGTERM delivers pending messages', async () => {
  const fake = await startFake(1_500);
  fake.createQueue('e2e-drain');
  const deadLetterFile = `${makeScratchDirectory('drain-')}/dead-letters.jsonl`;
  const cli = await startAgainst(fake, deadLetterFile);

  const results = await sendPipelined(cli.baseUrl, requestsFor('e2e-drain', 30, 'drain'));
  for (const result of results) assert.is(result.status, 202);
  const exit = await cli.stop();

  assert.is(exit.code, 0);
  const summary = cli.findLog('sqs-accelerator stopped');
  assert.ok(summary !== undefined, `no summary line; output:\n${cli.stdout.slice(-2000)}`);
  assert.is(summary.deadLettered, 0);
  assert.is(summary.sent, 30);
  assert.is(fake.messages('e2e-drain').length, 30);
  assert.equal(readDeadLetterLines(deadLetterFile), []);
});

shutdown('draining refuses new messages', async () => {
  const fake = await startFake(1_500);
  fake.createQueue('e2e-closing');
  const cli = await startAgainst(fake, `${makeScratchDirectory('closing-')}/dead-letters.jsonl`);
  const before = await request(`${cli.baseUrl}/queues/e2e-closing`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'before the signal' });
  assert.is(before.status, 202);

  cli.child.kill('SIGTERM');
  await cli.waitForLog('stopping');
  // The daemon closes its listener at once. If it still listened, it would have to reply 503.
  let during: { status?: number; error?: string };
  try {
    const answer = await request(`${cli.baseUrl}/queues/e2e-closing`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'during the drain' });
    during = { status: answer.status };
  } catch (error) {
    during = { error: String((error as { cause?: { code?: string } }).cause?.code ?? error) };
  }
  assert.ok(during.status === 503 || during.error === 'ECONNREFUSED', `a message sent during the drain got ${JSON.stringify(during)}`);

  const exit = await cli.waitForExit();
  assert.is(exit.code, 0);
  assert.equal(
    fake.messages('e2e-closing').map((message) => message.body),
    ['before the signal'],
  );
});

shutdown('second signal exits at once', async () => {
  const fake = await startFake(20_000);
  fake.createQueue('e2e-twice');
  const cli = await startAgainst(fake, `${makeScratchDirectory('twice-')}/dead-letters.jsonl`);
  const accepted = await request(`${cli.baseUrl}/queues/e2e-twice`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'stuck upstream' });
  assert.is(accepted.status, 202);

  cli.child.kill('SIGTERM');
  await cli.waitForLog('stopping');
  cli.child.kill('SIGINT');
  // The fake delays its response by 20 s and the drain timeout is 30 s, so only the second
  // signal can end the process within the wait below.
  const exit = await cli.waitForExit(15_000);
  assert.is(exit.code, 1);
  assert.ok(cli.findLog('second stop signal') !== undefined, `no warning about the second signal:\n${cli.stdout.slice(-1000)}`);
});

let failedLetters = '';
let failedMessages: TestMessage[] = [];
const FIFO_BODIES = Array.from({ length: 6 }, (_unused, index) => `fifo-failing-${index} ✓`);

/** FIFO messages of one group, sent on one connection so that their order is defined. */
async function sendFifoGroup(baseUrl: string): Promise<void> {
  const requests = FIFO_BODIES.map((body, index) => ({
    path: '/queues/e2e-failing.fifo',
    contentType: 'application/json',
    body: JSON.stringify({ body, groupId: 'group-a', deduplicationId: `dedup-${index}` }),
    messages: [{ tag: `fifo${index}`, form: 'json' as const, body }],
  }));
  const results = await sendPipelined(baseUrl, requests, { connections: 1, pipelining: 1 });
  for (const result of results) assert.is(result.status, 202, JSON.stringify(result.json));
}

shutdown('failing upstream fills the dead-letter file', async () => {
  const fake = await startFake(0);
  fake.createQueue('e2e-failing');
  fake.createQueue('e2e-failing.fifo');
  fake.setFaults({ rates: { http500: 1 } });
  failedLetters = `${makeScratchDirectory('failing-')}/dead-letters.jsonl`;
  const cli = await startAgainst(fake, failedLetters, ['--drain-timeout', '2000']);

  const requests = requestsFor('e2e-failing', 12, 'failing');
  failedMessages = requests.map((encoded) => encoded.messages[0]);
  const results = await sendPipelined(cli.baseUrl, requests);
  const ids = results.map((result) => result.json.id as string);
  await sendFifoGroup(cli.baseUrl);
  const exit = await cli.stop();

  assert.is(exit.code, 0);
  assert.ok(cli.findLog('sqs-accelerator stopped') !== undefined);
  assert.is(fake.messages('e2e-failing').length, 0);
  const allLetters = readDeadLetterLines(failedLetters);
  const fifoLetters = allLetters.filter((letter) => letter.queue === 'e2e-failing.fifo');
  assert.equal(
    fifoLetters.map((letter) => letter.message.body).sort(),
    [...FIFO_BODIES].sort(),
  );
  for (const letter of fifoLetters) assert.is((letter.message as { groupId?: string }).groupId, 'group-a');

  const letters = allLetters.filter((letter) => letter.queue !== 'e2e-failing.fifo');
  assert.equal(letters.map((letter) => letter.id).sort(), ids.sort());
  for (const letter of letters) {
    assert.is(letter.queue, 'e2e-failing');
    assert.type(letter.error.code, 'string');
    assert.type(letter.error.message, 'string');
    assert.ok(!Number.isNaN(Date.parse(letter.time)), `time ${letter.time} is not a date`);
    const original = failedMessages.find((message) => message.tag === tagOf(letter.message.body));
    assert.ok(original !== undefined, `unknown body ${letter.message.body.slice(0, 40)}`);
    assert.is(letter.message.body, original.body);
  }
  assert.not.ok(readFileSync(failedLetters, 'utf8').includes(DEFAULT_TEST_CREDENTIALS.secretAccessKey));
  assert.not.ok(cli.output.includes(DEFAULT_TEST_CREDENTIALS.secretAccessKey));
});

shutdown('resend delivers the dead letters', async () => {
  assert.ok(failedLetters !== '', 'the previous test wrote no dead-letter file');
  const fake = await startFake(0);
  fake.createQueue('e2e-failing');
  fake.createQueue('e2e-failing.fifo');
  const otherFile = `${makeScratchDirectory('resend-')}/failed-again.jsonl`;

  const run = await runCli({
    args: ['resend', failedLetters, '--endpoint', fake.endpoint, '--dead-letter-file', otherFile],
    environment: ENVIRONMENT,
  });
  assert.is(run.code, 0, `resend failed:\n${run.stdout}\n${run.stderr}`);
  const summaryLine = run.stdout.split('\n').find((line) => line.startsWith('{') && line.includes('"sent"'));
  assert.ok(summaryLine !== undefined, `no summary on standard output:\n${run.stdout}`);
  const summary = JSON.parse(summaryLine);
  assert.is(summary.messages, failedMessages.length + FIFO_BODIES.length);
  assert.is(summary.sent, failedMessages.length + FIFO_BODIES.length);
  assert.is(summary.failed, 0);
  assert.not.ok(existsSync(otherFile), 'resend created a dead-letter file although every message was sent');

  const stored = fake.messages('e2e-failing');
  assert.is(stored.length, failedMessages.length);
  for (const message of failedMessages) {
    const copies = stored.filter((entry) => entry.body === message.body);
    assert.is(copies.length, 1, `${message.tag} arrived ${copies.length} times`);
    assert.equal(copies[0].attributes, message.attributes ?? {});
  }
  // A FIFO group must arrive in the order the daemon accepted it, even after a dead-letter round trip.
  const fifo = fake.messages('e2e-failing.fifo');
  assert.equal(
    fifo.map((message) => message.body),
    FIFO_BODIES,
  );
  assert.equal(
    fifo.map((message) => message.deduplicationId),
    FIFO_BODIES.map((_body, index) => `dedup-${index}`),
  );
  assert.equal(readDeadLetterLines(otherFile), []);
  assert.not.ok(`${run.stdout}${run.stderr}`.includes(DEFAULT_TEST_CREDENTIALS.secretAccessKey));
});

shutdown('short drain timeout dead-letters the rest', async () => {
  const fake = await startFake(10_000);
  fake.createQueue('e2e-deadline');
  const deadLetterFile = `${makeScratchDirectory('deadline-')}/dead-letters.jsonl`;
  const cli = await startAgainst(fake, deadLetterFile, ['--drain-timeout', '500']);

  const results = await sendPipelined(cli.baseUrl, requestsFor('e2e-deadline', 15, 'deadline'));
  const ids = results.map((result) => result.json.id as string);
  const status = await request(`${cli.baseUrl}/stats`);
  assert.is(status.json.accepted, 15);
  const exit = await cli.stop();

  assert.is(exit.code, 0);
  const summary = cli.findLog('sqs-accelerator stopped');
  assert.ok(summary !== undefined);
  // The fake responds after 10 s, so nothing can be confirmed within the 500 ms drain.
  assert.is(summary.deadLettered, 15);
  const letters = readDeadLetterLines(deadLetterFile);
  assert.equal(letters.map((letter) => letter.id).sort(), ids.sort());
  for (const letter of letters) assert.is(letter.error.code, 'ShutdownDeadline');
});

shutdown.run();
