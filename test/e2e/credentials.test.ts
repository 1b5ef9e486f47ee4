// Credentials through the real command, started without default AWS credentials: requests
// need HTTP Basic auth, and the secret never shows up in the log, the pages, the counters,
// error messages or the dead-letter file.

import { readFileSync, existsSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_TEST_CREDENTIALS, FakeSqs } from '../support/fake-sqs.js';
import { makeScratchDirectory, startCli, stopAllCliProcesses, type CliProcess } from '../support/cli-process.js';
import { basicAuthorization, request, waitForNoPending, waitForSettled, type HttpAnswer } from '../support/e2e-http.js';

const { accessKeyId, secretAccessKey } = DEFAULT_TEST_CREDENTIALS;
const WRONG_SECRET = 'wrong-secret-e2e-4f1d9c';
const SESSION_TOKEN = 'session-token-e2e-77a0b3';

/** Every form in which a secret could leak: as is, and inside a Basic header. */
const SECRET_FORMS = [
  secretAccessKey,
  WRONG_SECRET,
  Buffer.from(`${accessKeyId}:${secretAccessKey}`).toString('base64'),
  Buffer.from(`${accessKeyId}:${WRONG_SECRET}`).toString('base64'),
  SESSION_TOKEN,
];

function assertNoSecret(text: string, where: string): void {
  for (const secret of SECRET_FORMS) assert.not.ok(text.includes(secret), `${where} contains the secret ${JSON.stringify(secret)}`);
}

const credentials = suite('credentials through the command');
let fake: FakeSqs | undefined;
let cli: CliProcess | undefined;
let deadLetterFile = '';
const answers: { where: string; answer: HttpAnswer }[] = [];

credentials.before(async () => {
  fake = await FakeSqs.start();
  fake.createQueue('e2e-auth');
  deadLetterFile = `${makeScratchDirectory('credentials-')}/dead-letters.jsonl`;
  // Debug level is the most talkative: a secret must not appear even there.
  cli = await startCli({ args: ['--port', '0', '--endpoint', fake.endpoint, '--dead-letter-file', deadLetterFile, '--log-level', 'debug', '--max-attempts', '2'] });
});

credentials.after(async () => {
  await stopAllCliProcesses();
  await fake?.close();
});

credentials('no credentials gets 401', async () => {
  assert.ok(cli!.findLog('no default AWS credentials') !== undefined, 'the start log does not say that no default credentials were found');

  const answer = await request(`${cli!.baseUrl}/queues/e2e-auth`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'without credentials' });
  answers.push({ where: 'the 401 response', answer });
  assert.is(answer.status, 401);
  assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic /);
  assert.is(answer.json.error.code, 'MISSING_CREDENTIALS');
  assert.ok(answer.json.error.field.length > 0, 'the 401 error names no field');
});

credentials('malformed Basic auth gets 401', async () => {
  const answer = await request(`${cli!.baseUrl}/queues/e2e-auth`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: 'Basic not-base64-and-no-colon' },
    body: 'with malformed credentials',
  });
  answers.push({ where: 'the malformed-auth response', answer });
  assert.is(answer.status, 401);
  assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic /);
  assert.is(answer.json.error.code, 'INVALID_AUTHORIZATION');
});

credentials('right Basic auth is delivered', async () => {
  const answer = await request(`${cli!.baseUrl}/queues/e2e-auth`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: basicAuthorization(accessKeyId, secretAccessKey) },
    body: 'with the right credentials',
  });
  answers.push({ where: 'the 202 response', answer });
  assert.is(answer.status, 202);

  const settled = await waitForSettled(cli!.baseUrl, answer.json.id);
  assert.is(settled.state, 'sent');
  assert.equal(
    fake!.messages('e2e-auth').map((message) => message.body),
    ['with the right credentials'],
  );
  assert.is(fake!.stats.signatureFailures, 0);
});

