// The second request parser engine: llhttp, the parser inside Node's own HTTP server, driven
// through Node's internal binding. llhttp decides what is valid. This wrapper adds what the
// RequestParser contract needs: our size limits, the RequestHead fields, the error codes of
// errors.ts, the hand engine's rules where llhttp is more lenient, and stopping right after a
// request whose onComplete returned false.
//
// The binding reports no byte offsets from its callbacks, so the wrapper feeds llhttp in pieces
// that end where a request may end: a whole head (the wrapper finds its empty line), exactly the
// declared length of a Content-Length body, and for a chunked body each chunk-size line, each
// chunk's data and each line after it. Knowing the chunk framing also lets the wrapper pass body
// bytes on as views of the input instead of llhttp's copies.

import { createRequire } from 'node:module';
import { HttpError, type HttpErrorCode } from './errors.js';
import type { ParserFactory, ParserHandler, ParserLimits, RequestHead, RequestParser } from './parser.js';
import { checkTargetForm } from './head-parser.js';

/** The subset of Node's HTTPParser binding object this engine uses (node/src/node_http_parser.cc). */
interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  execute(data: Buffer): number | NativeError;
  close(): void;
  [callback: number]: unknown;
}

interface NativeError extends Error {
  code: string;
  reason: string;
  bytesParsed: number;
}

interface NativeBinding {
  methods: string[];
  HTTPParser: (new () => NativeParser) & Record<string, number>;
}

/**
 * Loads the binding. `node:_http_common` re-exports it without a warning (Node's documentation
 * deprecates that module since Node 24, DEP0199, without a runtime warning). The fallback,
 * `process.binding('http_parser')`, prints DEP0111 on Node 20, and newer Node releases drop it
 * from the bindings process.binding() allows.
 */
function loadBinding(): NativeBinding {
  const require = createRequire(import.meta.url);
  try {
    return require('node:_http_common') as NativeBinding;
  } catch {
    const legacy = process as unknown as { binding(name: string): NativeBinding };
    return legacy.binding('http_parser');
  }
}

const binding = loadBinding();
const NativeHTTPParser = binding.HTTPParser;
const METHODS = binding.methods;
const KNOWN_METHODS = new Set(METHODS);
const ON_HEADERS = NativeHTTPParser.kOnHeaders;
const ON_HEADERS_COMPLETE = NativeHTTPParser.kOnHeadersComplete;
const ON_MESSAGE_COMPLETE = NativeHTTPParser.kOnMessageComplete;

/**
 * Accepts whitespace between a chunk size and its extensions (BWS in RFC 9112 section 7.1.1).
 * Accepts a bare LF in header lines, at the end of the head, after chunk data and in trailers,
 * so that requests typed into telnet parse. With this flag alone llhttp 9 still rejects a bare
 * LF after the request line and after a chunk size, so the wrapper feeds a CR before those. The
 * flag that would allow them (kLenientOptionalLFAfterCR) also accepts a bare CR line ending,
 * which is a request smuggling vector.
 */
const LENIENT_FLAGS = (NativeHTTPParser.kLenientOptionalCRBeforeLF ?? 0) | (NativeHTTPParser.kLenientSpacesAfterChunkSize ?? 0);

const LF = 10;
const CR = 13;
const CRLF = Buffer.from('\r\n');

/** Bytes a chunk-size line may take with its extensions, as in the hand engine; chunk extensions carry nothing we use. */
const MAX_CHUNK_LINE_BYTES = 4096;

/** Hex digits a chunk size may have: 13 keep it below 2^53, and the hand engine rejects more. */
const MAX_CHUNK_SIZE_DIGITS = 13;

/** A request-line longer than the target limit by this much cannot fit the limit (method, spaces, version). */
const REQUEST_LINE_OVERHEAD = 32;

const enum Phase {
  Head,
  LengthBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  Failed,
}

