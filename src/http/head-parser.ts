// Parses a complete request head (request line and header fields, up to and including the
// empty line) held in one buffer. The incremental engine finds the end of the head first and
// calls this once, so this code never has to stop in the middle of a line.

import { METHODS } from 'node:http';
import { HttpError } from './errors.js';
import type { ParserLimits, RequestHead } from './parser.js';
import { COLON, CR, FIELD_VALUE, HTAB, LF, SP, TARGET, TOKEN } from './characters.js';

// Node's METHODS is llhttp's method table, so both engines accept the same methods.
const KNOWN_METHODS = new Set(METHODS);

/**
 * Returns the index of the LF that ends the line starting at `start`. Plain numbers rather than
 * a bounds object, because this runs for every line of every request.
 */
function findLineFeed(buffer: Buffer, start: number, limit: number): number {
  const lineFeed = buffer.indexOf(LF, start);
  if (lineFeed === -1 || lineFeed >= limit) {
    throw new HttpError('INVALID_LINE_ENDING', 'request head is missing a line ending');
  }
  return lineFeed;
}

/** Returns where the content of a line ends: before its CRLF, or before a bare LF. */
function contentEnd(buffer: Buffer, start: number, lineFeed: number): number {
  return lineFeed > start && buffer[lineFeed - 1] === CR ? lineFeed - 1 : lineFeed;
}

function describeByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Parses the request line of `buffer[start..]`, fills method, target and version of `head`,
 * and returns the offset of the first header line.
 */
function parseRequestLine(buffer: Buffer, start: number, limit: number, head: RequestHead, limits: ParserLimits): number {
  const lineFeed = findLineFeed(buffer, start, limit);
  const lineEnd = contentEnd(buffer, start, lineFeed);

  let position = start;
  while (position < lineEnd && TOKEN[buffer[position]] === 1) position++;
  if (position === start || buffer[position] !== SP) {
    throw new HttpError('INVALID_METHOD', 'request line must start with a method token followed by one space, e.g. "GET / HTTP/1.1"');
  }
  const method = buffer.toString('latin1', start, position);
  if (!KNOWN_METHODS.has(method)) {
    throw new HttpError('UNSUPPORTED_METHOD', `method ${JSON.stringify(method.slice(0, 32))} is not implemented; methods are case-sensitive, e.g. GET or POST`);
  }

  const targetStart = position + 1;
  position = targetStart;
  while (position < lineEnd && TARGET[buffer[position]] === 1) position++;
  if (position === targetStart) {
    throw new HttpError('INVALID_TARGET', 'request line is missing the request-target after the method');
  }
  if (position - targetStart > limits.maxTargetLength) {
    throw new HttpError('TARGET_TOO_LONG', `request-target is ${position - targetStart} bytes; the limit is ${limits.maxTargetLength}`);
  }
  if (position === lineEnd) {
    throw new HttpError('INVALID_VERSION', 'request line is missing the protocol version: end it with HTTP/1.1, e.g. "GET / HTTP/1.1"');
  }
  if (buffer[position] !== SP) {
    throw new HttpError('INVALID_TARGET', `request-target contains an invalid byte (${describeByte(buffer[position])}); percent-encode it`);
  }
  head.method = method;
  head.target = buffer.toString('latin1', targetStart, position);
  checkTargetForm(method, head.target);

  head.versionMinor = parseVersion(buffer, position + 1, lineEnd);
  return lineFeed + 1;
}