credentials('session token is passed on', async () => {
  const answer = await request(`${cli!.baseUrl}/queues/e2e-auth`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: basicAuthorization(accessKeyId, secretAccessKey), 'x-amz-security-token': SESSION_TOKEN },
    body: 'with a session token',
  });
  answers.push({ where: 'the response to a request with a session token', answer });
  assert.is(answer.status, 202);

  // The fake checks no token for keys configured without one, so the message is delivered.
  const settled = await waitForSettled(cli!.baseUrl, answer.json.id);
  assert.is(settled.state, 'sent');
  assert.is(fake!.messages('e2e-auth').filter((message) => message.body === 'with a session token').length, 1);
});

credentials('wrong secret fails upstream', async () => {
  const answer = await request(`${cli!.baseUrl}/queues/e2e-auth`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: basicAuthorization(accessKeyId, WRONG_SECRET) },
    body: 'with a wrong secret',
  });
  assert.is(answer.status, 202);

  const settled = await waitForSettled(cli!.baseUrl, answer.json.id);
  answers.push({ where: 'the failed message status', answer: { status: 200, headers: new Headers(), text: JSON.stringify(settled), json: settled } });
  assert.is(settled.state, 'failed');
  assert.is(settled.error.code, 'SignatureDoesNotMatch');
  assert.ok(fake!.stats.signatureFailures > 0);
  assert.is(fake!.messages('e2e-auth').filter((message) => message.body === 'with a wrong secret').length, 0);
});

credentials('batches never mix credentials', async () => {
  const right = basicAuthorization(accessKeyId, secretAccessKey);
  const unknown = basicAuthorization('AKIDUNKNOWNE2E', WRONG_SECRET);
  const sends = Array.from({ length: 60 }, (_unused, index) => ({ body: `mixed-${index}`, authorization: index % 2 === 0 ? right : unknown }));

  // Sent all at once, so that messages of both keys wait for the same queue together.
  const results = await Promise.all(
    sends.map((send) => request(`${cli!.baseUrl}/queues/e2e-auth`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: send.authorization }, body: send.body })),
  );
  for (const result of results) assert.is(result.status, 202);
  const statuses = await Promise.all(results.map((result) => waitForSettled(cli!.baseUrl, result.json.id)));

  for (const [index, status] of statuses.entries()) {
    if (index % 2 === 0) assert.is(status.state, 'sent', `message ${index} with the known key: ${JSON.stringify(status)}`);
    else assert.is(status.error?.code, 'InvalidClientTokenId', `message ${index} with the unknown key: ${JSON.stringify(status)}`);
  }
  const stored = fake!.messages('e2e-auth').map((message) => message.body).filter((body) => body.startsWith('mixed-'));
  assert.equal(stored.sort(), sends.filter((_send, index) => index % 2 === 0).map((send) => send.body).sort());
});

credentials('secret appears nowhere', async () => {
  const authorization = basicAuthorization(accessKeyId, secretAccessKey);
  const pages: [string, Record<string, string>][] = [
    ['/stats', {}],
    ['/metrics', {}],
    ['/', { accept: 'text/html' }],
    ['/queues', { accept: 'text/html', authorization }],
    ['/queues', { authorization }],
    ['/queues/e2e-auth', { accept: 'text/html', authorization }],
    ['/queues/e2e-auth', { authorization }],
    ['/queues/missing-queue', { authorization }],
    ['/readyz', { authorization }],
  ];
  for (const [path, headers] of pages) {
    const answer = await request(`${cli!.baseUrl}${path}`, { headers });
    assert.ok(answer.status < 500, `${path} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    answers.push({ where: `GET ${path} ${JSON.stringify(Object.keys(headers))}`, answer });
  }
  for (const { where, answer } of answers) {
    assertNoSecret(answer.text, where);
    assertNoSecret(JSON.stringify([...answer.headers]), `headers of ${where}`);
  }

  await waitForNoPending(cli!.baseUrl);
  const exit = await cli!.stop();
  assert.is(exit.code, 0);
  assert.ok(cli!.findLog('sqs-accelerator stopped') !== undefined);
  assertNoSecret(cli!.output, 'the command output');

  assert.ok(existsSync(deadLetterFile), 'the message with a wrong secret was not dead-lettered');
  const deadLetters = readFileSync(deadLetterFile, 'utf8');
  assert.ok(deadLetters.includes('with a wrong secret'));
  assertNoSecret(deadLetters, 'the dead-letter file');
});

credentials.run();
