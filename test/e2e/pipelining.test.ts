// Pipelining through the real command with a raw node:net client. Many requests in one write,
// and requests cut into 7-byte pieces, must get their responses in request order. Each
// response's message id must lead to the message of its own request upstream.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_TEST_CREDENTIALS, FakeSqs } from '../support/fake-sqs.js';
import { makeScratchDirectory, startCli, stopAllCliProcesses, type CliProcess } from '../support/cli-process.js';
import { request, waitForNoPending } from '../support/e2e-http.js';
import { encodeSingle, makeMessage, type BodyForm, type EncodedRequest } from '../support/e2e-messages.js';
import { exchangePipelined, formatRequest, type RawResponse } from '../support/e2e-raw-client.js';

const pipelining = suite('pipelining through the command');
let fake: FakeSqs | undefined;
let cli: CliProcess | undefined;

pipelining.before(async () => {
  fake = await FakeSqs.start();
  fake.createQueue('e2e-pipe');
  cli = await startCli({
    args: ['--port', '0', '--endpoint', fake.endpoint, '--dead-letter-file', `${makeScratchDirectory('pipe-')}/dead-letters.jsonl`, '--log-level', 'info'],
    environment: { AWS_ACCESS_KEY_ID: DEFAULT_TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DEFAULT_TEST_CREDENTIALS.secretAccessKey },
  });
});

pipelining.after(async () => {
  await stopAllCliProcesses();
  await fake?.close();
});

function encodeAll(count: number, prefix: string): EncodedRequest[] {
  const forms: BodyForm[] = ['form', 'raw', 'json'];
  return Array.from({ length: count }, (_unused, index) => encodeSingle('e2e-pipe', makeMessage(index, forms[index % forms.length], { prefix, astral: true })));
}

function toBytes(requests: EncodedRequest[], lastHeaders: Record<string, string> = {}): Buffer {
  return Buffer.concat(
    requests.map((encoded, index) => {
      const headers: Record<string, string> = { 'Content-Type': encoded.contentType };
      if (index === requests.length - 1) Object.assign(headers, lastHeaders);
      return formatRequest('POST', encoded.path, headers, encoded.body);
    }),
  );
}

/** Checks that response `i` carries the id of a message whose body is request `i`'s body. */
async function checkPairing(requests: EncodedRequest[], responses: RawResponse[]): Promise<void> {
  assert.is(responses.length, requests.length);
  const ids: string[] = [];
  for (const [index, response] of responses.entries()) {
    const json = JSON.parse(response.body.toString('utf8'));
    assert.is(response.status, 202, `response ${index}: ${response.body.toString('utf8')}`);
    assert.is(response.headers.get('location'), `/messages/${json.id}`);
    ids.push(json.id);
  }
  assert.is(new Set(ids).size, ids.length, 'two responses carry the same id');

  await waitForNoPending(cli!.baseUrl);
  const bodiesBySqsId = new Map(fake!.messages('e2e-pipe').map((message) => [message.messageId, message.body]));
  for (const [index, id] of ids.entries()) {
    const status = await request(`${cli!.baseUrl}/messages/${id}`);
    assert.is(status.json.state, 'sent');
    assert.is(bodiesBySqsId.get(status.json.sqsMessageId), requests[index].messages[0].body, `response ${index} belongs to another request`);
  }
}

pipelining('1,000 requests in one write', async () => {
  const requests = encodeAll(1_000, 'one-write');
  const { responses, closed } = await exchangePipelined(cli!.port, toBytes(requests, { Connection: 'close' }), requests.length, { timeoutMs: 60_000 });
  await checkPairing(requests, responses);
  assert.is(await closed, true, 'the server kept the connection open after Connection: close');
});

pipelining('requests cut into 7-byte pieces', async () => {
  const requests = encodeAll(150, 'pieces');
  const { responses } = await exchangePipelined(cli!.port, toBytes(requests), requests.length, { pieceBytes: 7, timeoutMs: 60_000 });
  await checkPairing(requests, responses);
});

pipelining('errors keep their place in line', async () => {
  const raw = encodeSingle('e2e-pipe', makeMessage(0, 'raw', { prefix: 'mixed' }));
  const bytes = Buffer.concat([
    formatRequest('POST', '/queues/e2e-pipe', { 'Content-Type': 'text/plain' }, raw.body),
    formatRequest('POST', '/queues/bad!name', { 'Content-Type': 'text/plain' }, 'x'),
    formatRequest('GET', '/healthz', {}),
    formatRequest('POST', '/queues/e2e-pipe', { 'Content-Type': 'application/json' }, '{"body": '),
    formatRequest('POST', '/queues/e2e-pipe', { 'Content-Type': 'text/plain' }, raw.body),
  ]);
  const { responses } = await exchangePipelined(cli!.port, bytes, 5);
  assert.equal(
    responses.map((response) => response.status),
    [202, 400, 200, 400, 202],
  );
  assert.is(JSON.parse(responses[1].body.toString('utf8')).error.code, 'INVALID_QUEUE_NAME');
  assert.is(JSON.parse(responses[2].body.toString('utf8')).status, 'ok');
  assert.is(JSON.parse(responses[3].body.toString('utf8')).error.code, 'INVALID_JSON');
});

pipelining.run();
