// Turns an HTTP request body into messages. Four forms are accepted:
//
// - `application/x-www-form-urlencoded`: the field `message_body`, as the 2009 prototype took
//   it, and optional `delay_seconds`, `group_id` and `deduplication_id`. Empty optional fields
//   count as absent, because HTML forms submit empty inputs. Forms carry no attributes.
// - `application/json` (or any `+json` type): one JSON message object, see `readJsonMessage`.
// - NDJSON, for the route that takes many messages: one JSON message object per line.
// - Anything else, or no Content-Type: the raw body is the message, decoded as UTF-8.
//
// The result is not yet checked against SQS rules: `validateMessage` does that per queue.

import { AcceleratorError, previewValue } from './errors.js';
import { setOwnProperty, type MessageAttribute, type MessageInput } from './message.js';
import { findInvalidUtf8Offset } from './utf8.js';

/** The default maximum number of messages in one NDJSON request. */
export const DEFAULT_MAX_REQUEST_MESSAGES = 1000;

const JSON_MESSAGE_KEYS = new Set(['body', 'attributes', 'delaySeconds', 'groupId', 'deduplicationId']);
const FORM_FIELDS = ['message_body', 'delay_seconds', 'group_id', 'deduplication_id'];

// Decoding keeps a leading byte order mark as U+FEFF, so the message is the bytes that were sent.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 bytes, or throws INVALID_UTF8 naming the offset of the first invalid byte. */
function decodeUtf8(bytes: Uint8Array, field: string): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    const offset = findInvalidUtf8Offset(bytes);
    throw new AcceleratorError(
      'INVALID_UTF8',
      field,
      `${field === '' ? 'request body' : field} is not valid UTF-8 (invalid byte at offset ${offset}): SQS messages are text, so send UTF-8 or base64-encode binary data`,
    );
  }
}

