// Bad input through the real command: each request gets its documented status and an error
// naming the field, and nothing of a rejected request reaches SQS. The upstream is the fake
// SQS, whose store shows everything that arrived.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_TEST_CREDENTIALS, FakeSqs } from '../support/fake-sqs.js';
import { makeScratchDirectory, startCli, stopAllCliProcesses, type CliProcess } from '../support/cli-process.js';
import { request, waitForNoPending, waitForSettled } from '../support/e2e-http.js';

interface BadRequest {
  name: string;
  path: string;
  contentType: string;
  body: string | Buffer;
  status: number;
  code: string;
  /** A text the error's field must contain; empty where any non-empty field will do. */
  field: string;
}

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const NDJSON_TYPE = 'application/x-ndjson';

function json(value: unknown): string {
  return JSON.stringify(value);
}

function manyAttributes(count: number): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let index = 0; index < count; index++) attributes[`name${index}`] = `value ${index}`;
  return attributes;
}

const CASES: BadRequest[] = [
  { name: 'invalid queue name', path: '/queues/bad!name', contentType: TEXT_TYPE, body: 'bad-queue-marker', status: 400, code: 'INVALID_QUEUE_NAME', field: 'queue' },
  { name: 'queue name of 81 characters', path: `/queues/${'q'.repeat(81)}`, contentType: TEXT_TYPE, body: 'long-queue-marker', status: 400, code: 'INVALID_QUEUE_NAME', field: 'queue' },
  { name: 'empty raw body', path: '/queues/e2e-bad', contentType: TEXT_TYPE, body: '', status: 400, code: 'MISSING_BODY', field: 'body' },
  { name: 'empty form body', path: '/queues/e2e-bad', contentType: 'application/x-www-form-urlencoded', body: 'message_body=', status: 400, code: 'MISSING_BODY', field: 'message_body' },
  { name: 'form delay over 900', path: '/queues/e2e-bad', contentType: 'application/x-www-form-urlencoded', body: 'message_body=form-delay-marker&delay_seconds=901', status: 400, code: 'INVALID_DELAY_SECONDS', field: 'delay_seconds' },
  { name: 'U+0000 in a raw body', path: '/queues/e2e-bad', contentType: TEXT_TYPE, body: 'nul-marker\u0000end', status: 400, code: 'INVALID_CHARACTERS', field: 'body' },
  { name: 'U+FFFF in a form body', path: '/queues/e2e-bad', contentType: 'application/x-www-form-urlencoded', body: 'message_body=ffff-marker%EF%BF%BF', status: 400, code: 'INVALID_CHARACTERS', field: 'body' },
  { name: 'lone surrogate in JSON', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: '{"body":"surrogate-marker\\ud800end"}', status: 400, code: 'INVALID_CHARACTERS', field: 'body' },
  { name: 'body over 1 MiB', path: '/queues/e2e-bad', contentType: TEXT_TYPE, body: `big-marker${'x'.repeat(1_048_576)}`, status: 413, code: 'MESSAGE_TOO_LARGE', field: 'body' },
  {
    name: 'body and attributes over 1 MiB',
    path: '/queues/e2e-bad',
    contentType: JSON_TYPE,
    body: json({ body: 'size-marker', attributes: { blob: { DataType: 'Binary', BinaryValue: Buffer.alloc(1_048_576, 1).toString('base64') } } }),
    status: 413,
    code: 'MESSAGE_TOO_LARGE',
    field: '',
  },
  { name: 'charset latin1', path: '/queues/e2e-bad', contentType: 'text/plain; charset=iso-8859-1', body: 'charset-marker', status: 415, code: 'UNSUPPORTED_CHARSET', field: 'Content-Type' },
  { name: 'multipart form', path: '/queues/e2e-bad', contentType: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="message_body"\r\n\r\nmultipart-marker\r\n--x--\r\n', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type' },
  { name: 'unknown path', path: '/nothing-here', contentType: TEXT_TYPE, body: 'unknown-path-marker', status: 404, code: 'NotFound', field: 'path' },
  { name: '11 attributes', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: json({ body: 'eleven-marker', attributes: manyAttributes(11) }), status: 400, code: 'TOO_MANY_ATTRIBUTES', field: 'attributes' },
  { name: 'attribute name with a space', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: json({ body: 'name-marker', attributes: { 'bad name': 'x' } }), status: 400, code: 'INVALID_ATTRIBUTE_NAME', field: 'attributes' },
  { name: 'attribute name starting AWS.', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: json({ body: 'aws-marker', attributes: { 'AWS.trace': 'x' } }), status: 400, code: 'INVALID_ATTRIBUTE_NAME', field: 'attributes' },
  { name: 'attribute type Date', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: json({ body: 'type-marker', attributes: { when: { DataType: 'Date', StringValue: '2026' } } }), status: 400, code: 'INVALID_ATTRIBUTE_TYPE', field: 'attributes.when' },
  { name: 'Number attribute not a number', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: json({ body: 'number-marker', attributes: { count: { DataType: 'Number', StringValue: 'twelve' } } }), status: 400, code: 'INVALID_ATTRIBUTE_VALUE', field: 'attributes.count' },
  { name: 'Binary attribute not base64', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: json({ body: 'binary-marker', attributes: { blob: { DataType: 'Binary', BinaryValue: '***' } } }), status: 400, code: 'INVALID_ATTRIBUTE_VALUE', field: 'attributes.blob' },
  { name: 'delaySeconds 901', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: json({ body: 'delay-marker', delaySeconds: 901 }), status: 400, code: 'INVALID_DELAY_SECONDS', field: 'delaySeconds' },
  { name: 'FIFO message without groupId', path: '/queues/e2e-bad.fifo', contentType: JSON_TYPE, body: json({ body: 'fifo-marker', deduplicationId: 'd1' }), status: 400, code: 'MISSING_GROUP_ID', field: 'groupId' },
  { name: 'invalid JSON', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: '{"body": "json-marker"', status: 400, code: 'INVALID_JSON', field: '' },
  { name: 'unknown JSON field', path: '/queues/e2e-bad', contentType: JSON_TYPE, body: json({ body: 'unknown-marker', colour: 'red' }), status: 400, code: 'UNKNOWN_FIELD', field: 'colour' },
  { name: 'invalid UTF-8 raw body', path: '/queues/e2e-bad', contentType: TEXT_TYPE, body: Buffer.from([0x75, 0x74, 0x66, 0x2d, 0xff, 0xfe, 0x61]), status: 400, code: 'INVALID_UTF8', field: 'body' },
  {
    name: 'NDJSON with one bad line',
    path: '/queues/e2e-bad/messages',
    contentType: NDJSON_TYPE,
    body: [json({ body: 'line-one-marker' }), json({ body: 'line-two-marker' }), json({ body: 'line-three-marker', delaySeconds: 901 }), json({ body: 'line-four-marker' })].join('\n'),
    status: 400,
    code: 'INVALID_DELAY_SECONDS',
    field: 'line 3',
  },
  {
    name: 'NDJSON with one line not JSON',
    path: '/queues/e2e-bad/messages',
    contentType: NDJSON_TYPE,
    body: [json({ body: 'first-line-marker' }), '{"body": broken', json({ body: 'last-line-marker' })].join('\n'),
    status: 400,
    code: 'INVALID_JSON',
    field: 'line 2',
  },
];

