// Checks a message against SQS's SendMessage rules before the accelerator acknowledges it, so
// that a message SQS would reject is rejected at once with 400 or 413 and never reaches a
// dead-letter file. Rules and limits follow the SQS API reference (SendMessage,
// MessageAttributeValue) and the SQS developer guide's page on message attributes.

import { AcceleratorError, previewValue } from './errors.js';
import { describeCharacterAt, isFifoQueue, measureMessageText, type MessageInput } from './message.js';
import { measureAttributes } from './validate-attributes.js';

/** SQS's maximum message size, body plus attributes, since 2025: 1 MiB. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
export const MAX_DELAY_SECONDS = 900;
const MAX_QUEUE_NAME_LENGTH = 80;
const MAX_MESSAGE_ID_LENGTH = 128;

export interface ValidationOptions {
  /** Maximum size in bytes of body plus attributes as SQS counts it; 1,048,576 by default. */
  maxMessageBytes?: number;
}

/** Returns why `name` is not a valid SQS queue name, or undefined when it is valid. */
function describeQueueNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_QUEUE_NAME_LENGTH) {
    return `is ${name.length} characters long, longer than the maximum of ${MAX_QUEUE_NAME_LENGTH} (including ".fifo")`;
  }

  const stemLength = isFifoQueue(name) ? name.length - 5 : name.length;
  if (stemLength === 0) return 'has nothing before ".fifo"';
  for (let index = 0; index < stemLength; index++) {
    const code = name.charCodeAt(index);
    const allowed =
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      code === 0x2d ||
      code === 0x5f;
    if (!allowed) return `contains ${describeCharacterAt(name, index)}`;
  }
  return undefined;
}

function queueNameError(name: string): AcceleratorError | undefined {
  const problem = describeQueueNameProblem(name);
  if (problem === undefined) return undefined;
  return new AcceleratorError(
    'INVALID_QUEUE_NAME',
    'queue',
    `queue name ${previewValue(name)} ${problem}: use 1 to 80 letters, digits, "-" or "_", with ".fifo" at the end for a FIFO queue`,
  );
}

/** Throws INVALID_QUEUE_NAME unless `name` has 1 to 80 characters `[A-Za-z0-9_-]`, optionally ending in `.fifo`. */
/** Throws INVALID_QUEUE_NAME for an invalid name; `field` names where the client sent it. */
export function validateQueueName(name: string, field = 'queue'): void {
  const error = queueNameError(name);
  if (error === undefined) return;
  throw field === error.field ? error : new AcceleratorError(error.code, field, error.message);
}

/** Returns why a message group or deduplication id is invalid, or undefined when it is valid. */
function describeMessageIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, not ${previewValue(value)}`;
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_MESSAGE_ID_LENGTH) {
    return `is ${value.length} characters long, longer than the maximum of ${MAX_MESSAGE_ID_LENGTH}`;
  }

  // SQS allows alphanumeric characters and punctuation: the printable ASCII range without space.
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x21 || code > 0x7e) return `contains ${describeCharacterAt(value, index)}`;
  }
  return undefined;
}

function checkBody(body: unknown, problems: AcceleratorError[]): number {
  if (typeof body !== 'string') {
    problems.push(new AcceleratorError('MISSING_BODY', 'body', `message body must be a string, not ${previewValue(body)}`));
    return 0;
  }
  if (body.length === 0) {
    problems.push(new AcceleratorError('MISSING_BODY', 'body', 'message body is empty: SQS requires at least one character'));
    return 0;
  }

  const bytes = measureMessageText(body);
  if (bytes < 0) {
    const where = describeCharacterAt(body, -bytes - 1);
    problems.push(
      new AcceleratorError(
        'INVALID_CHARACTERS',
        'body',
        `message body contains ${where}, which SQS rejects: use tab, line feed, carriage return and Unicode characters from U+0020 except surrogates, U+FFFE and U+FFFF`,
      ),
    );
    return 0;
  }
  return bytes;
}

function checkDelaySeconds(message: MessageInput, fifo: boolean, problems: AcceleratorError[]): void {
  const delay: unknown = message.delaySeconds;
  if (delay === undefined) return;

  if (fifo) {
    problems.push(
      new AcceleratorError(
        'DELAY_SECONDS_ON_FIFO',
        'delaySeconds',
        `delaySeconds ${previewValue(delay)} is not allowed per message on a FIFO queue: omit it, because FIFO queues apply the queue's own delay`,
      ),
    );
    return;
  }
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS) {
    problems.push(
      new AcceleratorError(
        'INVALID_DELAY_SECONDS',
        'delaySeconds',
        `delaySeconds ${previewValue(delay)} is invalid: use a whole number of seconds from 0 to ${MAX_DELAY_SECONDS}`,
      ),
    );
  }
}