/** Splits a Content-Type value into its lower-cased media type and charset parameter. */
export function parseContentType(header: string | undefined): { mediaType: string; charset: string | undefined } {
  if (header === undefined) return { mediaType: '', charset: undefined };

  const parts = header.split(';');
  const mediaType = parts[0].trim().toLowerCase();
  let charset: string | undefined;
  for (let index = 1; index < parts.length; index++) {
    const equals = parts[index].indexOf('=');
    if (equals === -1) continue;
    if (parts[index].slice(0, equals).trim().toLowerCase() !== 'charset') continue;
    charset = parts[index].slice(equals + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return { mediaType, charset };
}

/**
 * Throws UNSUPPORTED_MEDIA_TYPE (415) for multipart/form-data: taking the multipart envelope as
 * data would deliver its boundaries and part headers, which is never what the sender meant.
 */
export function checkNotMultipart(mediaType: string): void {
  if (mediaType !== 'multipart/form-data') return;
  throw new AcceleratorError(
    'UNSUPPORTED_MEDIA_TYPE',
    'Content-Type',
    'multipart/form-data is not accepted: send fields as application/x-www-form-urlencoded (curl -d or --data-urlencode, not -F), JSON, or the raw message',
  );
}

/** Throws UNSUPPORTED_CHARSET (415) for a charset other than UTF-8 or its ASCII subset. */
export function checkCharset(charset: string | undefined): void {
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii') return;
  throw new AcceleratorError(
    'UNSUPPORTED_CHARSET',
    'Content-Type',
    `charset ${previewValue(charset)} is not supported: send the body as UTF-8 (charset=utf-8)`,
  );
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/** Converts one attribute of a JSON message to SQS's shape. */
function readJsonAttribute(name: string, value: unknown): MessageAttribute {
  if (typeof value === 'string') return { DataType: 'String', StringValue: value };
  if (typeof value === 'number') return { DataType: 'Number', StringValue: String(value) };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as MessageAttribute;

  throw new AcceleratorError(
    'INVALID_FIELD',
    `attributes.${name}`,
    `attribute ${previewValue(name)} is ${previewValue(value)}: give a string, a number, or {"DataType": ..., "StringValue" or "BinaryValue": ...}`,
  );
}

function readOptionalString(object: Record<string, unknown>, key: string): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AcceleratorError('INVALID_FIELD', key, `${key} must be a string, not ${previewValue(value)}`);
  }
  return value;
}

/**
 * Converts a parsed JSON value to a message. The object has `body` (a string, required) and
 * optionally `attributes`, `delaySeconds` (a number), `groupId` and `deduplicationId`; `null`
 * counts as absent. Each attribute is a string (DataType String), a number (DataType Number), or
 * SQS's own `{"DataType", "StringValue"}` or `{"DataType", "BinaryValue"}` with base64 bytes.
 * Unknown keys are rejected, so that a misspelt field is not silently dropped.
 */
export function readJsonMessage(value: unknown): MessageInput {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AcceleratorError('INVALID_FIELD', '', `a message must be a JSON object like {"body": "..."}, not ${previewValue(value)}`);
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!JSON_MESSAGE_KEYS.has(key)) {
      throw new AcceleratorError('UNKNOWN_FIELD', key, `unknown field ${previewValue(key)}: use body, attributes, delaySeconds, groupId and deduplicationId`);
    }
  }

  const body = object.body;
  if (body === undefined || body === null) {
    throw new AcceleratorError('MISSING_BODY', 'body', 'field "body" is missing: give the message text as "body"');
  }
  if (typeof body !== 'string') {
    throw new AcceleratorError('INVALID_FIELD', 'body', `body must be a string, not ${previewValue(body)}: encode structured data as a JSON string`);
  }
  const message: MessageInput = { body };

  const attributes = object.attributes;
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes)) {
      throw new AcceleratorError('INVALID_FIELD', 'attributes', `attributes must be an object of name to value, not ${previewValue(attributes)}`);
    }
    const converted: Record<string, MessageAttribute> = {};
    for (const [name, attribute] of Object.entries(attributes)) setOwnProperty(converted, name, readJsonAttribute(name, attribute));
    message.attributes = converted;
  }

  const delay = object.delaySeconds;
  if (delay !== undefined && delay !== null) {
    if (typeof delay !== 'number') {
      throw new AcceleratorError('INVALID_FIELD', 'delaySeconds', `delaySeconds must be a number, not ${previewValue(delay)}`);
    }
    message.delaySeconds = delay;
  }

  const groupId = readOptionalString(object, 'groupId');
  if (groupId !== undefined) message.groupId = groupId;
  const deduplicationId = readOptionalString(object, 'deduplicationId');
  if (deduplicationId !== undefined) message.deduplicationId = deduplicationId;
  return message;
}

/** Parses JSON text; `field` names the rejected part (the request body, or nothing for an NDJSON line). */
function parseJsonText(text: string, field: string): unknown {
  try {
    // RFC 8259 section 8.1 lets a parser ignore a byte order mark, and some Windows tools write one.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    // V8's message gives the position and at most a short excerpt of the input.
    const detail = (error as Error).message.slice(0, 120);
    throw new AcceleratorError('INVALID_JSON', field, `body is not valid JSON (${detail}): send one JSON object like {"body": "..."}`);
  }
}

/** Decodes one form component: "+" is a space and "%XX" a byte, and the bytes must be UTF-8. */
function decodeFormComponent(raw: Buffer, start: number, end: number, field: string): string {
  const bytes = Buffer.allocUnsafe(end - start);
  let length = 0;

  for (let index = start; index < end; index++) {
    const byte = raw[index];
    if (byte === 0x2b) {
      bytes[length++] = 0x20;
    } else if (byte === 0x25) {
      const hex = raw.toString('latin1', index + 1, index + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new AcceleratorError('INVALID_FORM', field, `invalid percent-encoding ${previewValue('%' + hex)} at byte ${index}: encode "%" as %25`);
      }
      bytes[length++] = parseInt(hex, 16);
      index += 2;
    } else {
      bytes[length++] = byte;
    }
  }
  return decodeUtf8(bytes.subarray(0, length), field);
}

