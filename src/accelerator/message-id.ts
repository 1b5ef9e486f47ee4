// Message ids: 26 characters of Crockford base32 (digits and upper-case letters without I, L,
// O and U), in three parts:
//
//   10 characters  milliseconds since the Unix epoch (48 bits used of 50)
//    6 characters  a sequence within that millisecond, starting at a random value below 2^29
//   10 characters  50 random bits
//
// Ids from one generator sort as strings in the order they were made, also when the clock steps
// back (the generator keeps using its latest time). Ids from different processes differ in their
// random parts. The alphabet fits SendMessageBatch entry ids (`[A-Za-z0-9_-]{1,80}`) and URLs.

import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARACTERS = 10;
const SEQUENCE_CHARACTERS = 6;
const RANDOM_CHARACTERS = 10;
const SEQUENCE_LIMIT = 2 ** 30;

export const MESSAGE_ID_LENGTH = TIME_CHARACTERS + SEQUENCE_CHARACTERS + RANDOM_CHARACTERS;

// Every 10-bit value as two characters, so that encoding takes half as many steps.
const PAIRS = Array.from({ length: 1024 }, (_unused, value) => ALPHABET[value >> 5] + ALPHABET[value & 31]);

/** Encodes a non-negative safe integer as `characters` (an even number) base32 characters. */
function encode(value: number, characters: number): string {
  let text = '';
  let rest = value;
  for (let index = 0; index < characters; index += 2) {
    text = PAIRS[rest % 1024] + text;
    rest = Math.floor(rest / 1024);
  }
  return text;
}

/** Generates sortable unique message ids; see the format at the top of this file. */
export class MessageIdGenerator {
  readonly #now: () => number;
  #lastTime = -1;
  /** `#lastTime` encoded, cached because many ids share one millisecond. */
  #timePrefix = '';
  #sequence = 0;
  // Random bytes are drawn 4 KiB at a time, because one randomFillSync call per id would
  // cost a system call on the request path.
  readonly #randomPool = Buffer.alloc(4096);
  #randomOffset = 4096;

  /** `now` returns milliseconds since the epoch; tests pass a fake clock. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Returns `count` random bits, at most 32, as a non-negative number. */
  #randomBits(count: number): number {
    if (this.#randomOffset + 4 > this.#randomPool.length) {
      randomFillSync(this.#randomPool);
      this.#randomOffset = 0;
    }
    const value = this.#randomPool.readUInt32BE(this.#randomOffset);
    this.#randomOffset += 4;
    return value % 2 ** count;
  }

  next(): string {
    const now = this.#now();
    if (now > this.#lastTime) {
      this.#lastTime = now;
      this.#timePrefix = encode(now, TIME_CHARACTERS);
      this.#sequence = this.#randomBits(29);
    } else {
      this.#sequence++;
      if (this.#sequence >= SEQUENCE_LIMIT) {
        // More than 2^29 ids in one millisecond: borrow the next millisecond.
        this.#lastTime++;
        this.#timePrefix = encode(this.#lastTime, TIME_CHARACTERS);
        this.#sequence = 0;
      }
    }

    return this.#timePrefix + encode(this.#sequence, SEQUENCE_CHARACTERS) + encode(this.#randomBits(25) * 2 ** 25 + this.#randomBits(25), RANDOM_CHARACTERS);
  }
}

/** Returns the creation time in milliseconds since the epoch encoded in a message id, or undefined for another string. */
export function timeOfMessageId(id: string): number | undefined {
  if (id.length !== MESSAGE_ID_LENGTH) return undefined;

  let time = 0;
  for (let index = 0; index < TIME_CHARACTERS; index++) {
    const digit = ALPHABET.indexOf(id[index]);
    if (digit === -1) return undefined;
    time = time * 32 + digit;
  }
  return time;
}
