// JSON-protocol encoding and decoding: error parsing and classification, message checks,
// payload sizes and SendMessageBatch encoding.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqsError, classifyRetryable, codeFromType, parseErrorResponse } from '../../src/sqs/errors.js';
import { checkMessage, encodeMessageFields, payloadSize, MAX_PAYLOAD_BYTES, type OutgoingMessage } from '../../src/sqs/message.js';
import { encodeBatch } from '../../src/sqs/send.js';
import type { Entry } from '../../src/sqs/batcher.js';

const CREDENTIALS = { accessKeyId: 'AKIDPROTOCOL', secretAccessKey: 'protocol-secret' };

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { id: 'm1', queueName: 'orders', credentials: CREDENTIALS, body: 'hello', ...overrides };
}

function entry(source: OutgoingMessage, deduplicationId?: string): Entry {
  return { message: source, size: payloadSize(source), attempts: 0, acceptedAt: 0, queuedAt: 0, deduplicationId, state: 'queued', retryTimer: undefined };
}

const errors = suite('error responses');

errors('codeFromType strips namespace and suffix', () => {
  assert.is(codeFromType('com.amazonaws.sqs#QueueDoesNotExist'), 'QueueDoesNotExist');
  assert.is(codeFromType('QueueDoesNotExist'), 'QueueDoesNotExist');
  assert.is(codeFromType('com.amazon.coral.service#AccessDeniedException:http://internal.amazon.com/coral/'), 'AccessDeniedException');
});

errors('parses __type, message and query header', () => {
  const error = parseErrorResponse(
    400,
    'AWS.SimpleQueueService.NonExistentQueue;Sender',
    '{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}',
    'req-1',
  );
  assert.instance(error, SqsError);
  assert.is(error.code, 'QueueDoesNotExist');
  assert.is(error.queryCode, 'AWS.SimpleQueueService.NonExistentQueue');
  assert.is(error.message, 'The specified queue does not exist.');
  assert.is(error.senderFault, true);
  assert.is(error.retryable, false);
  assert.is(error.statusCode, 400);
  assert.is(error.requestId, 'req-1');
});

errors('reads Message with a capital M', () => {
  const error = parseErrorResponse(400, undefined, '{"__type":"InvalidParameterValue","Message":"bad value"}');
  assert.is(error.message, 'bad value');
});

errors('falls back to the query code without a body', () => {
  const error = parseErrorResponse(400, 'RequestThrottled;Sender', '');
  assert.is(error.code, 'RequestThrottled');
  assert.is(error.retryable, true);
});

errors('non-JSON 502 is retryable', () => {
  const error = parseErrorResponse(502, undefined, '<html>Bad Gateway</html>');
  assert.is(error.code, 'InternalError');
  assert.is(error.retryable, true);
  assert.is(error.senderFault, false);
});

errors('non-JSON 4xx without header keeps the status', () => {
  const error = parseErrorResponse(413, undefined, 'too large');
  assert.is(error.code, 'Http413');
  assert.is(error.retryable, false);
});

errors.run();

const classification = suite('retry classification');

const RETRYABLE = ['ThrottlingException', 'RequestThrottled', 'KmsThrottled', 'ServiceUnavailable', 'InternalError', 'NetworkError', 'MD5Mismatch', 'InvalidResponse'];
const PERMANENT = ['QueueDoesNotExist', 'InvalidParameterValue', 'InvalidMessageContents', 'AccessDenied', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'BatchRequestTooLong'];

for (const code of RETRYABLE) {
  classification(`${code} is retryable`, () => {
    assert.is(classifyRetryable(code, 400, 'x'), true);
  });
}

for (const code of PERMANENT) {
  classification(`${code} is permanent`, () => {
    assert.is(classifyRetryable(code, 400, 'The request is invalid.'), false);
  });
}

classification('any 5xx is retryable', () => {
  assert.is(classifyRetryable('SomethingNew', 500, 'x'), true);
  assert.is(classifyRetryable('SomethingNew', 503, 'x'), true);
  assert.is(classifyRetryable('SomethingNew', 400, 'x'), false);
});

