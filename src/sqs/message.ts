// The message the delivery engine accepts, its checks, its size as SQS counts it, and its
// encoding as a SendMessage request or a SendMessageBatch entry.

import type { Credentials } from './signer.js';
import { binaryValueBytes, type MessageAttributes } from './md5.js';
import { LOCAL_ERROR_CODES, SqsError } from './errors.js';

export interface OutgoingMessage {
  /** The caller's id, echoed in every callback; need not be unique across queues. */
  id: string;
  queueName: string;
  credentials: Credentials;
  body: string;
  attributes?: MessageAttributes;
  delaySeconds?: number;
  groupId?: string;
  deduplicationId?: string;
}

/** SQS's limit on one message and on one SendMessageBatch payload: 1 MiB, body plus attributes. */
export const MAX_PAYLOAD_BYTES = 1_048_576;
export const MAX_BATCH_ENTRIES = 10;
export const MAX_DELAY_SECONDS = 900;
export const MAX_DEDUPLICATION_ID_LENGTH = 128;

/** Returns true for a FIFO queue name, which SQS requires to end in `.fifo`. */
export function isFifoQueue(queueName: string): boolean {
  return queueName.endsWith('.fifo');
}

/** Returns the payload size SQS counts for a message: body, attribute names, types and values, in bytes. */
export function payloadSize(message: OutgoingMessage): number {
  let size = Buffer.byteLength(message.body, 'utf8');
  const attributes = message.attributes;
  if (attributes === undefined) return size;

  for (const name of Object.keys(attributes)) {
    const attribute = attributes[name]!;
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType, 'utf8');
    if (attribute.StringValue !== undefined) size += Buffer.byteLength(attribute.StringValue, 'utf8');
    if (attribute.BinaryValue !== undefined) {
      size += typeof attribute.BinaryValue === 'string' ? base64DecodedLength(attribute.BinaryValue) : attribute.BinaryValue.byteLength;
    }
  }
  return size;
}

function base64DecodedLength(text: string): number {
  let padding = 0;
  if (text.endsWith('==')) padding = 2;
  else if (text.endsWith('=')) padding = 1;
  return Math.floor((text.length * 3) / 4) - padding;
}

function invalid(message: OutgoingMessage, problem: string): SqsError {
  return new SqsError({ code: LOCAL_ERROR_CODES.invalidMessage, message: `message ${JSON.stringify(message.id)} for queue ${JSON.stringify(message.queueName)}: ${problem}` });
}

/**
 * Checks what the engine relies on (size, delay, FIFO fields) and returns the payload size.
 * Throws an SqsError with code InvalidMessage naming the field; full validation of names and
 * characters is left to the caller and to SQS.
 */
export function checkMessage(message: OutgoingMessage): number {
  if (typeof message.id !== 'string' || message.id === '') throw invalid(message, 'id must be a non-empty string');
  if (typeof message.queueName !== 'string' || message.queueName === '') throw invalid(message, 'queueName must be a non-empty string');
  if (typeof message.body !== 'string') throw invalid(message, 'body must be a string');
  if (typeof message.credentials?.accessKeyId !== 'string' || typeof message.credentials.secretAccessKey !== 'string') {
    throw invalid(message, 'credentials must contain accessKeyId and secretAccessKey strings');
  }

  const size = payloadSize(message);
  if (size > MAX_PAYLOAD_BYTES) throw invalid(message, `payload is ${size} bytes, over the SQS limit of ${MAX_PAYLOAD_BYTES}; shorten the body or attributes`);

  const delay = message.delaySeconds;
  if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)) {
    throw invalid(message, `delaySeconds is ${delay}, expected an integer from 0 to ${MAX_DELAY_SECONDS}`);
  }

  if (isFifoQueue(message.queueName)) {
    if (message.groupId === undefined || message.groupId === '') throw invalid(message, 'groupId is required on a FIFO queue');
    if (delay !== undefined && delay !== 0) throw invalid(message, 'delaySeconds cannot be set per message on a FIFO queue');
  }
  const dedup = message.deduplicationId;
  if (dedup !== undefined && (dedup === '' || dedup.length > MAX_DEDUPLICATION_ID_LENGTH)) {
    throw invalid(message, `deduplicationId must be 1 to ${MAX_DEDUPLICATION_ID_LENGTH} characters, got ${dedup.length}`);
  }
  return size;
}

function encodeAttributes(attributes: MessageAttributes): Record<string, unknown> {
  const encoded: Record<string, unknown> = {};
  for (const name of Object.keys(attributes)) {
    const attribute = attributes[name]!;
    const value: Record<string, string> = { DataType: attribute.DataType };
    if (attribute.StringValue !== undefined) value.StringValue = attribute.StringValue;
    if (attribute.BinaryValue !== undefined) {
      value.BinaryValue = typeof attribute.BinaryValue === 'string' ? attribute.BinaryValue : binaryValueBytes(attribute.BinaryValue).toString('base64');
    }
    encoded[name] = value;
  }
  return encoded;
}

/**
 * Returns the SendMessage fields of a message (without QueueUrl). `deduplicationId` is the
 * one to send, which the engine may have generated.
 */
export function encodeMessageFields(message: OutgoingMessage, deduplicationId: string | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = { MessageBody: message.body };
  if (message.attributes !== undefined && Object.keys(message.attributes).length > 0) fields.MessageAttributes = encodeAttributes(message.attributes);
  if (message.delaySeconds !== undefined) fields.DelaySeconds = message.delaySeconds;
  if (message.groupId !== undefined) fields.MessageGroupId = message.groupId;
  if (deduplicationId !== undefined) fields.MessageDeduplicationId = deduplicationId;
  return fields;
}
