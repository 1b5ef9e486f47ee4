// Byte classes from RFC 9110 section 5.6.2 (token), 5.5 (field values) and RFC 9112 section 3.2
// (request-target), as lookup tables indexed by byte value so the hot loops do one load per byte.

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HTAB = 9;
export const COLON = 58;
export const SEMICOLON = 59;

function tableOf(predicate: (byte: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) table[byte] = predicate(byte) ? 1 : 0;
  return table;
}

const TOKEN_PUNCTUATION = "!#$%&'*+-.^_`|~";

/** tchar: the characters of methods, header names and chunk extension names. */
export const TOKEN = tableOf(
  (byte) =>
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    TOKEN_PUNCTUATION.includes(String.fromCharCode(byte)),
);

/** field-vchar plus SP and HTAB: what a header value may contain (obs-text 0x80-0xFF included). */
export const FIELD_VALUE = tableOf((byte) => byte === HTAB || (byte >= 0x20 && byte !== 0x7f));

/** Visible ASCII: the characters of a request-target. */
export const TARGET = tableOf((byte) => byte > 0x20 && byte < 0x7f);

/** Hexadecimal digit values, or -1. */
export const HEX_VALUE = new Int8Array(256).fill(-1);
for (let digit = 0; digit < 10; digit++) HEX_VALUE[0x30 + digit] = digit;
for (let digit = 0; digit < 6; digit++) {
  HEX_VALUE[0x41 + digit] = 10 + digit;
  HEX_VALUE[0x61 + digit] = 10 + digit;
}