/** The head fields llhttp reported, kept until the native call returns. */
interface NativeHead {
  versionMajor: number;
  versionMinor: number;
  headers: string[];
  method: string;
  target: string;
  upgrade: boolean;
  nativeKeepAlive: boolean;
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

/** Returns the value of a hexadecimal digit byte, or -1 for any other byte and for undefined. */
function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

function lowerCaseNames(headers: string[]): string[] {
  const result = headers.slice();
  for (let index = 0; index < result.length; index += 2) result[index] = result[index].toLowerCase();
  return result;
}

function headTooLarge(length: number, requestLineEnded: boolean, limits: ParserLimits): HttpError {
  if (!requestLineEnded && length > limits.maxTargetLength + REQUEST_LINE_OVERHEAD) {
    return new HttpError('TARGET_TOO_LONG', `request line exceeds ${length} bytes without ending; the request-target limit is ${limits.maxTargetLength}`);
  }
  return new HttpError('HEADERS_TOO_LARGE', `request head exceeds the limit of ${limits.maxHeaderBytes} bytes`);
}

/** Builds the RequestHead from what llhttp accepted and applies the rules llhttp does not check. */
function buildHead(nativeHead: NativeHead, limits: ParserLimits): RequestHead {
  const { method, target, headers } = nativeHead;
  if (target.length > limits.maxTargetLength) {
    throw new HttpError('TARGET_TOO_LONG', `request-target is ${target.length} bytes; the limit is ${limits.maxTargetLength}`);
  }
  checkTargetForm(method, target);
  const head: RequestHead = {
    method,
    target,
    versionMinor: nativeHead.versionMinor,
    headers,
    contentLength: -1,
    chunked: false,
    keepAlive: false,
    expectContinue: false,
  };

  let contentLength = -1;
  let codings: string[] | undefined;
  let closeRequested = false;
  let keepAliveRequested = false;
  for (let index = 0; index < headers.length; index += 2) {
    const name = headers[index];
    const value = headers[index + 1];
    if (name === 'content-length') {
      // llhttp has checked that the value is digits only and not repeated.
      contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      codings = (codings ?? []).concat(listMembers(value));
    } else if (name === 'connection') {
      for (const option of listMembers(value)) {
        if (option === 'close') closeRequested = true;
        else if (option === 'keep-alive') keepAliveRequested = true;
      }
    } else if (name === 'expect' && value.toLowerCase() === '100-continue') {
      head.expectContinue = true;
    }
  }

  if (codings !== undefined) {
    if (nativeHead.versionMinor === 0) {
      // RFC 9112 section 6.1: an HTTP/1.0 recipient cannot be trusted to frame a chunked body.
      throw new HttpError('INVALID_TRANSFER_ENCODING', 'Transfer-Encoding is not allowed in an HTTP/1.0 request; send Content-Length');
    }
    checkTransferCodings(codings);
    head.chunked = true;
  } else if (contentLength !== -1) {
    if (contentLength > limits.maxBodyBytes) {
      throw new HttpError('BODY_TOO_LARGE', `Content-Length ${contentLength} exceeds the body limit of ${limits.maxBodyBytes} bytes`);
    }
    head.contentLength = contentLength;
  }

  if (method === 'CONNECT' && (head.chunked || head.contentLength > 0)) {
    // RFC 9110 section 9.3.6: a CONNECT request has no content. llhttp reads the bytes after its
    // head as tunnel data, so it cannot frame a body here.
    throw new HttpError('INVALID_REQUEST_LINE', 'a CONNECT request must not have a body; remove Content-Length and Transfer-Encoding');
  }

  const http11 = nativeHead.versionMajor === 1 && nativeHead.versionMinor === 1;
  head.keepAlive = http11 ? !closeRequested : keepAliveRequested && !closeRequested;
  if (head.contentLength <= 0 && !head.chunked) head.expectContinue = false;
  return head;
}

/** The request line of a complete head, split as the hand engine splits it (RFC 9112 section 3). */
interface RequestLineParts {
  /** The token the line starts with, and whether one SP follows it. */
  method: string;
  methodEndsWithSpace: boolean;
  /** The run of visible ASCII after the method's SP. */
  target: string;
  /** Everything after the SP that follows the target. */
  version: string;
}

function splitRequestLine(head: Buffer): RequestLineParts {
  const lineEnd = head.indexOf(LF);
  const line = head.toString('latin1', 0, lineEnd > 0 && head[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd);
  const method = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]*/.exec(line)![0];
  const target = /^[!-~]*/.exec(line.slice(method.length + 1))![0];
  return {
    method,
    methodEndsWithSpace: line[method.length] === ' ',
    target,
    version: line.slice(method.length + 1 + target.length + 1),
  };
}

/** Rejects a request line whose version is not HTTP/1.0 or HTTP/1.1: 505 when well-formed, else 400. */
function versionError(version: string): HttpError {
  if (/^HTTP\/\d\.\d$/.test(version)) {
    return new HttpError('UNSUPPORTED_VERSION', `${version} is not supported; use HTTP/1.1 or HTTP/1.0`);
  }
  return new HttpError('INVALID_VERSION', `protocol version ${JSON.stringify(version.slice(0, 32))} is invalid; end the request line with HTTP/1.1 or HTTP/1.0`);
}

/** Splits a list header value into lower-cased members, trimming only SP and HTAB (OWS). */
function listMembers(value: string): string[] {
  return value.split(',').map((member) => member.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase());
}

/** Rejects what llhttp lets through: codings other than chunked before it, and chunked twice (RFC 9112 section 6.1). */
function checkTransferCodings(codings: string[]): void {
  for (let index = 0; index < codings.length; index++) {
    const coding = codings[index];
    if (coding === '') {
      throw new HttpError('INVALID_TRANSFER_ENCODING', 'Transfer-Encoding has an empty coding; send "Transfer-Encoding: chunked"');
    }
    if (coding !== 'chunked') {
      throw new HttpError('UNSUPPORTED_TRANSFER_CODING', `transfer coding ${JSON.stringify(coding.slice(0, 32))} is not implemented; only chunked is`);
    }
    if (index !== codings.length - 1) {
      throw new HttpError('INVALID_TRANSFER_ENCODING', 'chunked must be the last and only once applied transfer coding');
    }
  }
}

/**
 * Maps an llhttp error raised while reading `head`, a complete head, to the code the hand engine
 * gives it. The hand engine checks the request line before the header fields, and the method,
 * the target length and the version in that order, so those checks come first here too.
 */
function mapHeadError(code: string, llhttpReason: string, head: Buffer, limits: ParserLimits): HttpError {
  const reason = `${llhttpReason} (llhttp ${code})`;
  const line = splitRequestLine(head);
  if (code === 'HPE_INVALID_METHOD' || !line.methodEndsWithSpace || !KNOWN_METHODS.has(line.method)) {
    // A token followed by SP is a well-formed method that llhttp does not know (501).
    const errorCode: HttpErrorCode = line.method !== '' && line.methodEndsWithSpace ? 'UNSUPPORTED_METHOD' : 'INVALID_METHOD';
    return new HttpError(errorCode, `request method ${JSON.stringify(line.method.slice(0, 32))} is invalid or not implemented: ${reason}; methods are case-sensitive, e.g. GET or POST`);
  }
  if (line.target.length > limits.maxTargetLength) {
    return new HttpError('TARGET_TOO_LONG', `request-target is ${line.target.length} bytes; the limit is ${limits.maxTargetLength}`);
  }
  if (code === 'HPE_INVALID_URL') {
    return new HttpError('INVALID_TARGET', `request-target is invalid: ${reason}; percent-encode special characters`);
  }
  if (code === 'HPE_INVALID_VERSION' || code === 'HPE_INVALID_CONSTANT' || !/^HTTP\/1\.[01]$/.test(line.version)) {
    return versionError(line.version);
  }

  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HttpError('HEADERS_TOO_LARGE', `request head is too large: ${reason}`);
    case 'HPE_INVALID_HEADER_TOKEN':
      if (llhttpReason.includes('whitespace after header value')) {
        return new HttpError('OBSOLETE_LINE_FOLDING', `header line starts with whitespace (obsolete line folding): ${reason}`);
      }
      if (llhttpReason.includes('value')) return new HttpError('INVALID_HEADER_VALUE', `header value is invalid: ${reason}`);
      return new HttpError('INVALID_HEADER_NAME', `header name is invalid: ${reason}; a name is a token followed by ":"`);
    case 'HPE_UNEXPECTED_SPACE':
      return new HttpError('INVALID_REQUEST_LINE', `request line has unexpected whitespace: ${reason}`);
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return new HttpError('CONFLICTING_CONTENT_LENGTH', `Content-Length is sent more than once: ${reason}`);
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return mapFramingError(code, llhttpReason, head);
    case 'HPE_CR_EXPECTED':
    case 'HPE_LF_EXPECTED':
    case 'HPE_STRICT':
      return new HttpError('INVALID_LINE_ENDING', `request head has an invalid line ending: ${reason}; end lines with CRLF`);
    default:
      return new HttpError('INVALID_REQUEST_LINE', `request head is invalid: ${reason}`);
  }
}