/** Parses an `application/x-www-form-urlencoded` body into a message. */
function parseFormMessage(raw: Buffer): MessageInput {
  const fields = new Map<string, string>();

  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf(0x26, start);
    if (end === -1) end = raw.length;
    if (end > start) {
      let equals = raw.indexOf(0x3d, start);
      if (equals === -1 || equals > end) equals = end;
      const name = decodeFormComponent(raw, start, equals, 'form field name');
      const value = equals < end ? decodeFormComponent(raw, equals + 1, end, name) : '';
      if (!FORM_FIELDS.includes(name)) {
        throw new AcceleratorError('UNKNOWN_FIELD', name, `unknown form field ${previewValue(name)}: use ${FORM_FIELDS.join(', ')}`);
      }
      if (fields.has(name)) {
        throw new AcceleratorError('INVALID_FORM', name, `form field ${name} appears twice: send it once`);
      }
      fields.set(name, value);
    }
    start = end + 1;
  }

  const body = fields.get('message_body');
  if (body === undefined) {
    throw new AcceleratorError('MISSING_BODY', 'message_body', 'form field message_body is missing: send the message text as message_body=...');
  }
  const message: MessageInput = { body };

  const delay = fields.get('delay_seconds');
  if (delay !== undefined && delay !== '') {
    if (!/^[0-9]{1,9}$/.test(delay)) {
      throw new AcceleratorError('INVALID_FIELD', 'delay_seconds', `delay_seconds ${previewValue(delay)} is not a whole number of seconds from 0 to 900`);
    }
    message.delaySeconds = Number(delay);
  }
  const groupId = fields.get('group_id');
  if (groupId !== undefined && groupId !== '') message.groupId = groupId;
  const deduplicationId = fields.get('deduplication_id');
  if (deduplicationId !== undefined && deduplicationId !== '') message.deduplicationId = deduplicationId;
  return message;
}

/** Parses the body of a single-message request according to its Content-Type header. */
export function parseMessageBody(contentType: string | undefined, raw: Buffer): MessageInput {
  const { mediaType, charset } = parseContentType(contentType);

  if (mediaType === 'application/x-www-form-urlencoded') {
    checkCharset(charset);
    return parseFormMessage(raw);
  }
  if (isJsonMediaType(mediaType)) {
    checkCharset(charset);
    return readJsonMessage(parseJsonText(decodeUtf8(raw, ''), 'body'));
  }
  checkNotMultipart(mediaType);
  checkCharset(charset);
  return { body: decodeUtf8(raw, 'body') };
}

export interface MessageLine {
  /** The 1-based line number in the request body. */
  line: number;
  message: MessageInput;
}

/**
 * Parses an NDJSON body: one JSON message object per line, in the shape `readJsonMessage`
 * takes. Blank lines are skipped and CRLF endings accepted. The whole request is rejected on
 * the first bad line, with an error whose field and message start with `line N`, or when it
 * contains more than `maxMessages` messages or none.
 */
export function parseMessageLines(raw: Buffer, options: { maxMessages?: number } = {}): MessageLine[] {
  const maxMessages = options.maxMessages ?? DEFAULT_MAX_REQUEST_MESSAGES;
  const messages: MessageLine[] = [];

  let start = 0;
  let line = 0;
  while (start < raw.length) {
    let end = raw.indexOf(0x0a, start);
    if (end === -1) end = raw.length;
    line++;

    let contentEnd = end;
    if (contentEnd > start && raw[contentEnd - 1] === 0x0d) contentEnd--;
    let first = start;
    while (first < contentEnd && (raw[first] === 0x20 || raw[first] === 0x09)) first++;

    if (first < contentEnd) {
      if (messages.length === maxMessages) {
        throw new AcceleratorError(
          'TOO_MANY_MESSAGES',
          `line ${line}`,
          `request has more than ${maxMessages} messages (line ${line} is message ${maxMessages + 1}): split it into several requests`,
        );
      }
      try {
        const text = decodeUtf8(raw.subarray(start, contentEnd), '');
        messages.push({ line, message: readJsonMessage(parseJsonText(text, '')) });
      } catch (error) {
        if (error instanceof AcceleratorError) throw error.atLine(line);
        throw error;
      }
    }
    start = end + 1;
  }

  if (messages.length === 0) {
    throw new AcceleratorError('MISSING_BODY', '', 'request contains no messages: send one JSON object per line');
  }
  return messages;
}
