// The contract every request parser engine implements. The connection code drives an engine
// through this interface only, so the hand-written engine and the llhttp engine are
// interchangeable and can be compared byte for byte.

import type { HttpError } from './errors.js';

export type ParserEngineName = 'hand' | 'llhttp';

export const PARSER_ENGINES: readonly ParserEngineName[] = ['hand', 'llhttp'];

/** Size limits that an engine enforces while it reads, before it buffers anything. */
export interface ParserLimits {
  /** Maximum bytes of request line plus header section, line endings included (431). */
  maxHeaderBytes: number;
  /** Maximum length of the request-target in bytes (414). */
  maxTargetLength: number;
  /** Maximum decoded body bytes, for Content-Length and chunked bodies alike (413). */
  maxBodyBytes: number;
}

/** The parsed request line and header section of one request. */
export interface RequestHead {
  method: string;
  /** The request-target exactly as sent, e.g. `/queues/a%20b?x=1`. */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  versionMinor: number;
  /** Flat list of lower-cased names and their values, in arrival order: [name, value, name, value, ...]. */
  headers: string[];
  /** Declared Content-Length, or -1 when the request has none or is chunked. */
  contentLength: number;
  chunked: boolean;
  /** Whether the connection stays open after this request (RFC 9112 section 9.3). */
  keepAlive: boolean;
  /** Whether the client sent `Expect: 100-continue` and waits before sending the body. */
  expectContinue: boolean;
}

/**
 * Receives the parts of each request in order: one onHead, zero or more onBody, one onComplete.
 * Body chunks are views into the buffer passed to execute(); copy them to keep them.
 */
export interface ParserHandler {
  onHead(head: RequestHead): void;
  onBody(chunk: Buffer): void;
  /**
   * Ends one request. `trailers` is a flat name/value list like RequestHead.headers (empty
   * unless a chunked body carried trailer fields). Returning false stops execute() right
   * after this request, so that the caller can hold the rest of the bytes and resume later.
   */
  onComplete(trailers: string[]): boolean;
}

export interface RequestParser {
  /**
   * Parses `data` and returns how many bytes were consumed: all of them, unless onComplete
   * returned false. Throws HttpError on invalid input; the parser is unusable afterwards.
   */
  execute(data: Buffer): number;
  /** Reports the end of the input. Throws HttpError INCOMPLETE_REQUEST when a request was cut off. */
  finish(): void;
  /** True between requests, when no byte of a next request has arrived yet. */
  readonly idle: boolean;
  /** True after the head of the current request was parsed and before it completed. */
  readonly inBody: boolean;
}

export type ParserFactory = (handler: ParserHandler, limits: ParserLimits) => RequestParser;

export type { HttpError };
