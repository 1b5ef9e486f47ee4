// Node's internal HTTP parser binding, which contains llhttp, as the llhttp engine uses it.

import { createRequire } from 'node:module';

/** The subset of Node's HTTPParser binding object this engine uses (node/src/node_http_parser.cc). */
export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  execute(data: Buffer): number | NativeError;
  close(): void;
  [callback: number]: unknown;
}

export interface NativeError extends Error {
  code: string;
  reason: string;
  bytesParsed: number;
}

export interface NativeBinding {
  methods: string[];
  HTTPParser: (new () => NativeParser) & Record<string, number>;
}

/**
 * Loads the binding. `node:_http_common` re-exports it without a warning (Node's documentation
 * deprecates that module since Node 24, DEP0199, without a runtime warning). The fallback,
 * `process.binding('http_parser')`, prints DEP0111 on Node 20, and newer Node releases drop it
 * from the bindings process.binding() allows.
 */
export function loadBinding(): NativeBinding {
  const require = createRequire(import.meta.url);
  try {
    return require('node:_http_common') as NativeBinding;
  } catch {
    const legacy = process as unknown as { binding(name: string): NativeBinding };
    return legacy.binding('http_parser');
  }
}

export const binding = loadBinding();
export const NativeHTTPParser = binding.HTTPParser;
export const METHODS = binding.methods;
export const KNOWN_METHODS = new Set(METHODS);
export const ON_HEADERS = NativeHTTPParser.kOnHeaders;
export const ON_HEADERS_COMPLETE = NativeHTTPParser.kOnHeadersComplete;
export const ON_MESSAGE_COMPLETE = NativeHTTPParser.kOnMessageComplete;

/**
 * Accepts whitespace between a chunk size and its extensions (BWS in RFC 9112 section 7.1.1).
 * Accepts a bare LF in header lines, at the end of the head, after chunk data and in trailers,
 * so that requests typed into telnet parse. With this flag alone llhttp 9 still rejects a bare
 * LF after the request line and after a chunk size, so the wrapper feeds a CR before those. The
 * flag that would allow them (kLenientOptionalLFAfterCR) also accepts a bare CR line ending,
 * which is a request smuggling vector.
 */
export const LENIENT_FLAGS = (NativeHTTPParser.kLenientOptionalCRBeforeLF ?? 0) | (NativeHTTPParser.kLenientSpacesAfterChunkSize ?? 0);

/** The head fields llhttp reported, kept until the native call returns. */
export interface NativeHead {
  versionMajor: number;
  versionMinor: number;
  headers: string[];
  method: string;
  target: string;
  upgrade: boolean;
  nativeKeepAlive: boolean;
}
