// The client and the delivery engine against fauxqs, an SQS emulator written independently
// of our code: its MD5 digests, FIFO rules and batch handling check ours. fauxqs binds every
// interface, so requests go only to 127.0.0.1.

import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqsClient } from '../../src/sqs/client.js';
import { Delivery } from '../../src/sqs/delivery.js';
import { md5OfAttributes, md5OfBody } from '../../src/sqs/md5.js';
import type { OutgoingMessage } from '../../src/sqs/message.js';

const CREDENTIALS = { accessKeyId: 'AKIDFAUXQS', secretAccessKey: 'fauxqs-secret' };

interface Received {
  Body: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  Attributes?: Record<string, string>;
}

async function withFauxqs(run: (client: SqsClient, server: FauxqsServer) => Promise<void>): Promise<void> {
  const server = await startFauxqs({ port: 0, logger: false });
  const client = new SqsClient({ endpoint: `http://127.0.0.1:${server.port}`, region: 'us-east-1', connections: 8 });
  try {
    await run(client, server);
  } finally {
    await client.close();
    await server.stop();
  }
}

/** Receives and deletes until `expected` messages arrived or the queue returned nothing three times. */
async function receiveAll(client: SqsClient, queueUrl: string, expected: number): Promise<Received[]> {
  const received: Received[] = [];
  let emptyReceives = 0;
  while (received.length < expected && emptyReceives < 3) {
    const result = await client.receiveMessage({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 0 }, CREDENTIALS);
    const messages = (result.Messages ?? []) as Received[];
    if (messages.length === 0) emptyReceives++;
    for (const message of messages) {
      received.push(message);
      await client.deleteMessage({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }, CREDENTIALS);
    }
  }
  return received;
}

const actions = suite('client on fauxqs');

actions('queue actions and attribute digests', async () => {
  await withFauxqs(async (client) => {
    const created = await client.createQueue({ QueueName: 'fauxqs-actions' }, CREDENTIALS);
    const queueUrl = await client.getQueueUrl('fauxqs-actions', CREDENTIALS);
    assert.is(queueUrl, created.QueueUrl);
    const listed = await client.listQueues({}, CREDENTIALS);
    assert.ok((listed.QueueUrls as string[]).includes(queueUrl));

    const attributes = {
      text: { DataType: 'String', StringValue: 'héllo wörld' },
      count: { DataType: 'Number.int', StringValue: '42' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 250, 255]).toString('base64') },
    };
    // fauxqs 1.9 rejects characters above U+FFFF, which SQS accepts, so the body stays in the BMP.
    const body = 'ünïcode € 日本 body';
    const sent = await client.sendMessage({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes }, CREDENTIALS);
    assert.is(sent.MD5OfMessageBody, md5OfBody(body));
    assert.is(sent.MD5OfMessageAttributes, md5OfAttributes(attributes));

    const [message] = await receiveAll(client, queueUrl, 1);
    assert.is(message?.Body, body);
    assert.is(message?.MD5OfMessageAttributes, md5OfAttributes(attributes));
    assert.is(message?.MessageAttributes?.blob?.BinaryValue, attributes.blob.BinaryValue);

    const queueAttributes = await client.getQueueAttributes({ QueueUrl: queueUrl, AttributeNames: ['All'] }, CREDENTIALS);
    assert.is((queueAttributes.Attributes as Record<string, string>).ApproximateNumberOfMessages, '0');

    await client.deleteQueue({ QueueUrl: queueUrl }, CREDENTIALS, 'fauxqs-actions');
    const after = await client.listQueues({}, CREDENTIALS);
    assert.not.ok(((after.QueueUrls as string[] | undefined) ?? []).includes(queueUrl));
  });
});

actions('content-based deduplication attribute is read', async () => {
  await withFauxqs(async (client) => {
    await client.createQueue({ QueueName: 'plain.fifo', Attributes: { FifoQueue: 'true' } }, CREDENTIALS);
    await client.createQueue({ QueueName: 'content.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }, CREDENTIALS);
    assert.is(await client.usesContentBasedDeduplication('plain.fifo', CREDENTIALS), false);
    assert.is(await client.usesContentBasedDeduplication('content.fifo', CREDENTIALS), true);
  });
});

actions.run();

const delivery = suite('delivery on fauxqs');

async function deliver(client: SqsClient, messages: OutgoingMessage[]): Promise<{ sent: number; failed: string[] }> {
  let sent = 0;
  const failed: string[] = [];
  const engine = new Delivery({ client, onSent: () => sent++, onFailed: (id, error) => failed.push(`${id}: ${error.code} ${error.message}`) });
  for (const message of messages) engine.send(message);
  const remaining = await engine.drain(60_000);
  assert.is(remaining.length, 0);
  return { sent, failed };
}

delivery('standard queue receives every message once with attributes', async () => {
  await withFauxqs(async (client) => {
    await client.createQueue({ QueueName: 'bulk' }, CREDENTIALS);
    const messages = Array.from({ length: 1000 }, (_, i): OutgoingMessage => ({
      id: `m${i}`,
      queueName: 'bulk',
      credentials: CREDENTIALS,
      body: `message ${i} ✓`,
      attributes: { index: { DataType: 'Number', StringValue: String(i) }, raw: { DataType: 'Binary', BinaryValue: Buffer.from([i % 256]) } },
    }));
    const outcome = await deliver(client, messages);
    assert.equal(outcome.failed, []);
    assert.is(outcome.sent, 1000);

    const received = await receiveAll(client, await client.getQueueUrl('bulk', CREDENTIALS), 1000);
    const bodies = received.map((message) => message.Body);
    assert.is(new Set(bodies).size, 1000);
    assert.is(bodies.length, 1000);
    const sample = received.find((message) => message.Body === 'message 7 ✓');
    assert.is(sample?.MessageAttributes?.index?.StringValue, '7');
  });
});

delivery('FIFO queue keeps group order with generated ids', async () => {
  await withFauxqs(async (client) => {
    await client.createQueue({ QueueName: 'ordered.fifo', Attributes: { FifoQueue: 'true' } }, CREDENTIALS);
    const messages = Array.from({ length: 600 }, (_, i): OutgoingMessage => ({ id: `m${i}`, queueName: 'ordered.fifo', credentials: CREDENTIALS, body: `${i}`, groupId: `g${i % 12}` }));
    const outcome = await deliver(client, messages);
    assert.equal(outcome.failed, []);

    const received = await receiveAll(client, await client.getQueueUrl('ordered.fifo', CREDENTIALS), 600);
    assert.is(received.length, 600);
    const lastPerGroup = new Map<string, number>();
    for (const message of received) {
      const group = message.Attributes?.MessageGroupId ?? `g${Number(message.Body) % 12}`;
      const index = Number(message.Body);
      assert.ok((lastPerGroup.get(group) ?? -1) < index, `group ${group}: ${index} arrived after ${lastPerGroup.get(group)}`);
      lastPerGroup.set(group, index);
    }
  });
});

delivery.run();
