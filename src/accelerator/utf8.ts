// Locates the first invalid UTF-8 sequence, for error messages only: decoding itself uses
// TextDecoder with `fatal: true`, which rejects the same sequences (RFC 3629 section 4) but
// does not say where.

/** Returns the byte offset of the first invalid UTF-8 sequence, or -1 when the bytes are valid. */
export function findInvalidUtf8Offset(bytes: Uint8Array): number {
  let index = 0;

  while (index < bytes.length) {
    const lead = bytes[index];
    if (lead < 0x80) {
      index++;
      continue;
    }

    // The range of the second byte depends on the lead byte, which excludes overlong forms,
    // UTF-16 surrogates (U+D800 to U+DFFF) and code points above U+10FFFF.
    let length: number;
    let secondMin = 0x80;
    let secondMax = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) secondMin = 0xa0;
      if (lead === 0xed) secondMax = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) secondMin = 0x90;
      if (lead === 0xf4) secondMax = 0x8f;
    } else {
      return index;
    }

    if (index + length > bytes.length) return index;
    const second = bytes[index + 1];
    if (second < secondMin || second > secondMax) return index;
    for (let offset = 2; offset < length; offset++) {
      const continuation = bytes[index + offset];
      if (continuation < 0x80 || continuation > 0xbf) return index;
    }
    index += length;
  }

  return -1;
}
