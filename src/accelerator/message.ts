// The message shape shared by body parsing, validation, delivery and dead letters. Attribute
// values use SQS's own field names so that they pass to the JSON protocol unchanged.

/** One message attribute as SQS's JSON protocol spells it; `BinaryValue` is standard base64. */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** A message as a client submits it, before validation against its queue. */
export interface MessageInput {
  body: string;
  attributes?: Record<string, MessageAttribute>;
  /** Seconds, 0 to 900; absent means the queue's default delay. */
  delaySeconds?: number;
  groupId?: string;
  deduplicationId?: string;
}

/**
 * Sets `object[name]` as an own enumerable property. Plain assignment would change the
 * prototype for the name `__proto__`, which is a valid SQS attribute name.
 */
export function setOwnProperty<T>(object: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Returns whether a queue name is a FIFO queue name, which SQS marks by the `.fifo` suffix. */
export function isFifoQueue(queueName: string): boolean {
  return queueName.endsWith('.fifo');
}

// Matches the first character SQS rejects: a control character other than tab, LF and CR,
// U+FFFE or U+FFFF, or a surrogate that is not part of a pair. Without the `u` flag, V8 scans
// ASCII and BMP text about three times faster than a charCodeAt loop did. Text made mostly of
// surrogate pairs is about two times slower. Both were measured on Node 20 with 1 MiB bodies.
const REJECTED_CHARACTER = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks text for characters SQS rejects in bodies and string attributes, and measures its
 * UTF-8 size. SQS allows #x9, #xA, #xD, #x20 to #xD7FF, #xE000 to #xFFFD and #x10000 to
 * #x10FFFF (the XML 1.0 Char production, SendMessage API reference). A JS string can hold a
 * lone surrogate, which has no UTF-8 form, so it is rejected as well.
 *
 * Returns the UTF-8 byte length, or -(index + 1) for the first rejected UTF-16 index.
 */
export function measureMessageText(text: string): number {
  const rejected = REJECTED_CHARACTER.exec(text);
  if (rejected !== null) return -(rejected.index + 1);
  return Buffer.byteLength(text, 'utf8');
}

/** Describes the character at `index` for an error message, as a code point in U+ form. */
export function describeCharacterAt(text: string, index: number): string {
  const code = text.codePointAt(index) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  if (code >= 0xd800 && code <= 0xdfff) return `a lone surrogate U+${hex} at index ${index}`;
  return `U+${hex} at index ${index}`;
}
