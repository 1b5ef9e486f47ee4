// Queue management, FIFO order and the llhttp parser engine through the real command, with
// fauxqs as the upstream SQS. Queue attributes are checked again with the AWS SDK, so that a
// route cannot pass by echoing what it was sent.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type Message } from '@aws-sdk/client-sqs';
import { makeScratchDirectory, startCli, stopAllCliProcesses, type CliProcess } from '../support/cli-process.js';
import { FAUXQS_CREDENTIALS, attributesOfReceived, drainQueue, request, startFauxqs, waitForNoPending, type Fauxqs } from '../support/e2e-http.js';
import { buildWorkload, sendPipelined, tagOf, type EncodedRequest } from '../support/e2e-messages.js';

const ENVIRONMENT = { AWS_ACCESS_KEY_ID: FAUXQS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAUXQS_CREDENTIALS.secretAccessKey };
const FORM_TYPE = 'application/x-www-form-urlencoded';

const queues = suite('queues through the command');
let fauxqs: Fauxqs | undefined;
let cli: CliProcess | undefined;

function daemonArguments(endpoint: string, extra: string[] = []): string[] {
  return ['--port', '0', '--endpoint', endpoint, '--dead-letter-file', `${makeScratchDirectory('queues-')}/dead-letters.jsonl`, '--log-level', 'info', ...extra];
}

queues.before(async () => {
  fauxqs = await startFauxqs();
  cli = await startCli({ args: daemonArguments(fauxqs.endpoint), environment: ENVIRONMENT });
});

queues.after(async () => {
  await stopAllCliProcesses();
  await fauxqs?.close();
});

async function sqsAttributes(name: string): Promise<Record<string, string>> {
  const { QueueUrl } = await fauxqs!.sdk.send(new GetQueueUrlCommand({ QueueName: name }));
  const result = await fauxqs!.sdk.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  return result.Attributes ?? {};
}

queues('create from a form', async () => {
  const answer = await request(`${cli!.baseUrl}/queues`, { method: 'POST', headers: { 'content-type': FORM_TYPE }, body: 'queue_name=e2e-form&visibility_timeout=45' });
  assert.is(answer.status, 201, answer.text);
  assert.is(answer.headers.get('location'), '/queues/e2e-form');
  assert.is(answer.json.name, 'e2e-form');
  assert.is((await sqsAttributes('e2e-form')).VisibilityTimeout, '45');
});

queues('create FIFO from JSON', async () => {
  const body = JSON.stringify({ queue_name: 'e2e-json.fifo', fifo: true, content_based_deduplication: true, visibility_timeout: 120 });
  const answer = await request(`${cli!.baseUrl}/queues`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.is(answer.status, 201, answer.text);
  assert.is(answer.headers.get('location'), '/queues/e2e-json.fifo');

  const attributes = await sqsAttributes('e2e-json.fifo');
  assert.is(attributes.FifoQueue, 'true');
  assert.is(attributes.ContentBasedDeduplication, 'true');
  assert.is(attributes.VisibilityTimeout, '120');
});

queues('create rejects bad fields', async () => {
  const badName = await request(`${cli!.baseUrl}/queues`, { method: 'POST', headers: { 'content-type': FORM_TYPE }, body: 'queue_name=bad%20name' });
  assert.is(badName.status, 400);
  assert.is(badName.json.error.field, 'queue_name');

  const badTimeout = await request(`${cli!.baseUrl}/queues`, { method: 'POST', headers: { 'content-type': FORM_TYPE }, body: 'queue_name=e2e-never&visibility_timeout=43201' });
  assert.is(badTimeout.status, 400);
  assert.is(badTimeout.json.error.field, 'visibility_timeout');

  const listed = await request(`${cli!.baseUrl}/queues`);
  assert.not.ok(listed.text.includes('e2e-never'));
});

queues('create takes camelCase JSON', async () => {
  const answer = await request(`${cli!.baseUrl}/queues`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ queueName: 'e2e-camel', visibilityTimeout: 50 }),
  });
  assert.is(answer.status, 201, answer.text);
  assert.is((await sqsAttributes('e2e-camel')).VisibilityTimeout, '50');
});

queues('create names unknown fields first', async () => {
  const answer = await request(`${cli!.baseUrl}/queues`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"e2e-never"}' });
  assert.is(answer.status, 400);
  assert.is(answer.json.error.code, 'UNKNOWN_FIELD');
  assert.is(answer.json.error.field, 'name');
});

queues('create rejects other body types', async () => {
  const multipart = await request(`${cli!.baseUrl}/queues`, {
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    body: '--x\r\nContent-Disposition: form-data; name="queue_name"\r\n\r\ne2e-never\r\n--x--\r\n',
  });
  assert.is(multipart.status, 415);
  const text = await request(`${cli!.baseUrl}/queues`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'queue_name=e2e-never' });
  assert.is(text.status, 415);
  assert.is(text.json.error.field, 'Content-Type');
});

