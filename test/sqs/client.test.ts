// SqsClient against the fake SQS (signatures checked by smithy) and against raw sockets for
// the wire format and network failures.

import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqsClient } from '../../src/sqs/client.js';
import { SqsError } from '../../src/sqs/errors.js';
import { md5OfAttributes, md5OfBody } from '../../src/sqs/md5.js';
import { DEFAULT_TEST_CREDENTIALS as CREDENTIALS, FakeSqs } from '../support/fake-sqs.js';

const TOKEN_CREDENTIALS = { accessKeyId: 'AKIDWITHTOKEN', secretAccessKey: 'token-secret', sessionToken: 'session-token-value' };

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function expectSqsError(promise: Promise<unknown>): Promise<SqsError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, SqsError);
    return error as SqsError;
  }
  throw new Error('expected the call to throw an SqsError');
}

const actions = suite('client actions on the fake SQS');

actions('every action round-trips', async () => {
  const fake = await FakeSqs.start();
  const client = new SqsClient({ endpoint: fake.endpoint, connections: 2 });
  try {
    const created = await client.createQueue({ QueueName: 'jobs' }, CREDENTIALS);
    assert.is(created.QueueUrl, `${fake.endpoint}/000000000000/jobs`);
    const url = await client.getQueueUrl('jobs', CREDENTIALS);
    assert.is(url, created.QueueUrl);

    const listed = await client.listQueues({ QueueNamePrefix: 'jo' }, CREDENTIALS);
    assert.equal(listed.QueueUrls, [url]);

    const attributes = { kind: { DataType: 'String', StringValue: 'test' } };
    const sent = await client.sendMessage({ QueueUrl: url, MessageBody: 'héllo', MessageAttributes: attributes }, CREDENTIALS);
    assert.is(sent.MD5OfMessageBody, md5OfBody('héllo'));
    assert.is(sent.MD5OfMessageAttributes, md5OfAttributes(attributes));

    const batch = await client.sendMessageBatch({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'one' }, { Id: 'b', MessageBody: 'two' }] }, CREDENTIALS);
    assert.is((batch.Successful as unknown[]).length, 2);

    const queueAttributes = await client.getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] }, CREDENTIALS);
    assert.is((queueAttributes.Attributes as Record<string, string>).ApproximateNumberOfMessages, '3');

    const received = await client.receiveMessage({ QueueUrl: url, MaxNumberOfMessages: 10 }, CREDENTIALS);
    const messages = received.Messages as Array<{ Body: string; ReceiptHandle: string }>;
    assert.equal(messages.map((message) => message.Body), ['héllo', 'one', 'two']);
    await client.deleteMessage({ QueueUrl: url, ReceiptHandle: messages[0]!.ReceiptHandle }, CREDENTIALS);
    assert.is(fake.messages('jobs').length, 2);

    await client.deleteQueue({ QueueUrl: url }, CREDENTIALS, 'jobs');
    const error = await expectSqsError(client.getQueueUrl('jobs', CREDENTIALS));
    assert.is(error.code, 'QueueDoesNotExist');
    assert.is(fake.stats.signatureFailures, 0);
  } finally {
    await client.close();
    await fake.close();
  }
});

actions('generic call passes other actions through', async () => {
  const fake = await FakeSqs.start();
  const client = new SqsClient({ endpoint: fake.endpoint });
  try {
    const error = await expectSqsError(client.call('TagQueue', { QueueUrl: 'x/jobs' }, CREDENTIALS));
    // The fake does not know TagQueue: its error proves the action reached it under that name.
    assert.is(error.code, 'InvalidAction');
    assert.match(error.message, /TagQueue/);
    assert.is(fake.stats.byAction.TagQueue, 1);
  } finally {
    await client.close();
    await fake.close();
  }
});

actions('session token is sent and verified', async () => {
  const fake = await FakeSqs.start({ credentials: [TOKEN_CREDENTIALS] });
  const client = new SqsClient({ endpoint: fake.endpoint });
  try {
    fake.createQueue('tokens');
    assert.match(await client.getQueueUrl('tokens', TOKEN_CREDENTIALS), /tokens$/);
    // A direct call, because getQueueUrl would return the cached URL.
    const error = await expectSqsError(client.call('GetQueueUrl', { QueueName: 'tokens' }, { ...TOKEN_CREDENTIALS, sessionToken: 'wrong-token' }));
    assert.is(error.code, 'InvalidClientTokenId');
    assert.is(error.retryable, false);
    assert.not.match(error.message, 'wrong-token');
  } finally {
    await client.close();
    await fake.close();
  }
});

actions('bad secret is a permanent error without the secret', async () => {
  const fake = await FakeSqs.start();
  const client = new SqsClient({ endpoint: fake.endpoint });
  try {
    const secret = 'this-secret-is-wrong';
    const error = await expectSqsError(client.call('ListQueues', {}, { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: secret }));
    assert.is(error.code, 'SignatureDoesNotMatch');
    assert.is(error.retryable, false);
    assert.not.match(JSON.stringify({ ...error, message: error.message }), secret);
  } finally {
    await client.close();
    await fake.close();
  }
});