function checkGroupAndDeduplication(message: MessageInput, fifo: boolean, problems: AcceleratorError[]): void {
  // Standard queues accept MessageGroupId since SQS fair queues (2025): it names the tenant
  // whose messages share a fair share of throughput, so it is checked but allowed.
  if (message.groupId === undefined) {
    if (fifo) {
      problems.push(
        new AcceleratorError('MISSING_GROUP_ID', 'groupId', 'groupId is required for a FIFO queue: give each message a message group id'),
      );
    }
  } else {
    const problem = describeMessageIdProblem(message.groupId);
    if (problem !== undefined) {
      problems.push(
        new AcceleratorError(
          'INVALID_GROUP_ID',
          'groupId',
          `groupId ${previewValue(message.groupId)} ${problem}: use 1 to 128 ASCII letters, digits or punctuation`,
        ),
      );
    }
  }

  if (message.deduplicationId === undefined) return;
  if (!fifo) {
    problems.push(
      new AcceleratorError(
        'DEDUPLICATION_ID_ON_STANDARD',
        'deduplicationId',
        'deduplicationId applies only to FIFO queues: omit it, or send to a queue whose name ends in ".fifo"',
      ),
    );
    return;
  }
  const problem = describeMessageIdProblem(message.deduplicationId);
  if (problem !== undefined) {
    problems.push(
      new AcceleratorError(
        'INVALID_DEDUPLICATION_ID',
        'deduplicationId',
        `deduplicationId ${previewValue(message.deduplicationId)} ${problem}: use 1 to 128 ASCII letters, digits or punctuation`,
      ),
    );
  }
}

/**
 * Returns every rule that `message` breaks for queue `queueName`, in field order, and its size
 * in bytes as SQS counts it (body plus attribute names, data types and values). The size is
 * only meaningful when there are no problems.
 */
export function findMessageProblems(
  queueName: string,
  message: MessageInput,
  options: ValidationOptions = {},
): { problems: AcceleratorError[]; bytes: number } {
  const problems: AcceleratorError[] = [];
  const maxBytes = options.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES;

  const queueError = queueNameError(queueName);
  if (queueError !== undefined) problems.push(queueError);
  const fifo = isFifoQueue(queueName);

  const bodyBytes = checkBody(message.body, problems);
  const attributeBytes = measureAttributes(message.attributes, problems);
  checkDelaySeconds(message, fifo, problems);
  checkGroupAndDeduplication(message, fifo, problems);

  const bytes = bodyBytes + attributeBytes;
  if (bytes > maxBytes) {
    problems.push(
      new AcceleratorError(
        'MESSAGE_TOO_LARGE',
        attributeBytes === 0 ? 'body' : 'attributes',
        `message is ${bytes} bytes (body ${bodyBytes}, attributes ${attributeBytes}), more than the maximum of ${maxBytes}: send a smaller message, or store the payload elsewhere and send a reference`,
      ),
    );
  }

  return { problems, bytes };
}

/**
 * Throws the first problem that `findMessageProblems` reports, and otherwise returns the
 * message size in bytes as SQS counts it.
 */
export function validateMessage(queueName: string, message: MessageInput, options: ValidationOptions = {}): number {
  const { problems, bytes } = findMessageProblems(queueName, message, options);
  if (problems.length > 0) throw problems[0];
  return bytes;
}

/**
 * Validates the messages of a multi-line request for one queue and returns their sizes in
 * bytes, in order. Throws the first problem of the first bad message, with its line number in
 * the field and message, so that the request can be rejected as a whole.
 */
export function validateMessageLines(
  queueName: string,
  lines: readonly { line: number; message: MessageInput }[],
  options: ValidationOptions = {},
): number[] {
  validateQueueName(queueName);

  const sizes: number[] = [];
  for (const { line, message } of lines) {
    const { problems, bytes } = findMessageProblems(queueName, message, options);
    if (problems.length > 0) throw problems[0].atLine(line);
    sizes.push(bytes);
  }
  return sizes;
}