classification('clock skew makes SignatureDoesNotMatch retryable', () => {
  assert.is(classifyRetryable('SignatureDoesNotMatch', 403, 'Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z'), true);
  assert.is(classifyRetryable('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided.'), false);
});

classification('explicit flag overrides the table', () => {
  assert.is(new SqsError({ code: 'InvalidParameterValue', message: 'x', retryable: true }).retryable, true);
});

classification.run();

const messages = suite('message checks');

messages('accepts a plain message and returns its size', () => {
  assert.is(checkMessage(message({ body: 'héllo' })), 6);
});

messages('payload size counts attribute names, types and values', () => {
  const size = payloadSize(
    message({
      body: 'ab',
      attributes: {
        name: { DataType: 'String', StringValue: 'xyz' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3, 4]).toString('base64') },
        raw: { DataType: 'Binary', BinaryValue: new Uint8Array(5) },
      },
    }),
  );
  // 2 + (4 + 6 + 3) + (4 + 6 + 4) + (3 + 6 + 5)
  assert.is(size, 43);
});

messages('rejects a message over 1 MiB', () => {
  assert.not.throws(() => checkMessage(message({ body: 'x'.repeat(MAX_PAYLOAD_BYTES) })));
  assert.throws(() => checkMessage(message({ body: 'x'.repeat(MAX_PAYLOAD_BYTES + 1) })), /1048577 bytes, over the SQS limit/);
});

messages('rejects bad delays', () => {
  for (const delaySeconds of [-1, 901, 1.5]) {
    assert.throws(() => checkMessage(message({ delaySeconds })), /delaySeconds is/);
  }
});

messages('FIFO needs a group and no delay', () => {
  assert.throws(() => checkMessage(message({ queueName: 'orders.fifo' })), /groupId is required/);
  assert.throws(() => checkMessage(message({ queueName: 'orders.fifo', groupId: 'g', delaySeconds: 5 })), /cannot be set per message/);
  assert.not.throws(() => checkMessage(message({ queueName: 'orders.fifo', groupId: 'g' })));
});

messages('rejects a long deduplication id', () => {
  assert.throws(() => checkMessage(message({ deduplicationId: 'd'.repeat(129) })), /1 to 128 characters/);
});

messages('errors carry InvalidMessage and never the secret', () => {
  try {
    checkMessage(message({ delaySeconds: 1000 }));
    assert.unreachable('expected a throw');
  } catch (error) {
    assert.instance(error, SqsError);
    assert.is((error as SqsError).code, 'InvalidMessage');
    assert.not.match((error as SqsError).message, CREDENTIALS.secretAccessKey);
  }
});

messages.run();

const encoding = suite('request encoding');

encoding('SendMessage fields', () => {
  const fields = encodeMessageFields(
    message({
      queueName: 'orders.fifo',
      groupId: 'g1',
      delaySeconds: 0,
      attributes: { raw: { DataType: 'Binary', BinaryValue: Buffer.from('hi') }, text: { DataType: 'String', StringValue: 'v' } },
    }),
    'dedup-1',
  );
  assert.equal(fields, {
    MessageBody: 'hello',
    MessageAttributes: { raw: { DataType: 'Binary', BinaryValue: 'aGk=' }, text: { DataType: 'String', StringValue: 'v' } },
    DelaySeconds: 0,
    MessageGroupId: 'g1',
    MessageDeduplicationId: 'dedup-1',
  });
});

encoding('batch entry ids are unique and valid', () => {
  const batch = Array.from({ length: 10 }, (_, index) => entry(message({ id: `same-caller-id`, body: `b${index}` })));
  const encoded = encodeBatch('https://sqs.us-east-1.amazonaws.com/1/orders', batch) as { QueueUrl: string; Entries: Array<{ Id: string; MessageBody: string }> };
  const ids = encoded.Entries.map((item) => item.Id);
  assert.is(new Set(ids).size, 10);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{1,80}$/);
  assert.equal(encoded.Entries.map((item) => item.MessageBody), batch.map((item) => item.message.body));
  assert.is(encoded.QueueUrl, 'https://sqs.us-east-1.amazonaws.com/1/orders');
});

encoding.run();
