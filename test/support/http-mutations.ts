// Seeded random mutations of HTTP request byte streams for the differential test. The same seed
// gives the same cases on every run, so a mismatch can be reproduced from the seed it prints.

/** A small, fast, seedable PRNG (mulberry32); returns floats in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, maxExclusive: number): number {
  return Math.floor(random() * maxExclusive);
}

/** Bytes that sit on the edges of HTTP framing, preferred over uniform random bytes. */
const INTERESTING_BYTES = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x2c, 0x2d, 0x2b, 0x30, 0x31, 0x3a, 0x3b, 0x3d, 0x22, 0x41, 0x61, 0x66, 0x7f, 0x80, 0xff];

function randomByte(random: () => number): number {
  return random() < 0.7 ? INTERESTING_BYTES[randomInt(random, INTERESTING_BYTES.length)] : randomInt(random, 256);
}

/** Returns the [start, end) ranges of the lines of `bytes`, each including its LF. */
function lineRanges(bytes: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  while (start < bytes.length) {
    const lineFeed = bytes.indexOf(0x0a, start);
    const end = lineFeed === -1 ? bytes.length : lineFeed + 1;
    ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

function flipByte(bytes: Buffer, random: () => number): Buffer {
  const copy = Buffer.from(bytes);
  const position = randomInt(random, copy.length);
  copy[position] = random() < 0.5 ? copy[position] ^ (1 << randomInt(random, 8)) : randomByte(random);
  return copy;
}

function insertBytes(bytes: Buffer, random: () => number): Buffer {
  const position = randomInt(random, bytes.length + 1);
  const inserted = Buffer.from(Array.from({ length: 1 + randomInt(random, 3) }, () => randomByte(random)));
  return Buffer.concat([bytes.subarray(0, position), inserted, bytes.subarray(position)]);
}

function deleteBytes(bytes: Buffer, random: () => number): Buffer {
  const start = randomInt(random, bytes.length);
  const end = Math.min(bytes.length, start + 1 + randomInt(random, 4));
  return Buffer.concat([bytes.subarray(0, start), bytes.subarray(end)]);
}

function duplicateLine(bytes: Buffer, random: () => number): Buffer {
  const ranges = lineRanges(bytes);
  const [start, end] = ranges[randomInt(random, ranges.length)];
  return Buffer.concat([bytes.subarray(0, end), bytes.subarray(start, end), bytes.subarray(end)]);
}

function changeCase(bytes: Buffer, random: () => number): Buffer {
  const copy = Buffer.from(bytes);
  const start = randomInt(random, copy.length);
  const end = Math.min(copy.length, start + 1 + randomInt(random, 12));
  for (let index = start; index < end; index++) {
    const byte = copy[index];
    if ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) copy[index] = byte ^ 0x20;
  }
  return copy;
}

/** Replaces one CRLF with a bare LF or a bare CR, or one LF with CRLF. */
function changeLineEnding(bytes: Buffer, random: () => number): Buffer {
  const text = bytes.toString('latin1');
  const positions: number[] = [];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) positions.push(index);
  if (positions.length === 0) return flipByte(bytes, random);

  const lineFeed = positions[randomInt(random, positions.length)];
  const hasCarriageReturn = lineFeed > 0 && text[lineFeed - 1] === '\r';
  let replaced: string;
  if (!hasCarriageReturn) replaced = `${text.slice(0, lineFeed)}\r${text.slice(lineFeed)}`;
  else if (random() < 0.7) replaced = text.slice(0, lineFeed - 1) + text.slice(lineFeed);
  else replaced = text.slice(0, lineFeed) + text.slice(lineFeed + 1);
  return Buffer.from(replaced, 'latin1');
}

/** Cuts the stream short, as a client that disconnects mid-request. */
function truncate(bytes: Buffer, random: () => number): Buffer {
  return bytes.subarray(0, randomInt(random, bytes.length));
}

const MUTATIONS: [string, (bytes: Buffer, random: () => number) => Buffer][] = [
  ['flip', flipByte],
  ['insert', insertBytes],
  ['delete', deleteBytes],
  ['duplicate-line', duplicateLine],
  ['change-case', changeCase],
  ['line-ending', changeLineEnding],
  ['truncate', truncate],
];

/** Applies one to three random mutations to `bytes` and names them in order. */
export function mutate(bytes: Buffer, random: () => number): { bytes: Buffer; applied: string[] } {
  let result = bytes;
  const applied: string[] = [];
  const count = 1 + randomInt(random, 3);
  for (let step = 0; step < count && result.length > 0; step++) {
    const [name, mutation] = MUTATIONS[randomInt(random, MUTATIONS.length)];
    result = mutation(result, random);
    applied.push(name);
  }
  return { bytes: result, applied };
}

/** Splits `bytes` at up to `maxCuts` random positions into pieces for successive execute() calls. */
export function randomSplits(bytes: Buffer, random: () => number, maxCuts = 4): Buffer[] {
  const cuts = new Set<number>();
  const count = 1 + randomInt(random, maxCuts);
  for (let index = 0; index < count && bytes.length > 1; index++) cuts.add(1 + randomInt(random, bytes.length - 1));

  const pieces: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}
