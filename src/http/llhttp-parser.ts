// The second request parser engine: llhttp, the parser inside Node's own HTTP server, driven
// through Node's internal binding. llhttp decides what is valid. This wrapper adds what the
// RequestParser contract needs: our size limits, the RequestHead fields, the error codes of
// errors.ts, the hand engine's rules where llhttp is more lenient, and stopping right after a
// request whose onComplete returned false.
//
// The binding reports no byte offsets from its callbacks, so the wrapper feeds llhttp in pieces
// that end where a request may end. A piece is a whole head (the wrapper finds its empty line),
// exactly the declared length of a Content-Length body, or, for a chunked body, one chunk-size
// line, one chunk's data or the line after it. Knowing the chunk framing also lets the wrapper pass body
// bytes on as views of the input instead of llhttp's copies.

import { HttpError } from './errors.js';
import type { ParserFactory, ParserHandler, ParserLimits, RequestParser } from './parser.js';
import { LENIENT_FLAGS, METHODS, NativeHTTPParser, ON_HEADERS, ON_HEADERS_COMPLETE, ON_MESSAGE_COMPLETE, type NativeError, type NativeHead, type NativeParser } from './llhttp-binding.js';
import { REQUEST_LINE_OVERHEAD, bodyError, buildHead, headTooLarge, hexValue, lowerCaseNames, mapHeadError } from './llhttp-rules.js';


const LF = 10;
const CR = 13;
const CRLF = Buffer.from('\r\n');

/** Bytes a chunk-size line may take with its extensions, as in the hand engine; chunk extensions carry nothing we use. */
const MAX_CHUNK_LINE_BYTES = 4096;

/** Hex digits a chunk size may have: 13 keep it below 2^53, and the hand engine rejects more. */
const MAX_CHUNK_SIZE_DIGITS = 13;


const enum Phase {
  Head,
  LengthBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  Failed,
}


/** The engine whose native parser is inside execute(); callbacks never run at any other time. */
let executing: LlhttpParser | null = null;

/** Closes the native parser of an engine that was dropped without finish() or an error. */
const nativeCleanup = new FinalizationRegistry<NativeParser>((native) => native.close());

export class LlhttpParser implements RequestParser {
  readonly #handler: ParserHandler;
  readonly #limits: ParserLimits;
  #native: NativeParser | null = null;
  #phase = Phase.Head;

  // The head being collected: its length so far, copies of its bytes from earlier execute() calls, and line state.
  #headLength = 0;
  #headParts: Buffer[] = [];
  #linesSeen = 0;
  #lineLength = 0;
  #lastHeadByte = 0;
  #flushedHeaders: string[] = [];
  #flushedTarget = '';
  #nativeHead: NativeHead | null = null;

  // The body and end of the current request.
  #remaining = 0;
  #bodyBytes = 0;
  #chunkLine: Buffer[] = [];
  #chunkLineLength = 0;
  #lastLineByte = 0;
  #trailerBytes = 0;
  #trailers: string[] = [];
  #messageComplete = false;
  #resetAfterMessage = false;

  constructor(handler: ParserHandler, limits: ParserLimits) {
    this.#handler = handler;
    this.#limits = limits;
  }

  get idle(): boolean {
    return this.#phase === Phase.Head && this.#headLength === 0;
  }

  get inBody(): boolean {
    return this.#phase !== Phase.Head && this.#phase !== Phase.Failed;
  }

  execute(data: Buffer): number {
    if (this.#phase === Phase.Failed) {
      throw new HttpError('INCOMPLETE_REQUEST', 'parser was used after an error; create a new parser for a new connection');
    }
    try {
      return this.#run(data);
    } catch (error) {
      this.#phase = Phase.Failed;
      this.#releaseNative();
      throw error;
    }
  }

  finish(): void {
    if (this.#phase === Phase.Failed) return;
    const idle = this.idle;
    this.#releaseNative();
    if (idle) return;

    const where = this.#phase === Phase.Head ? 'head' : 'body';
    this.#phase = Phase.Failed;
    throw new HttpError('INCOMPLETE_REQUEST', `connection ended in the middle of a request ${where}`);
  }

  #run(data: Buffer): number {
    let offset = 0;
    while (offset < data.length) {
      let stop = false;
      switch (this.#phase) {
        case Phase.Head:
          [offset, stop] = this.#readHead(data, offset);
          break;
        case Phase.LengthBody:
        case Phase.ChunkData:
          [offset, stop] = this.#readData(data, offset);
          break;
        case Phase.ChunkSize:
          offset = this.#readChunkSize(data, offset);
          break;
        default:
          [offset, stop] = this.#readLine(data, offset);
      }
      if (stop) return offset;
    }
    return offset;
  }

