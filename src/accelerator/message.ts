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

/** Returns whether a queue name is a FIFO queue name, which SQS marks by the `.fifo` suffix. */
export function isFifoQueue(queueName: string): boolean {
  return queueName.endsWith('.fifo');
}

/**
 * Scans text for characters SQS rejects in bodies and string attributes and measures its
 * UTF-8 size in the same pass. SQS allows #x9, #xA, #xD, #x20 to #xD7FF, #xE000 to #xFFFD and
 * #x10000 to #x10FFFF (the XML 1.0 Char production, SendMessage API reference). A JS string can
 * hold a lone surrogate, which has no UTF-8 form, so it is rejected as well.
 *
 * Returns the UTF-8 byte length, or -(index + 1) for the first rejected UTF-16 index.
 */
export function measureMessageText(text: string): number {
  let bytes = 0;
  const length = text.length;

  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return -(index + 1);
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code < 0xd800 || (code >= 0xe000 && code <= 0xfffd)) {
      bytes += 3;
    } else if (code <= 0xdbff) {
      const next = index + 1 < length ? text.charCodeAt(index + 1) : 0;
      if (next < 0xdc00 || next > 0xdfff) return -(index + 1);
      bytes += 4;
      index++;
    } else {
      // A trailing surrogate without its leading half, or U+FFFE / U+FFFF.
      return -(index + 1);
    }
  }

  return bytes;
}

/** Describes the character at `index` for an error message, as a code point in U+ form. */
export function describeCharacterAt(text: string, index: number): string {
  const code = text.codePointAt(index) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  if (code >= 0xd800 && code <= 0xdfff) return `a lone surrogate U+${hex} at index ${index}`;
  return `U+${hex} at index ${index}`;
}