// RFC 3986 section 3.2: an authority contains unreserved and sub-delimiter characters, percent
// escapes, ":" and "@", and "[" "]" around an IPv6 literal.
const AUTHORITY_FORM = /^[A-Za-z0-9\-._~%!$&'()*+,;=\[\]]+:\d+$/;
const ABSOLUTE_FORM = /^[A-Za-z]+:\/\/[A-Za-z0-9\-._~%!$&'()*+,;=:@\[\]]*([/?]|$)/;

/**
 * Accepts the four request-target forms of RFC 9112 section 3.2: origin-form ("/path"),
 * absolute-form ("http://host/path"), authority-form ("host:port", CONNECT only) and
 * asterisk-form ("*", OPTIONS only).
 */
export function checkTargetForm(method: string, target: string): void {
  if (target.charCodeAt(0) === 0x2f) return;
  if (target === '*' && method === 'OPTIONS') return;
  if (method === 'CONNECT' && AUTHORITY_FORM.test(target)) return;
  if (ABSOLUTE_FORM.test(target)) return;
  throw new HttpError('INVALID_TARGET', `request-target ${JSON.stringify(target.slice(0, 64))} must start with "/" or be an absolute URL such as http://host/path`);
}

/** Parses `HTTP/1.x` and returns x; other well-formed versions are 505, anything else 400. */
function parseVersion(buffer: Buffer, start: number, end: number): number {
  const isDigit = (byte: number) => byte >= 0x30 && byte <= 0x39;
  const wellFormed =
    end - start === 8 &&
    buffer.toString('latin1', start, start + 5) === 'HTTP/' &&
    isDigit(buffer[start + 5]) &&
    buffer[start + 6] === 0x2e &&
    isDigit(buffer[start + 7]);
  if (!wellFormed) {
    throw new HttpError('INVALID_VERSION', 'request line must end with the protocol version HTTP/1.1 or HTTP/1.0');
  }

  const major = buffer[start + 5] - 0x30;
  const minor = buffer[start + 7] - 0x30;
  if (major !== 1 || minor > 1) {
    throw new HttpError('UNSUPPORTED_VERSION', `HTTP/${major}.${minor} is not supported; use HTTP/1.1 or HTTP/1.0`);
  }
  return minor;
}

/**
 * Parses header lines from `start` up to the empty line and appends lower-cased names and
 * trimmed values to `headers`. Returns the offset just past the empty line. Used for trailer
 * fields too.
 */
export function parseFieldLines(buffer: Buffer, start: number, limit: number, headers: string[]): number {
  let position = start;
  for (;;) {
    const lineFeed = findLineFeed(buffer, position, limit);
    const lineEnd = contentEnd(buffer, position, lineFeed);
    if (lineEnd === position) return lineFeed + 1;

    const first = buffer[position];
    if (first === SP || first === HTAB) {
      // RFC 9112 section 5.2: a server must reject obs-fold in a request with 400.
      throw new HttpError('OBSOLETE_LINE_FOLDING', 'header line starts with whitespace (obsolete line folding); put each header on one line');
    }

    let nameEnd = position;
    while (nameEnd < lineEnd && TOKEN[buffer[nameEnd]] === 1) nameEnd++;
    if (nameEnd === position || buffer[nameEnd] !== COLON) {
      const byte = nameEnd < lineEnd ? describeByte(buffer[nameEnd]) : 'end of line';
      // RFC 9112 section 5.1: no whitespace is allowed between a field name and the colon.
      throw new HttpError('INVALID_HEADER_NAME', `header name must be a token followed by ":", found ${byte}`);
    }

    let valueStart = nameEnd + 1;
    let valueEnd = lineEnd;
    while (valueStart < valueEnd && (buffer[valueStart] === SP || buffer[valueStart] === HTAB)) valueStart++;
    while (valueEnd > valueStart && (buffer[valueEnd - 1] === SP || buffer[valueEnd - 1] === HTAB)) valueEnd--;
    for (let index = valueStart; index < valueEnd; index++) {
      if (FIELD_VALUE[buffer[index]] !== 1) {
        throw new HttpError('INVALID_HEADER_VALUE', `header value contains an invalid byte (${describeByte(buffer[index])})`);
      }
    }

    headers.push(buffer.toString('latin1', position, nameEnd).toLowerCase(), buffer.toString('latin1', valueStart, valueEnd));
    position = lineFeed + 1;
  }
}

/** Parses a complete head in `buffer[start..limit)` into `head` and applies the framing rules. */
export function parseHead(buffer: Buffer, start: number, limit: number, head: RequestHead, limits: ParserLimits): void {
  const headersStart = parseRequestLine(buffer, start, limit, head, limits);
  parseFieldLines(buffer, headersStart, limit, head.headers);
  applyFraming(head, limits);
}

/**
 * Splits a comma-separated header value into lower-cased list members, trimming only SP and
 * HTAB (OWS): String.prototype.trim() would also strip bytes such as 0xA0, letting
 * "\xa0chunked" pass as chunked when other parsers reject it.
 */
export function listMembers(value: string): string[] {
  return value.split(',').map((member) => member.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase());
}

/**
 * Derives body framing and connection handling from the header fields (RFC 9112 sections 6
 * and 9.3), rejecting every combination that request smuggling relies on.
 */
export function applyFraming(head: RequestHead, limits: ParserLimits): void {
  let contentLength = -1;
  let codings: string[] | undefined;
  let closeRequested = false;
  let keepAliveRequested = false;
  const headers = head.headers;

  for (let index = 0; index < headers.length; index += 2) {
    const name = headers[index];
    const value = headers[index + 1];
    if (name === 'content-length') {
      const length = parseContentLength(value);
      if (contentLength !== -1 && contentLength !== length) {
        throw new HttpError('CONFLICTING_CONTENT_LENGTH', `Content-Length is sent twice with different values (${contentLength} and ${length})`);
      }
      contentLength = length;
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
    applyTransferCodings(head, codings, contentLength);
  } else if (contentLength !== -1) {
    if (contentLength > limits.maxBodyBytes) {
      throw new HttpError('BODY_TOO_LARGE', `Content-Length ${contentLength} exceeds the body limit of ${limits.maxBodyBytes} bytes`);
    }
    head.contentLength = contentLength;
  }

  head.keepAlive = head.versionMinor === 1 ? !closeRequested : keepAliveRequested && !closeRequested;
  if (head.contentLength <= 0 && !head.chunked) head.expectContinue = false;
}

function applyTransferCodings(head: RequestHead, codings: string[], contentLength: number): void {
  if (head.versionMinor === 0) {
    // RFC 9112 section 6.1: an HTTP/1.0 recipient cannot be trusted to frame a chunked body.
    throw new HttpError('INVALID_TRANSFER_ENCODING', 'Transfer-Encoding is not allowed in an HTTP/1.0 request; send Content-Length');
  }
  if (contentLength !== -1) {
    // RFC 9112 section 6.3: both headers together are a request smuggling vector.
    throw new HttpError('CONTENT_LENGTH_WITH_TRANSFER_ENCODING', 'request has both Content-Length and Transfer-Encoding; send only one');
  }

  checkTransferCodings(codings);
  head.chunked = true;
}

/** Rejects codings other than chunked, chunked not last, and chunked applied twice (RFC 9112 section 6.1). */
export function checkTransferCodings(codings: string[]): void {
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

/** Parses a Content-Length value: one or more digits and nothing else (RFC 9110 section 8.6). */
function parseContentLength(value: string): number {
  if (value.length === 0) {
    throw new HttpError('INVALID_CONTENT_LENGTH', 'Content-Length is empty; send the body length in bytes as decimal digits');
  }
  let length = 0;
  for (let index = 0; index < value.length; index++) {
    const digit = value.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) {
      throw new HttpError('INVALID_CONTENT_LENGTH', `Content-Length ${JSON.stringify(value.slice(0, 32))} is not a decimal number of bytes`);
    }
    length = length * 10 + digit;
  }

  // Past 2^53 the sum above loses precision; any such length is over every body limit anyway.
  return Number.isSafeInteger(length) ? length : Number.MAX_SAFE_INTEGER;
}
