// The default request parser engine: an incremental HTTP/1.1 parser over Buffers. It keeps its
// state between calls, so a request split at every byte and many requests in one chunk parse
// the same. Heads are collected until their empty line and parsed in one pass (head-parser.ts);
// bodies are framed here without copying.

import { HttpError } from './errors.js';
import { parseFieldLines, parseHead } from './head-parser.js';
import type { ParserFactory, ParserHandler, ParserLimits, RequestHead, RequestParser } from './parser.js';
import { CR, HEX_VALUE, HTAB, LF, SEMICOLON, SP } from './characters.js';

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  Failed,
}

/** Bytes a chunk-size line may take with its extensions; chunk extensions carry nothing we use. */
const MAX_CHUNK_LINE_BYTES = 4096;

/** A request-line longer than the target limit by this much cannot fit the limit (method, spaces, version). */
const REQUEST_LINE_OVERHEAD = 32;

/** A byte range of collected input: either a view into the caller's chunk or a copy of several. */
interface Collected {
  buffer: Buffer;
  start: number;
  end: number;
}

export class HandParser implements RequestParser {
  readonly #handler: ParserHandler;
  readonly #limits: ParserLimits;
  #state = State.Head;
  #stopRequested = false;

  // Input collected for the current head, chunk-size line or trailer section.
  #parts: Buffer[] = [];
  #partsLength = 0;
  #lineLength = 0;
  #lastByte = 0;
  #linesSeen = 0;

  // Body framing of the current request.
  #remaining = 0;
  #bodyBytes = 0;
  #sawChunkCarriageReturn = false;

  constructor(handler: ParserHandler, limits: ParserLimits) {
    this.#handler = handler;
    this.#limits = limits;
  }

  get idle(): boolean {
    return this.#state === State.Head && this.#partsLength === 0 && this.#linesSeen === 0;
  }

  get inBody(): boolean {
    return this.#state !== State.Head && this.#state !== State.Failed;
  }

  execute(data: Buffer): number {
    if (this.#state === State.Failed) {
      throw new HttpError('INCOMPLETE_REQUEST', 'parser was used after an error');
    }
    try {
      return this.#run(data);
    } catch (error) {
      this.#state = State.Failed;
      throw error;
    }
  }

  finish(): void {
    if (this.#state === State.Failed || this.idle) return;
    const where = this.#state === State.Head ? 'head' : 'body';
    this.#state = State.Failed;
    throw new HttpError('INCOMPLETE_REQUEST', `connection ended in the middle of a request ${where}`);
  }

  #run(data: Buffer): number {
    let offset = 0;
    while (offset < data.length) {
      switch (this.#state) {
        case State.Head:
          offset = this.#readHead(data, offset);
          break;
        case State.Body:
          offset = this.#readBody(data, offset);
          break;
        case State.ChunkSize:
          offset = this.#readChunkSize(data, offset);
          break;
        case State.ChunkData:
          offset = this.#readChunkData(data, offset);
          break;
        case State.ChunkDataEnd:
          offset = this.#readChunkDataEnd(data, offset);
          break;
        case State.Trailers:
          offset = this.#readTrailers(data, offset);
          break;
        default:
          throw new HttpError('INCOMPLETE_REQUEST', 'parser was used after an error');
      }
      if (this.#stopRequested) {
        this.#stopRequested = false;
        return offset;
      }
    }
    return offset;
  }

  #readHead(data: Buffer, offset: number): number {
    let start = offset;
    if (this.#partsLength === 0 && this.#linesSeen === 0) {
      // RFC 9112 section 2.2: ignore empty lines received before a request-line.
      while (start < data.length && (data[start] === CR || data[start] === LF)) start++;
      if (start === data.length) return start;
    }

    const end = this.#collect(data, start, true, this.#limits.maxHeaderBytes);
    if (end === -1) {
      this.#checkHeadSoFar();
      return data.length;
    }