actions('queue URLs are cached, missing queues briefly', async () => {
  const fake = await FakeSqs.start();
  const client = new SqsClient({ endpoint: fake.endpoint, missingQueueTtlMs: 60_000 });
  try {
    fake.createQueue('cached');
    const lookups = await Promise.all([1, 2, 3].map(() => client.getQueueUrl('cached', CREDENTIALS)));
    await client.getQueueUrl('cached', CREDENTIALS);
    assert.is(new Set(lookups).size, 1);
    assert.is(fake.stats.byAction.GetQueueUrl, 1);

    await expectSqsError(client.getQueueUrl('missing', CREDENTIALS));
    fake.createQueue('missing');
    const again = await expectSqsError(client.getQueueUrl('missing', CREDENTIALS));
    assert.is(again.code, 'QueueDoesNotExist');
    assert.is(fake.stats.byAction.GetQueueUrl, 2);

    client.forgetQueue('missing', CREDENTIALS);
    assert.match(await client.getQueueUrl('missing', CREDENTIALS), /missing$/);
  } finally {
    await client.close();
    await fake.close();
  }
});

actions('requests go to the endpoint whatever host the queue URL names', async () => {
  const fake = await FakeSqs.start({ queueUrlBase: 'https://sqs.eu-west-1.amazonaws.com/123456789012' });
  const client = new SqsClient({ endpoint: fake.endpoint });
  try {
    fake.createQueue('elsewhere');
    const url = await client.getQueueUrl('elsewhere', CREDENTIALS);
    assert.is(url, 'https://sqs.eu-west-1.amazonaws.com/123456789012/elsewhere');
    await client.sendMessage({ QueueUrl: url, MessageBody: 'routed' }, CREDENTIALS);
    assert.is(fake.messages('elsewhere')[0]?.body, 'routed');
  } finally {
    await client.close();
    await fake.close();
  }
});

actions.run();

const wire = suite('client wire format and failures');

wire('sends POST / with the JSON protocol headers', async () => {
  let seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string } | undefined;
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      seen = { method: request.method, url: request.url, headers: request.headers, body };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{"QueueUrls":[]}');
    });
  });
  const port = await listen(server);
  const client = new SqsClient({ endpoint: `http://127.0.0.1:${port}`, region: 'eu-central-1' });
  try {
    const result = await client.listQueues({ MaxResults: 5 }, TOKEN_CREDENTIALS);
    assert.equal(result, { QueueUrls: [] });
    assert.is(seen?.method, 'POST');
    assert.is(seen?.url, '/');
    assert.is(seen?.headers['content-type'], 'application/x-amz-json-1.0');
    assert.is(seen?.headers['x-amz-target'], 'AmazonSQS.ListQueues');
    assert.is(seen?.headers['x-amz-security-token'], TOKEN_CREDENTIALS.sessionToken);
    assert.is(seen?.headers.host, `127.0.0.1:${port}`);
    assert.match(String(seen?.headers.authorization), /Credential=AKIDWITHTOKEN\/\d{8}\/eu-central-1\/sqs\/aws4_request/);
    assert.equal(JSON.parse(seen!.body), { MaxResults: 5 });
  } finally {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

wire('non-JSON success body is InvalidResponse', async () => {
  const server = createServer((_request, response) => response.end('<html>not json</html>'));
  const port = await listen(server);
  const client = new SqsClient({ endpoint: `http://127.0.0.1:${port}` });
  try {
    const error = await expectSqsError(client.call('ListQueues', {}, CREDENTIALS));
    assert.is(error.code, 'InvalidResponse');
    assert.is(error.retryable, true);
  } finally {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

wire('reset after the request is an ambiguous NetworkError', async () => {
  const server = createNetServer((socket) => socket.once('data', () => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const client = new SqsClient({ endpoint: `http://127.0.0.1:${port}` });
  try {
    const error = await expectSqsError(client.call('ListQueues', {}, CREDENTIALS));
    assert.is(error.code, 'NetworkError');
    assert.is(error.retryable, true);
    assert.is(error.ambiguous, true);
  } finally {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

wire('refused connection is a NetworkError that never reached SQS', async () => {
  // Take a free port and close it again, so that nothing listens there.
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));

  const client = new SqsClient({ endpoint: `http://127.0.0.1:${port}` });
  try {
    const error = await expectSqsError(client.call('ListQueues', {}, CREDENTIALS));
    assert.is(error.code, 'NetworkError');
    assert.is(error.ambiguous, false);
    assert.match(error.message, /ECONNREFUSED/);
  } finally {
    await client.close();
  }
});

wire('slow response times out as NetworkError', async () => {
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((_request, response) => {
    timers.add(setTimeout(() => response.end('{}'), 2_000));
  });
  const port = await listen(server);
  const client = new SqsClient({ endpoint: `http://127.0.0.1:${port}`, headersTimeoutMs: 100 });
  try {
    const error = await expectSqsError(client.call('ListQueues', {}, CREDENTIALS));
    assert.is(error.code, 'NetworkError');
    assert.match(error.message, /UND_ERR_HEADERS_TIMEOUT/);
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

wire('options are checked before any connection', () => {
  assert.throws(() => new SqsClient({ endpoint: 'not a url' }), /endpoint "not a url" is not a valid URL/);
  assert.throws(() => new SqsClient({ endpoint: 'ftp://127.0.0.1' }), /must use http or https/);
  assert.throws(() => new SqsClient({ endpoint: 'http://127.0.0.1', connections: 0 }), /connections must be a positive integer, got 0/);
  assert.throws(() => new SqsClient({ endpoint: 'http://127.0.0.1', headersTimeoutMs: -1 }), /headersTimeoutMs must be/);
});

wire('default endpoint follows the region', async () => {
  // Constructing a client opens no connection, so this does not reach AWS.
  const client = new SqsClient({ region: 'ap-south-1' });
  assert.is(client.endpoint.href, 'https://sqs.ap-south-1.amazonaws.com/');
  assert.is(client.connections, 64);
  assert.is(client.pipelining, 1);
  await client.close();
});

wire.run();
