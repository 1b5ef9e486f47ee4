// The rules the llhttp engine applies around llhttp: building the RequestHead, the hand
// engine's checks where llhttp is more lenient, and the mapping of llhttp errors onto our codes.

import { HttpError, type HttpErrorCode } from './errors.js';
import type { ParserLimits, RequestHead } from './parser.js';
import { applyFraming, checkTargetForm, checkTransferCodings, listMembers } from './head-parser.js';
import { KNOWN_METHODS, type NativeError, type NativeHead } from './llhttp-binding.js';

const LF = 10;
const CR = 13;

/** A request-line longer than the target limit by this much cannot fit the limit (method, spaces, version). */
export const REQUEST_LINE_OVERHEAD = 32;

/** Returns the value of a hexadecimal digit byte, or -1 for any other byte and for undefined. */
export function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

export function lowerCaseNames(headers: string[]): string[] {
  const result = headers.slice();
  for (let index = 0; index < result.length; index += 2) result[index] = result[index].toLowerCase();
  return result;
}

export function headTooLarge(length: number, requestLineEnded: boolean, limits: ParserLimits): HttpError {
  if (!requestLineEnded && length > limits.maxTargetLength + REQUEST_LINE_OVERHEAD) {
    return new HttpError('TARGET_TOO_LONG', `request line exceeds ${length} bytes without ending; the request-target limit is ${limits.maxTargetLength}`);
  }
  return new HttpError('HEADERS_TOO_LARGE', `request head exceeds the limit of ${limits.maxHeaderBytes} bytes`);
}

/** Builds the RequestHead from what llhttp accepted and applies the rules llhttp does not check. */
export function buildHead(nativeHead: NativeHead, limits: ParserLimits): RequestHead {
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

  applyFraming(head, limits);

  if (method === 'CONNECT' && (head.chunked || head.contentLength > 0)) {
    // RFC 9110 section 9.3.6: a CONNECT request has no content. llhttp reads the bytes after its
    // head as tunnel data, so it cannot frame a body here.
    throw new HttpError('INVALID_REQUEST_LINE', 'a CONNECT request must not have a body; remove Content-Length and Transfer-Encoding');
  }

  return head;
}

/** The request line of a complete head, split as the hand engine splits it (RFC 9112 section 3). */
export interface RequestLineParts {
  /** The token the line starts with, and whether one SP follows it. */
  method: string;
  methodEndsWithSpace: boolean;
  /** The run of visible ASCII after the method's SP. */
  target: string;
  /** Everything after the SP that follows the target. */
  version: string;
}

export function splitRequestLine(head: Buffer): RequestLineParts {
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
export function versionError(version: string): HttpError {
  if (/^HTTP\/\d\.\d$/.test(version)) {
    return new HttpError('UNSUPPORTED_VERSION', `${version} is not supported; use HTTP/1.1 or HTTP/1.0`);
  }
  return new HttpError('INVALID_VERSION', `protocol version ${JSON.stringify(version.slice(0, 32))} is invalid; end the request line with HTTP/1.1 or HTTP/1.0`);
}

/**
 * Maps an llhttp error raised while reading `head`, a complete head, to the code the hand engine
 * gives it. The hand engine checks the request line before the header fields, and the method,
 * the target length and the version in that order, so those checks come first here too.
 */
export function mapHeadError(code: string, llhttpReason: string, head: Buffer, limits: ParserLimits): HttpError {
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

export function mapFramingError(code: string, llhttpReason: string, head: Buffer): HttpError {
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
export function bodyError(error: NativeError): HttpError {
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