queues('list shows created queues', async () => {
  const answer = await request(`${cli!.baseUrl}/queues`);
  assert.is(answer.status, 200);
  const names = (answer.json.queues as { name: string; href: string }[]).map((queue) => queue.name);
  assert.ok(names.includes('e2e-form'), `list: ${answer.text}`);
  assert.ok(names.includes('e2e-json.fifo'), `list: ${answer.text}`);
  const form = (answer.json.queues as { name: string; href: string }[]).find((queue) => queue.name === 'e2e-form');
  assert.is(form?.href, '/queues/e2e-form');
});

queues('show returns attributes', async () => {
  const answer = await request(`${cli!.baseUrl}/queues/e2e-form`);
  assert.is(answer.status, 200);
  assert.is(answer.json.name, 'e2e-form');
  assert.is(answer.json.attributes.VisibilityTimeout, '45');
  assert.is(answer.json.attributes.QueueArn, (await sqsAttributes('e2e-form')).QueueArn);
});

queues('unknown queue is 404', async () => {
  const shown = await request(`${cli!.baseUrl}/queues/e2e-missing`);
  assert.is(shown.status, 404, shown.text);
  assert.ok(shown.json.error.message.length > 0);

  const deleted = await request(`${cli!.baseUrl}/queues/e2e-missing`, { method: 'DELETE' });
  assert.is(deleted.status, 404, deleted.text);
});

queues('delete removes the queue', async () => {
  const answer = await request(`${cli!.baseUrl}/queues/e2e-form`, { method: 'DELETE' });
  assert.is(answer.status, 204, answer.text);
  assert.is(answer.text, '');

  const listed = await request(`${cli!.baseUrl}/queues`);
  assert.not.ok((listed.json.queues as { name: string }[]).some((queue) => queue.name === 'e2e-form'));
  const shown = await request(`${cli!.baseUrl}/queues/e2e-form`);
  assert.is(shown.status, 404);
});

/** Returns the messages in SQS's order: by SequenceNumber where fauxqs reports one. */
function inSequence(messages: Message[]): Message[] {
  return [...messages].sort((left, right) => {
    const difference = BigInt(left.Attributes?.SequenceNumber ?? '0') - BigInt(right.Attributes?.SequenceNumber ?? '0');
    return Number(difference > 0n) - Number(difference < 0n);
  });
}

queues('FIFO groups keep their order', async () => {
  const GROUPS = 5;
  const PER_GROUP = 40;
  const requests: EncodedRequest[] = [];
  const expected = new Map<string, string[]>();
  // Groups interleave on one connection, whose requests the daemon accepts in order.
  for (let index = 0; index < GROUPS * PER_GROUP; index++) {
    const group = `group-${index % GROUPS}`;
    const body = `f${index}|${group} message ${Math.floor(index / GROUPS)} ✓ 順序`;
    expected.set(group, [...(expected.get(group) ?? []), body]);
    requests.push({
      path: '/queues/e2e-json.fifo',
      contentType: 'application/json',
      body: JSON.stringify({ body, groupId: group, deduplicationId: `dedup-${index}` }),
      messages: [{ tag: `f${index}`, form: 'json', body }],
    });
  }
  const results = await sendPipelined(cli!.baseUrl, requests, { connections: 1, pipelining: 32 });
  for (const result of results) assert.is(result.status, 202, JSON.stringify(result.json));
  await waitForNoPending(cli!.baseUrl);

  const received = inSequence(await drainQueue(fauxqs!.sdk, 'e2e-json.fifo', GROUPS * PER_GROUP));
  const arrived = new Map<string, string[]>();
  for (const message of received) {
    const group = message.Attributes?.MessageGroupId ?? '';
    arrived.set(group, [...(arrived.get(group) ?? []), message.Body ?? '']);
  }
  for (const [group, bodies] of expected) assert.equal(arrived.get(group), bodies, `group ${group} out of order`);
});

queues('llhttp parser serves the API', async () => {
  const llhttp = await startCli({ args: daemonArguments(fauxqs!.endpoint, ['--parser', 'llhttp']), environment: ENVIRONMENT });
  const created = await request(`${llhttp.baseUrl}/queues`, { method: 'POST', headers: { 'content-type': FORM_TYPE }, body: 'queue_name=e2e-llhttp' });
  assert.is(created.status, 201, created.text);

  const requests = buildWorkload('e2e-llhttp', 400);
  const results = await sendPipelined(llhttp.baseUrl, requests, { connections: 4, pipelining: 16 });
  for (const result of results) assert.is(result.status, 202, JSON.stringify(result.json));
  const stats = await waitForNoPending(llhttp.baseUrl);
  assert.is(stats.sent, 400);

  const received = await drainQueue(fauxqs!.sdk, 'e2e-llhttp', 400);
  assert.is(received.length, 400);
  const sent = new Map(requests.flatMap((encoded) => encoded.messages).map((message) => [message.tag, message]));
  for (const message of received) {
    const original = sent.get(tagOf(message.Body ?? '') ?? '');
    assert.ok(original !== undefined, `unexpected body ${message.Body?.slice(0, 40)}`);
    assert.is(message.Body, original.body);
    assert.equal(attributesOfReceived(message), original.attributes ?? {});
  }
  assert.is((await llhttp.stop()).code, 0);
});

queues.run();
