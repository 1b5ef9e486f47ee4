// Wire transcripts that every parser engine must pass: the raw request bytes and the responses
// the echo server must send back. Expected values come from RFC 9110 and RFC 9112, not from
// running the code.

import type { EchoDump } from '../support/echo-server.js';

export interface ExpectedResponse {
  status: number;
  /** Fields the echo dump must contain (for 200 responses). */
  dump?: Partial<EchoDump>;
  /** Whether the response announces `Connection: close`. */
  close?: boolean;
}

export interface ConformanceCase {
  name: string;
  request: string;
  responses: ExpectedResponse[];
}

const ECHO_HEADERS = ['host', 'a'];

export const CONFORMANCE_CASES: ConformanceCase[] = [
  {
    name: 'simple GET with CRLF',
    request: 'GET /path?x=1 HTTP/1.1\r\nHost: a\r\n\r\n',
    responses: [{ status: 200, dump: { method: 'GET', target: '/path?x=1', versionMinor: 1, headers: ECHO_HEADERS, body: '' } }],
  },
  {
    name: 'bare LF line endings, as typed into ncat',
    request: 'GET /typed HTTP/1.1\nHost: a\n\n',
    responses: [{ status: 200, dump: { target: '/typed', headers: ECHO_HEADERS } }],
  },
  {
    name: 'empty lines before the request line are ignored',
    request: '\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n',
    responses: [{ status: 200, dump: { target: '/' } }],
  },
  {
    name: 'header names are case-insensitive and repeats keep their order',
    request: 'GET / HTTP/1.1\r\nHOST: a\r\nX-Tag: one\r\nx-tag: two\r\nX-EMPTY:\r\n\r\n',
    responses: [{ status: 200, dump: { headers: ['host', 'a', 'x-tag', 'one', 'x-tag', 'two', 'x-empty', ''] } }],
  },
  {
    name: 'whitespace around header values is trimmed',
    request: 'GET / HTTP/1.1\r\nHost:a\r\nX-Pad: \t padded value \t\r\n\r\n',
    responses: [{ status: 200, dump: { headers: ['host', 'a', 'x-pad', 'padded value'] } }],
  },
  {
    name: 'obs-text in a header value is kept',
    request: 'GET / HTTP/1.1\r\nHost: a\r\nX-Latin: caf\xe9\r\n\r\n',
    responses: [{ status: 200, dump: { headers: ['host', 'a', 'x-latin', 'caf\xe9'] } }],
  },
  {
    name: 'Content-Length body',
    request: 'POST /q HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world',
    responses: [{ status: 200, dump: { method: 'POST', body: 'hello world' } }],
  },
  {
    name: 'chunked body with extensions and trailers',
    request:
      'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;name=value\r\nhello\r\nA;quoted="a b"\r\n0123456789\r\n0\r\nX-Checksum: 42\r\nX-Other: b\r\n\r\n',
    responses: [{ status: 200, dump: { body: 'hello0123456789', trailers: ['x-checksum', '42', 'x-other', 'b'] } }],
  },
  {
    name: 'chunked coding name is case-insensitive',
    request: 'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    responses: [{ status: 200, dump: { body: 'abc' } }],
  },
  {
    name: 'HTTP/1.0 closes by default',
    request: 'GET /old HTTP/1.0\r\n\r\n',
    responses: [{ status: 200, dump: { versionMinor: 0 }, close: true }],
  },
  {
    name: 'HTTP/1.0 with keep-alive serves a second request',
    request: 'GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n',
    responses: [
      { status: 200, dump: { target: '/1' }, close: false },
      { status: 200, dump: { target: '/2' }, close: true },
    ],
  },
  {
    name: 'Connection: close ends the connection and drops later requests',
    request: 'GET /1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n',
    responses: [{ status: 200, dump: { target: '/1' }, close: true }],
  },
  {
    name: 'three pipelined requests in one write',
    request:
      'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n' +
      'POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc' +
      'GET /3 HTTP/1.1\r\nHost: a\r\n\r\n',
    responses: [
      { status: 200, dump: { target: '/1' } },
      { status: 200, dump: { target: '/2', body: 'abc' } },
      { status: 200, dump: { target: '/3' } },
    ],
  },
  {
    name: 'absolute-form target',
    request: 'GET http://a/abs?q=1 HTTP/1.1\r\nHost: a\r\n\r\n',
    responses: [{ status: 200, dump: { target: 'http://a/abs?q=1' } }],
  },
  {
    name: 'Expect: 100-continue gets an interim response first',
    request: 'POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi',
    responses: [{ status: 100 }, { status: 200, dump: { body: 'hi' } }],
  },

  // Rejections: each closes the connection, because the stream can no longer be framed.
  { name: 'missing Host in HTTP/1.1', request: 'GET / HTTP/1.1\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'two Host headers', request: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'obs-fold', request: 'GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'space before colon', request: 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'NUL in a header value', request: 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'bare CR in a header value', request: 'GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'invalid byte in a header name', request: 'GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'target without a leading slash', request: 'GET ? HTTP/1.1\r\nHost: a\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'asterisk target outside OPTIONS', request: 'GET * HTTP/1.1\r\nHost: a\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'no-break space before chunked', request: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \xa0chunked\r\n\r\n0\r\n\r\n', responses: [{ status: 501, close: true }] },
  { name: 'space inside the target', request: 'GET /a b HTTP/1.1\r\nHost: a\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'non-token method', request: 'G(T / HTTP/1.1\r\nHost: a\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'missing version', request: 'GET /\r\nHost: a\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'malformed version', request: 'GET / HTTP/1.1x\r\nHost: a\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'HTTP/1.2', request: 'GET / HTTP/1.2\r\nHost: a\r\n\r\n', responses: [{ status: 505, close: true }] },
  { name: 'HTTP/2.0 request line', request: 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', responses: [{ status: 505, close: true }] },
  {
    name: 'Content-Length with Transfer-Encoding',
    request: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    responses: [{ status: 400, close: true }],
  },
  {
    name: 'differing duplicate Content-Length',
    request: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
    responses: [{ status: 400, close: true }],
  },
  { name: 'signed Content-Length', request: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc', responses: [{ status: 400, close: true }] },
  { name: 'non-numeric Content-Length', request: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n', responses: [{ status: 400, close: true }] },
  { name: 'gzip transfer coding', request: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', responses: [{ status: 501, close: true }] },
  {
    name: 'gzip before chunked',
    request: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    responses: [{ status: 501, close: true }],
  },
  {
    name: 'Transfer-Encoding in HTTP/1.0',
    request: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    responses: [{ status: 400, close: true }],
  },
  {
    name: 'invalid chunk size',
    request: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n',
    responses: [{ status: 400, close: true }],
  },
  {
    name: 'chunk size overflow',
    request: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nab\r\n0\r\n\r\n',
    responses: [{ status: 400, close: true }],
  },
  {
    name: 'chunk data longer than its size',
    request: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n',
    responses: [{ status: 400, close: true }],
  },
  {
    name: 'error after a good pipelined request keeps the first answer',
    request: 'GET /good HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/9.9\r\nHost: a\r\n\r\n',
    responses: [{ status: 200, dump: { target: '/good' } }, { status: 505, close: true }],
  },
];

/** Limits for the size cases, small enough to write by hand. */
export const SMALL_LIMITS = { maxHeaderBytes: 1024, maxTargetLength: 256, maxBodyBytes: 64 };

export const LIMIT_CASES: ConformanceCase[] = [
  { name: 'target over the limit', request: `GET /${'a'.repeat(300)} HTTP/1.1\r\nHost: a\r\n\r\n`, responses: [{ status: 414, close: true }] },
  { name: 'target at the limit', request: `GET /${'a'.repeat(255)} HTTP/1.1\r\nHost: a\r\n\r\n`, responses: [{ status: 200 }] },
  { name: 'headers over the limit', request: `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(1100)}\r\n\r\n`, responses: [{ status: 431, close: true }] },
  { name: 'Content-Length over the limit', request: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 65\r\n\r\n', responses: [{ status: 413, close: true }] },
  { name: 'Content-Length at the limit', request: `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 64\r\n\r\n${'x'.repeat(64)}`, responses: [{ status: 200 }] },
  {
    name: 'chunked body over the limit',
    request: `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n${'x'.repeat(32)}\r\n21\r\n${'y'.repeat(33)}\r\n0\r\n\r\n`,
    responses: [{ status: 413, close: true }],
  },
];