  /**
   * Collects the next head up to its empty line, then has llhttp parse it whole. Like the hand
   * engine, nothing in a head is rejected before the head has ended (or passed a limit), so both
   * engines reject a cut-off head the same way. Returns the new offset and whether to stop there.
   */
  #readHead(data: Buffer, offset: number): [number, boolean] {
    let start = offset;
    if (this.#headLength === 0) {
      // RFC 9112 section 2.2: empty lines before a request-line are ignored.
      while (start < data.length && (data[start] === CR || data[start] === LF)) start++;
      if (start === data.length) return [start, false];
    }

    const end = this.#findHeadEnd(data, start);
    if (end === -1) {
      this.#headParts.push(Buffer.from(data.subarray(start)));
      this.#headLength += data.length - start;
      this.#checkHeadSoFar();
      return [data.length, false];
    }

    const headBytes = this.#headParts.length === 0 ? data.subarray(start, end) : Buffer.concat([...this.#headParts, data.subarray(start, end)]);
    this.#headParts = [];
    this.#headLength = 0;
    this.#linesSeen = 0;
    const nativeHead = this.#parseHead(headBytes);

    const head = buildHead(nativeHead, this.#limits);
    this.#resetAfterMessage = nativeHead.upgrade || !nativeHead.nativeKeepAlive;
    this.#bodyBytes = 0;
    this.#handler.onHead(head);

    if (head.chunked) {
      this.#phase = Phase.ChunkSize;
      return [end, false];
    }
    this.#phase = Phase.LengthBody;
    this.#remaining = head.contentLength > 0 ? head.contentLength : 0;
    if (this.#remaining > 0) return [end, false];

    // A request without a body ended with its head: llhttp reported that from #parseHead.
    const stop = this.#messageComplete ? this.#completeMessage() : false;
    this.#checkLengthBodyEnded();
    return [end, stop];
  }

  /**
   * Scans `data` from `start` for the empty line that ends the head, carrying line state over
   * from earlier calls. Returns the index just past its LF, or -1.
   */
  #findHeadEnd(data: Buffer, start: number): number {
    let scan = start;
    for (;;) {
      const lineFeed = data.indexOf(LF, scan);
      if (lineFeed === -1) {
        this.#lineLength += data.length - scan;
        if (data.length > scan) this.#lastHeadByte = data[data.length - 1];
        return -1;
      }

      const before = lineFeed > scan ? data[lineFeed - 1] : this.#lastHeadByte;
      const lineLength = this.#lineLength + (lineFeed - scan);
      const collected = this.#headLength + (lineFeed + 1 - start);
      if (collected > this.#limits.maxHeaderBytes) throw headTooLarge(collected, this.#linesSeen > 0, this.#limits);

      this.#lineLength = 0;
      this.#lastHeadByte = LF;
      scan = lineFeed + 1;
      if (lineLength === 0 || (lineLength === 1 && before === CR)) return scan;
      this.#linesSeen++;
    }
  }

  /**
   * Feeds a complete head to llhttp and returns the head fields it reported. A bare LF after the
   * request line gets a CR fed before it, for the reason given at LENIENT_FLAGS.
   */
  #parseHead(head: Buffer): NativeHead {
    const lineFeed = head.indexOf(LF);
    const pieces = head[lineFeed - 1] === CR ? [head] : [head.subarray(0, lineFeed), CRLF, head.subarray(lineFeed + 1)];
    for (const piece of pieces) {
      const result = this.#callNative(piece);
      const nativeHead = this.#nativeHead;
      if (nativeHead !== null) {
        this.#nativeHead = null;
        // llhttp reads a request line without a version as HTTP/0.9, and accepts HTTP/2.0.
        if (nativeHead.versionMajor !== 1) throw mapHeadError('HPE_INVALID_VERSION', `HTTP/${nativeHead.versionMajor}.${nativeHead.versionMinor}`, head, this.#limits);

        // Right after the head callback llhttp checks the framing (it rejects a Transfer-Encoding
        // whose last coding it cannot read as chunked only then) and ends a request without a body.
        if (typeof result !== 'number') throw mapHeadError(result.code, result.reason, head, this.#limits);
        return nativeHead;
      }
      if (typeof result !== 'number') throw mapHeadError(result.code, result.reason, head, this.#limits);
    }
    // llhttp reads "PRI * HTTP/2.0" as the start of the HTTP/2 connection preface, which is longer than a head.
    throw mapHeadError('HPE_PAUSED_H2_UPGRADE', 'llhttp did not end the request head at its empty line', head, this.#limits);
  }

  /** Guards against llhttp framing a body differently from the head (it would loop forever here). */
  #checkLengthBodyEnded(): void {
    if (this.#phase === Phase.LengthBody && this.#remaining === 0) {
      throw new HttpError('INVALID_REQUEST_LINE', 'llhttp expects more body bytes than the request head declares');
    }
  }

  /** Raises 414 or 431 as soon as an unfinished head can no longer fit its limits. */
  #checkHeadSoFar(): void {
    const limits = this.#limits;
    if (this.#linesSeen === 0 && this.#headLength > limits.maxTargetLength + REQUEST_LINE_OVERHEAD) {
      throw new HttpError('TARGET_TOO_LONG', `request line exceeds ${this.#headLength} bytes without ending; the request-target limit is ${limits.maxTargetLength}`);
    }
    if (this.#headLength > limits.maxHeaderBytes) throw headTooLarge(this.#headLength, this.#linesSeen > 0, limits);
  }

  /** Passes on body bytes of a Content-Length body or of one chunk, as views of `data`. */
  #readData(data: Buffer, offset: number): [number, boolean] {
    const end = Math.min(data.length, offset + this.#remaining);
    this.#remaining -= end - offset;
    this.#handler.onBody(data.subarray(offset, end));

    // The line ending after a chunk's data goes with the data when it is here, saving a native call.
    let pieceEnd = end;
    const chunkEnded = this.#phase === Phase.ChunkData && this.#remaining === 0;
    if (chunkEnded && data[end] === LF) pieceEnd = end + 1;
    else if (chunkEnded && data[end] === CR && data[end + 1] === LF) pieceEnd = end + 2;

    // llhttp only counts the body bytes: it has no body callback, which would copy them.
    const stop = this.#executeBodyPiece(data, offset, pieceEnd);
    if (chunkEnded) this.#phase = pieceEnd > end ? Phase.ChunkSize : Phase.ChunkDataEnd;
    this.#checkLengthBodyEnded();
    return [pieceEnd, stop];
  }

  /**
   * Feeds a chunk-size line (RFC 9112 section 7.1) and reads its size once the line has ended.
   * A bare LF ending gets a CR fed before it, for the reason given at LENIENT_FLAGS.
   */
  #readChunkSize(data: Buffer, offset: number): number {
    const lineFeed = data.indexOf(LF, offset);
    const end = lineFeed === -1 ? data.length : lineFeed;
    this.#chunkLineLength += end - offset;
    if (this.#chunkLineLength > MAX_CHUNK_LINE_BYTES) {
      throw new HttpError('INVALID_CHUNK', `chunk-size line exceeds ${MAX_CHUNK_LINE_BYTES} bytes`);
    }
    if (lineFeed === -1) {
      this.#executeBodyPiece(data, offset, end);
      this.#chunkLine.push(Buffer.from(data.subarray(offset, end)));
      this.#lastLineByte = data[end - 1];
      return end;
    }

    const before = lineFeed > offset ? data[lineFeed - 1] : this.#lastLineByte;
    if (before === CR) {
      this.#executeBodyPiece(data, offset, lineFeed + 1);
    } else {
      if (lineFeed > offset) this.#executeBodyPiece(data, offset, lineFeed);
      this.#executeBodyPiece(CRLF, 0, CRLF.length);
    }

    const line = this.#chunkLine.length === 0 ? data.subarray(offset, lineFeed) : Buffer.concat([...this.#chunkLine, data.subarray(offset, lineFeed)]);
    this.#chunkLine = [];
    this.#chunkLineLength = 0;

    let digits = 0;
    let size = 0;
    for (let value = hexValue(line[0]); value !== -1; value = hexValue(line[digits])) {
      size = size * 16 + value;
      digits++;
    }
    if (digits > MAX_CHUNK_SIZE_DIGITS) {
      throw new HttpError('INVALID_CHUNK_SIZE', `chunk size has more than ${MAX_CHUNK_SIZE_DIGITS} hexadecimal digits`);
    }
    if (this.#bodyBytes + size > this.#limits.maxBodyBytes) {
      throw new HttpError('BODY_TOO_LARGE', `chunked body exceeds the body limit of ${this.#limits.maxBodyBytes} bytes`);
    }

    this.#bodyBytes += size;
    this.#remaining = size;
    this.#phase = size === 0 ? Phase.Trailers : Phase.ChunkData;
    this.#trailerBytes = 0;
    return lineFeed + 1;
  }

  /** Feeds the line ending after chunk data, or one line of the trailer section. */
  #readLine(data: Buffer, offset: number): [number, boolean] {
    const lineFeed = data.indexOf(LF, offset);
    const end = lineFeed === -1 ? data.length : lineFeed + 1;
    if (this.#phase === Phase.Trailers) {
      this.#trailerBytes += end - offset;
      if (this.#trailerBytes > this.#limits.maxHeaderBytes) {
        throw new HttpError('HEADERS_TOO_LARGE', `trailer section exceeds the limit of ${this.#limits.maxHeaderBytes} bytes`);
      }
    }

    const stop = this.#executeBodyPiece(data, offset, end);
    if (lineFeed !== -1 && this.#phase === Phase.ChunkDataEnd) this.#phase = Phase.ChunkSize;
    return [end, stop];
  }

  /**
   * Feeds `data[start..end)` of a body to llhttp. When llhttp ends the request there, passes on
   * its trailers and returns whether onComplete asked to stop.
   */
  #executeBodyPiece(data: Buffer, start: number, end: number): boolean {
    const result = this.#callNative(data.subarray(start, end));
    if (typeof result !== 'number') throw bodyError(result);
    return this.#messageComplete ? this.#completeMessage() : false;
  }

  /** Passes on the end of the request llhttp reported, and returns whether onComplete asked to stop. */
  #completeMessage(): boolean {
    const trailers = this.#trailers;
    this.#messageComplete = false;
    this.#trailers = [];
    this.#phase = Phase.Head;
    if (this.#resetAfterMessage) {
      // After an upgrade, CONNECT or a closing request llhttp reads no more requests. A fresh
      // native parser reads the next one the way the first request of a connection is read.
      this.#releaseNative();
    }
    return !this.#handler.onComplete(trailers);
  }