const rejections = suite('rejections through the command');
let fake: FakeSqs | undefined;
let cli: CliProcess | undefined;

rejections.before(async () => {
  fake = await FakeSqs.start();
  fake.createQueue('e2e-bad');
  fake.createQueue('e2e-bad.fifo');
  const directory = makeScratchDirectory('rejections-');
  cli = await startCli({
    args: ['--port', '0', '--endpoint', fake.endpoint, '--dead-letter-file', `${directory}/dead-letters.jsonl`, '--log-level', 'info'],
    environment: { AWS_ACCESS_KEY_ID: DEFAULT_TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DEFAULT_TEST_CREDENTIALS.secretAccessKey },
  });
});

rejections.after(async () => {
  await stopAllCliProcesses();
  await fake?.close();
});

for (const bad of CASES) {
  rejections(bad.name, async () => {
    const answer = await request(`${cli!.baseUrl}${bad.path}`, { method: 'POST', headers: { 'content-type': bad.contentType }, body: bad.body });
    assert.is(answer.status, bad.status, `answer: ${answer.text.slice(0, 300)}`);
    assert.is(answer.json?.error?.code, bad.code, `answer: ${answer.text.slice(0, 300)}`);
    assert.type(answer.json.error.message, 'string');
    assert.ok(answer.json.error.message.length > 0);
    assert.ok(String(answer.json.error.field).includes(bad.field), `field ${JSON.stringify(answer.json.error.field)} does not name ${JSON.stringify(bad.field)}`);
    assert.ok(answer.json.error.field !== '', `the error names no field: ${answer.text.slice(0, 300)}`);
    assert.is(answer.headers.get('location'), null);
  });
}

rejections('NDJSON error names the line', async () => {
  const bad = CASES.find((entry) => entry.name === 'NDJSON with one bad line')!;
  const answer = await request(`${cli!.baseUrl}${bad.path}`, { method: 'POST', headers: { 'content-type': bad.contentType }, body: bad.body });
  assert.is(answer.status, 400);
  assert.match(answer.json.error.message, /line 3/);
});

rejections('nothing rejected reaches SQS', async () => {
  // A good message after all the bad ones: once it is sent, anything queued before it was too.
  const sentinel = await request(`${cli!.baseUrl}/queues/e2e-bad`, { method: 'POST', headers: { 'content-type': TEXT_TYPE }, body: 'sentinel' });
  assert.is(sentinel.status, 202);
  const settled = await waitForSettled(cli!.baseUrl, sentinel.json.id);
  assert.is(settled.state, 'sent');

  const stats = await waitForNoPending(cli!.baseUrl);
  assert.is(stats.accepted, 1);
  assert.equal(
    fake!.messages('e2e-bad').map((message) => message.body),
    ['sentinel'],
  );
  assert.is(fake!.messages('e2e-bad.fifo').length, 0);
  assert.is(fake!.stats.byAction.SendMessageBatch ?? 0, 1);
});

rejections.run();