    const collected = this.#takeCollected(data, start, end);
    const head: RequestHead = {
      method: '',
      target: '',
      versionMinor: 1,
      headers: [],
      contentLength: -1,
      chunked: false,
      keepAlive: true,
      expectContinue: false,
    };
    parseHead(collected.buffer, collected.start, collected.end, head, this.#limits);
    this.#handler.onHead(head);

    this.#bodyBytes = 0;
    if (head.chunked) {
      this.#state = State.ChunkSize;
    } else if (head.contentLength > 0) {
      this.#remaining = head.contentLength;
      this.#state = State.Body;
    } else {
      this.#complete([]);
    }
    return end;
  }

  /** Raises 414 or 431 as soon as an unfinished head can no longer fit its limits. */
  #checkHeadSoFar(): void {
    const limits = this.#limits;
    if (this.#linesSeen === 0 && this.#partsLength > limits.maxTargetLength + REQUEST_LINE_OVERHEAD) {
      throw new HttpError('TARGET_TOO_LONG', `request line exceeds ${this.#partsLength} bytes without ending; the request-target limit is ${limits.maxTargetLength}`);
    }
    if (this.#partsLength > limits.maxHeaderBytes) {
      throw new HttpError('HEADERS_TOO_LARGE', `request head exceeds the limit of ${limits.maxHeaderBytes} bytes`);
    }
  }

  #readBody(data: Buffer, offset: number): number {
    const available = data.length - offset;
    const length = available < this.#remaining ? available : this.#remaining;
    this.#handler.onBody(data.subarray(offset, offset + length));
    this.#remaining -= length;
    if (this.#remaining === 0) this.#complete([]);
    return offset + length;
  }

  #readChunkSize(data: Buffer, offset: number): number {
    const end = this.#collect(data, offset, false, MAX_CHUNK_LINE_BYTES);
    if (end === -1) {
      if (this.#partsLength > MAX_CHUNK_LINE_BYTES) {
        throw new HttpError('INVALID_CHUNK', `chunk-size line exceeds ${MAX_CHUNK_LINE_BYTES} bytes`);
      }
      return data.length;
    }

    const line = this.#takeCollected(data, offset, end);
    const size = parseChunkSize(line);
    if (this.#bodyBytes + size > this.#limits.maxBodyBytes) {
      throw new HttpError('BODY_TOO_LARGE', `chunked body exceeds the body limit of ${this.#limits.maxBodyBytes} bytes`);
    }
    if (size === 0) {
      this.#state = State.Trailers;
    } else {
      this.#remaining = size;
      this.#bodyBytes += size;
      this.#state = State.ChunkData;
    }
    return end;
  }

  #readChunkData(data: Buffer, offset: number): number {
    const available = data.length - offset;
    const length = available < this.#remaining ? available : this.#remaining;
    this.#handler.onBody(data.subarray(offset, offset + length));
    this.#remaining -= length;
    if (this.#remaining === 0) {
      this.#state = State.ChunkDataEnd;
      this.#sawChunkCarriageReturn = false;
    }
    return offset + length;
  }

  /** Reads the line ending after chunk data: CRLF, or a bare LF. */
  #readChunkDataEnd(data: Buffer, offset: number): number {
    const byte = data[offset];
    if (byte === LF) {
      this.#state = State.ChunkSize;
    } else if (byte === CR && !this.#sawChunkCarriageReturn) {
      this.#sawChunkCarriageReturn = true;
    } else {
      throw new HttpError('INVALID_CHUNK', 'chunk data is longer than its chunk size; a chunk must end with CRLF');
    }
    return offset + 1;
  }

  #readTrailers(data: Buffer, offset: number): number {
    const end = this.#collect(data, offset, true, this.#limits.maxHeaderBytes, true);
    if (end === -1) {
      if (this.#partsLength > this.#limits.maxHeaderBytes) {
        throw new HttpError('HEADERS_TOO_LARGE', `trailer section exceeds the limit of ${this.#limits.maxHeaderBytes} bytes`);
      }
      return data.length;
    }

    const collected = this.#takeCollected(data, offset, end);
    const trailers: string[] = [];
    parseFieldLines(collected.buffer, collected.start, collected.end, trailers);
    this.#complete(trailers);
    return end;
  }

  #complete(trailers: string[]): void {
    this.#state = State.Head;
    if (!this.#handler.onComplete(trailers)) this.#stopRequested = true;
  }

  /**
   * Scans `data` from `offset` for the end of the current line (or, for a block, the empty line
   * that ends it) and returns the index just past that LF. Returns -1 after keeping the scanned
   * bytes when the end is not in `data` yet. `firstLineMayEnd` lets an empty first line end a
   * block, as in a trailer section without fields.
   */
  #collect(data: Buffer, offset: number, block: boolean, limit: number, firstLineMayEnd = false): number {
    let scan = offset;
    for (;;) {
      const lineFeed = data.indexOf(LF, scan);
      if (lineFeed === -1) {
        if (data.length > scan) {
          this.#lineLength += data.length - scan;
          this.#lastByte = data[data.length - 1];
        }
        this.#keep(data, offset, data.length);
        return -1;
      }

      const before = lineFeed > scan ? data[lineFeed - 1] : this.#lastByte;
      const lineLength = this.#lineLength + (lineFeed - scan);
      const emptyLine = lineLength === 0 || (lineLength === 1 && before === CR);
      const collectedLength = this.#partsLength + (lineFeed + 1 - offset);
      if (collectedLength > limit) {
        this.#keep(data, offset, lineFeed + 1);
        return -1;
      }

      this.#lineLength = 0;
      this.#lastByte = LF;
      scan = lineFeed + 1;
      if (!block) return scan;
      if (emptyLine && (this.#linesSeen > 0 || firstLineMayEnd)) return scan;
      this.#linesSeen++;
    }
  }

  #keep(data: Buffer, start: number, end: number): void {
    if (end <= start) return;
    // Copy, because the caller may reuse its read buffer once execute() returns.
    this.#parts.push(Buffer.from(data.subarray(start, end)));
    this.#partsLength += end - start;
  }

  /** Returns the collected range ending at `data[end]`, joining earlier kept parts if any. */
  #takeCollected(data: Buffer, start: number, end: number): Collected {
    let collected: Collected;
    if (this.#parts.length === 0) {
      collected = { buffer: data, start, end };
    } else {
      this.#parts.push(data.subarray(start, end));
      const buffer = Buffer.concat(this.#parts);
      collected = { buffer, start: 0, end: buffer.length };
    }

    this.#parts = [];
    this.#partsLength = 0;
    this.#lineLength = 0;
    this.#linesSeen = 0;
    return collected;
  }
}