  #callNative(data: Buffer): number | NativeError {
    const native = this.#acquireNative();
    executing = this;
    try {
      return native.execute(data);
    } finally {
      executing = null;
    }
  }

  #acquireNative(): NativeParser {
    if (this.#native !== null) return this.#native;

    const native = new NativeHTTPParser();
    native.initialize(NativeHTTPParser.REQUEST, {}, this.#limits.maxHeaderBytes, LENIENT_FLAGS);
    native[ON_HEADERS] = LlhttpParser.#onHeaders;
    native[ON_HEADERS_COMPLETE] = LlhttpParser.#onHeadersComplete;
    native[ON_MESSAGE_COMPLETE] = LlhttpParser.#onMessageComplete;
    this.#native = native;
    nativeCleanup.register(this, native, this);
    return native;
  }

  #releaseNative(): void {
    if (this.#native === null) return;
    nativeCleanup.unregister(this);
    this.#native.close();
    this.#native = null;
  }

  // Native callbacks. llhttp calls them with the native parser as `this`, only from inside #callNative.

  static #onHeaders(headers: string[], target: string): void {
    const parser = executing;
    if (parser === null) return;
    if (parser.#phase === Phase.Head) {
      // More than 31 header fields arrive in several batches before the head callback.
      parser.#flushedHeaders.push(...headers);
      parser.#flushedTarget += target;
    } else {
      parser.#trailers.push(...lowerCaseNames(headers));
    }
  }

  static #onHeadersComplete(
    versionMajor: number,
    versionMinor: number,
    headers: string[] | undefined,
    method: number,
    target: string | undefined,
    _statusCode: unknown,
    _statusMessage: unknown,
    upgrade: boolean,
    nativeKeepAlive: boolean,
  ): number {
    const parser = executing;
    if (parser === null) return 0;
    parser.#nativeHead = {
      versionMajor,
      versionMinor,
      headers: lowerCaseNames(headers ?? parser.#flushedHeaders),
      method: METHODS[method] ?? '',
      target: target ?? parser.#flushedTarget,
      upgrade,
      nativeKeepAlive,
    };
    parser.#flushedHeaders = [];
    parser.#flushedTarget = '';
    return 0;
  }

  static #onMessageComplete(): void {
    if (executing !== null) executing.#messageComplete = true;
  }
}

export const createLlhttpParser: ParserFactory = (handler, limits) => new LlhttpParser(handler, limits);
