// MD5 digests that SQS returns for a message body and its attributes, computed locally so
// that a corrupted send can be detected.

import { createHash } from 'node:crypto';

/** A message attribute as the JSON protocol carries it; BinaryValue is base64 text or raw bytes. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string | Uint8Array;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

// Transport type bytes from the SQS developer guide ("Calculating the MD5 message digest for
// message attributes"): String and Number values are encoded as 1, Binary values as 2.
const TRANSPORT_STRING = 1;
const TRANSPORT_BINARY = 2;

/** Returns the bytes of a binary attribute value, decoding base64 text. */
export function binaryValueBytes(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function lengthPrefix(length: number): Buffer {
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(length, 0);
  return prefix;
}

/** Returns the hex MD5 of a message body's UTF-8 bytes. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

/**
 * Returns the hex MD5 of message attributes in SQS's encoding. Attributes are sorted by name.
 * Each contributes its name, data type and value, each as a 4-byte big-endian length and the
 * bytes, with a transport type byte before the value. Returns undefined for no attributes,
 * because SQS then sends no digest.
 */
export function md5OfAttributes(attributes: MessageAttributes | undefined): string | undefined {
  if (attributes === undefined) return undefined;
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;

  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name]!;
    const nameBytes = Buffer.from(name, 'utf8');
    const typeBytes = Buffer.from(attribute.DataType, 'utf8');
    hash.update(lengthPrefix(nameBytes.length)).update(nameBytes);
    hash.update(lengthPrefix(typeBytes.length)).update(typeBytes);

    if (attribute.BinaryValue !== undefined && attribute.DataType.startsWith('Binary')) {
      const value = binaryValueBytes(attribute.BinaryValue);
      hash.update(Uint8Array.of(TRANSPORT_BINARY)).update(lengthPrefix(value.length)).update(value);
    } else {
      const value = Buffer.from(attribute.StringValue ?? '', 'utf8');
      hash.update(Uint8Array.of(TRANSPORT_STRING)).update(lengthPrefix(value.length)).update(value);
    }
  }
  return hash.digest('hex');
}