/** Parses `chunk-size [ chunk-ext ]` (RFC 9112 section 7.1) and returns the size in bytes. */
function parseChunkSize(line: Collected): number {
  const { buffer, start } = line;
  let end = line.end - 1;
  if (end > start && buffer[end - 1] === CR) end--;

  let size = 0;
  let position = start;
  while (position < end && HEX_VALUE[buffer[position]] !== -1) {
    size = size * 16 + HEX_VALUE[buffer[position]];
    position++;
  }
  if (position === start) {
    throw new HttpError('INVALID_CHUNK_SIZE', 'chunk size must start with a hexadecimal digit');
  }
  if (position - start > 13) {
    throw new HttpError('INVALID_CHUNK_SIZE', 'chunk size has more than 13 hexadecimal digits');
  }

  // Whitespace may precede a chunk extension (BWS); extensions are skipped, but control
  // characters and a bare CR in them are not allowed.
  while (position < end && (buffer[position] === SP || buffer[position] === HTAB)) position++;
  if (position < end && buffer[position] !== SEMICOLON) {
    throw new HttpError('INVALID_CHUNK_SIZE', `chunk size is followed by an invalid byte (0x${buffer[position].toString(16)})`);
  }
  for (; position < end; position++) {
    const byte = buffer[position];
    if ((byte < 0x20 && byte !== HTAB) || byte === 0x7f) {
      throw new HttpError('INVALID_CHUNK', `chunk extension contains a control byte (0x${byte.toString(16)})`);
    }
  }
  return size;
}

export const createHandParser: ParserFactory = (handler, limits) => new HandParser(handler, limits);