function mapFramingError(code: string, llhttpReason: string, head: Buffer): HttpError {
  const reason = `${llhttpReason} (llhttp ${code})`;
  const codings: string[] = [];
  let hasTransferEncoding = false;
  for (const line of head.toString('latin1').split('\n')) {
    const match = /^transfer-encoding:(.*?)[ \t\r]*$/i.exec(line);
    if (match === null) continue;
    hasTransferEncoding = true;
    codings.push(...listMembers(match[1]));
  }

  if (code === 'HPE_INVALID_CONTENT_LENGTH' && !llhttpReason.includes("can't be present with")) {
    return new HttpError('INVALID_CONTENT_LENGTH', `Content-Length is not a decimal number of bytes: ${reason}`);
  }
  if (hasTransferEncoding && splitRequestLine(head).version === 'HTTP/1.0') {
    // The hand engine checks this before the other Transfer-Encoding rules.
    return new HttpError('INVALID_TRANSFER_ENCODING', 'Transfer-Encoding is not allowed in an HTTP/1.0 request; send Content-Length');
  }
  if (llhttpReason.includes("can't be present with")) {
    return new HttpError('CONTENT_LENGTH_WITH_TRANSFER_ENCODING', `request has both Content-Length and Transfer-Encoding: ${reason}; send only one`);
  }

  // llhttp reports one code for an unknown coding and for chunked not being last, so the header values decide.
  checkTransferCodings(codings);
  return new HttpError('INVALID_TRANSFER_ENCODING', `Transfer-Encoding is invalid: ${reason}; send "Transfer-Encoding: chunked"`);
}

/** Maps an llhttp error raised while reading a body. */
function bodyError(error: NativeError): HttpError {
  const reason = `${error.reason} (llhttp ${error.code})`;
  if (error.code === 'HPE_INVALID_CHUNK_SIZE') {
    return new HttpError('INVALID_CHUNK_SIZE', `chunk size is invalid: ${reason}`);
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new HttpError('HEADERS_TOO_LARGE', `trailer section is too large: ${reason}`);
  }
  if (error.code === 'HPE_INVALID_HEADER_TOKEN') {
    return new HttpError('INVALID_HEADER_NAME', `trailer field is invalid: ${reason}`);
  }
  return new HttpError('INVALID_CHUNK', `chunked body is invalid: ${reason}; a chunk is its size in hex, CRLF, the data, CRLF`);
}

export const createLlhttpParser: ParserFactory = (handler, limits) => new LlhttpParser(handler, limits);
