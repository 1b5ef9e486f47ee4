// The llhttp engine against the RequestParser contract: the corpus outcomes, limits, head
// fields, error codes, and stopping right after a request whose onComplete returns false.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLlhttpParser } from '../../src/http/llhttp-parser.js';
import { DEFAULT_LIMITS } from '../../src/http/context.js';
import { HttpError } from '../../src/http/errors.js';
import type { ParserLimits, RequestHead } from '../../src/http/parser.js';
import { escapeBytes, expectedOutcome, loadCorpus } from '../support/http-corpus.js';
import { runEngine } from '../support/http-engine-run.js';
import { splitEveryByte } from '../support/parser-run.js';

const SMALL_LIMITS: ParserLimits = { maxHeaderBytes: 256, maxTargetLength: 64, maxBodyBytes: 32 };

function run(request: string, limits: ParserLimits = DEFAULT_LIMITS) {
  return runEngine(createLlhttpParser, [Buffer.from(request, 'latin1')], limits);
}

function errorCode(request: string, limits: ParserLimits = DEFAULT_LIMITS): string | null {
  return run(request, limits).error?.code ?? null;
}

function onlyHead(request: string): RequestHead {
  const outcome = run(request);
  assert.is(outcome.error, null, `${JSON.stringify(request)} is accepted`);
  assert.is(outcome.requests.length, 1);
  return outcome.requests[0].head;
}

const corpus = suite('llhttp engine: corpus');

for (const testCase of loadCorpus()) {
  corpus(`${testCase.topic}: ${testCase.name}`, () => {
    const expected = expectedOutcome(testCase, 'llhttp');
    for (const [feed, pieces] of [['whole', [testCase.bytes]], ['byte by byte', splitEveryByte(testCase.bytes)]] as const) {
      const outcome = runEngine(createLlhttpParser, [...pieces], DEFAULT_LIMITS);
      const context = `${feed}: ${escapeBytes(testCase.bytes)} gave ${outcome.error?.message ?? 'no error'}`;
      assert.is(outcome.requests.length, expected.requests, `${context}: requests parsed`);
      assert.is(outcome.error?.status, expected.status, `${context}: rejection status`);
    }
  });
}

corpus.run();

const stopping = suite('llhttp engine: onComplete returning false');

stopping('stops right after each pipelined request', () => {
  const requests = [
    'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n',
    'POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc',
    'POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\nX-T: 1\r\n\r\n',
    'GET /4 HTTP/1.0\r\n\r\n',
    'GET /5 HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n',
    'GET /6 HTTP/1.1\r\nHost: a\r\n\r\n',
  ];
  const input = Buffer.from(requests.join(''), 'latin1');
  const targets: string[] = [];
  const bodies: string[] = [];
  const parser = createLlhttpParser(
    {
      onHead: (head) => targets.push(head.target),
      onBody: (chunk) => bodies.push(chunk.toString('latin1')),
      onComplete: () => false,
    },
    DEFAULT_LIMITS,
  );

  let offset = 0;
  for (const [index, request] of requests.entries()) {
    const consumed = parser.execute(input.subarray(offset));
    assert.is(consumed, request.length, `request ${index + 1} ends after ${request.length} bytes`);
    assert.is(targets.length, index + 1, `request ${index + 1} is the only new one`);
    assert.ok(parser.idle, `parser is idle after request ${index + 1}`);
    offset += consumed;
  }
  assert.equal(targets, ['/1', '/2', '/3', '/4', '/5', '/6']);
  assert.equal(bodies.join(''), 'abcxyz');
  parser.finish();
});

stopping('stops inside one piece and resumes with the held bytes', () => {
  const first = 'POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok';
  const second = 'GET /b HTTP/1.1\r\nHost: a\r\n\r\n';
  const completed: string[] = [];
  let head = '';
  const parser = createLlhttpParser(
    {
      onHead: (received) => (head = received.target),
      onBody: () => {},
      onComplete: () => {
        completed.push(head);
        return completed.length > 1;
      },
    },
    DEFAULT_LIMITS,
  );

  const input = Buffer.from(first + second, 'latin1');
  assert.is(parser.execute(input), first.length);
  assert.equal(completed, ['/a']);
  assert.is(parser.execute(input.subarray(first.length)), second.length);
  assert.equal(completed, ['/a', '/b']);
});

stopping.run();

const limits = suite('llhttp engine: limits');

limits('head at the header limit is accepted, one byte more is 431', () => {
  const prefix = 'GET / HTTP/1.1\r\nHost: a\r\nX: ';
  const fill = SMALL_LIMITS.maxHeaderBytes - prefix.length - '\r\n\r\n'.length;
  assert.is(errorCode(`${prefix}${'v'.repeat(fill)}\r\n\r\n`, SMALL_LIMITS), null);
  assert.is(errorCode(`${prefix}${'v'.repeat(fill + 1)}\r\n\r\n`, SMALL_LIMITS), 'HEADERS_TOO_LARGE');
});

limits('unfinished head past the header limit is 431 before it ends', () => {
  const outcome = run(`GET / HTTP/1.1\r\nX: ${'v'.repeat(SMALL_LIMITS.maxHeaderBytes)}`, SMALL_LIMITS);
  assert.is(outcome.error?.code, 'HEADERS_TOO_LARGE');
});

limits('target at the limit is accepted, one byte more is 414', () => {
  const target = `/${'t'.repeat(SMALL_LIMITS.maxTargetLength - 1)}`;
  assert.is(errorCode(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`, SMALL_LIMITS), null);
  assert.is(errorCode(`GET ${target}t HTTP/1.1\r\nHost: a\r\n\r\n`, SMALL_LIMITS), 'TARGET_TOO_LONG');
});

limits('unfinished long request line is 414', () => {
  assert.is(errorCode(`GET /${'t'.repeat(300)}`, SMALL_LIMITS), 'TARGET_TOO_LONG');
});

limits('Content-Length past the body limit is 413 before the body', () => {
  const outcome = run(`POST / HTTP/1.1\r\nContent-Length: ${SMALL_LIMITS.maxBodyBytes + 1}\r\n\r\n`, SMALL_LIMITS);
  assert.is(outcome.error?.code, 'BODY_TOO_LARGE');
  assert.is(errorCode(`POST / HTTP/1.1\r\nContent-Length: ${SMALL_LIMITS.maxBodyBytes}\r\n\r\n${'b'.repeat(SMALL_LIMITS.maxBodyBytes)}`, SMALL_LIMITS), null);
});

limits('chunked body past the body limit is 413 at the chunk size', () => {
  const chunk = (size: number) => `${size.toString(16)}\r\n${'c'.repeat(size)}\r\n`;
  const head = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';
  assert.is(errorCode(`${head}${chunk(16)}${chunk(16)}0\r\n\r\n`, SMALL_LIMITS), null);
  assert.is(errorCode(`${head}${chunk(16)}${chunk(17)}0\r\n\r\n`, SMALL_LIMITS), 'BODY_TOO_LARGE');
  assert.is(errorCode(`${head}${(SMALL_LIMITS.maxBodyBytes + 1).toString(16)}\r\n`, SMALL_LIMITS), 'BODY_TOO_LARGE');
});

limits('trailer section past the header limit is 431', () => {
  const request = `POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: ${'t'.repeat(SMALL_LIMITS.maxHeaderBytes)}\r\n\r\n`;
  assert.is(errorCode(request, SMALL_LIMITS), 'HEADERS_TOO_LARGE');
});

limits.run();

const heads = suite('llhttp engine: head fields');

heads('header names are lower-cased in a flat list', () => {
  const head = onlyHead('GET /q?x=1 HTTP/1.1\r\nHost: a\r\nX-Tag:  one \r\nx-tag: two\r\n\r\n');
  assert.is(head.method, 'GET');
  assert.is(head.target, '/q?x=1');
  assert.equal(head.headers, ['host', 'a', 'x-tag', 'one', 'x-tag', 'two']);
});

heads('keepAlive follows the version and Connection', () => {
  assert.is(onlyHead('GET / HTTP/1.1\r\nHost: a\r\n\r\n').keepAlive, true);
  assert.is(onlyHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n').keepAlive, false);
  assert.is(onlyHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: te, close\r\n\r\n').keepAlive, false);
  assert.is(onlyHead('GET / HTTP/1.0\r\n\r\n').keepAlive, false);
  assert.is(onlyHead('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n').keepAlive, true);
  assert.is(onlyHead('GET / HTTP/1.0\r\n\r\n').versionMinor, 0);
});

heads('contentLength and chunked describe the framing', () => {
  const plain = onlyHead('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.is(plain.contentLength, -1);
  assert.is(plain.chunked, false);
  const sized = onlyHead('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok');
  assert.is(sized.contentLength, 2);
  const chunked = onlyHead('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
  assert.is(chunked.contentLength, -1);
  assert.is(chunked.chunked, true);
});

heads('expectContinue only with a body', () => {
  assert.is(onlyHead('POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok').expectContinue, true);
  assert.is(onlyHead('GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n').expectContinue, false);
});

heads('Content-Length body chunks are views of the input', () => {
  const input = Buffer.from('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello', 'latin1');
  const chunks: Buffer[] = [];
  const parser = createLlhttpParser({ onHead: () => {}, onBody: (chunk) => chunks.push(chunk), onComplete: () => true }, DEFAULT_LIMITS);
  parser.execute(input);
  assert.is(chunks.length, 1);
  assert.is(chunks[0].buffer, input.buffer);
  assert.is(chunks[0].toString(), 'hello');
});

heads.run();

const errors = suite('llhttp engine: error codes');

const ERROR_CASES: [string, string][] = [
  ['POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 'CONTENT_LENGTH_WITH_TRANSFER_ENCODING'],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n', 'CONTENT_LENGTH_WITH_TRANSFER_ENCODING'],
  ['POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 'CONFLICTING_CONTENT_LENGTH'],
  ['POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n', 'INVALID_CONTENT_LENGTH'],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', 'UNSUPPORTED_TRANSFER_CODING'],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 'UNSUPPORTED_TRANSFER_CODING'],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', 'INVALID_TRANSFER_ENCODING'],
  ['POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', 'INVALID_TRANSFER_ENCODING'],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n', 'INVALID_CHUNK_SIZE'],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', 'INVALID_CHUNK'],
  ['GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n', 'OBSOLETE_LINE_FOLDING'],
  ['GET / HTTP/1.1\r\nX : a\r\n\r\n', 'INVALID_HEADER_NAME'],
  ['GET / HTTP/1.1\r\nX: a\u0001\r\n\r\n', 'INVALID_HEADER_VALUE'],
  ['FETCH / HTTP/1.1\r\n\r\n', 'UNSUPPORTED_METHOD'],
  ['G(T / HTTP/1.1\r\n\r\n', 'INVALID_METHOD'],
  ['GET /a\u007fb HTTP/1.1\r\n\r\n', 'INVALID_TARGET'],
  ['GET / HTTP/1.2\r\n\r\n', 'UNSUPPORTED_VERSION'],
  ['GET / HTTP/2.0\r\n\r\n', 'UNSUPPORTED_VERSION'],
  ['GET / HTTP/1.1x\r\n\r\n', 'INVALID_VERSION'],
  ['GET / HTTP/1.1\rX: a\r\n\r\n', 'INVALID_VERSION'],
  ['GET / HTTP/1.1\r\nX: a\rY: b\r\n\r\n', 'INVALID_LINE_ENDING'],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n', 'INVALID_TRANSFER_ENCODING'],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: \u00a0chunked\r\n\r\n0\r\n\r\n', 'UNSUPPORTED_TRANSFER_CODING'],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n00000000000003\r\nabc\r\n0\r\n\r\n', 'INVALID_CHUNK_SIZE'],
  ['GET / HTTP/1.1\r\nHost: a\r\n', 'INCOMPLETE_REQUEST'],
];

for (const [request, code] of ERROR_CASES) {
  errors(`${JSON.stringify(request).slice(0, 60)} is ${code}`, () => {
    const outcome = run(request);
    assert.is(outcome.error?.code, code, outcome.error?.message);
  });
}

errors('parser rejects use after an error', () => {
  const parser = createLlhttpParser({ onHead: () => {}, onBody: () => {}, onComplete: () => true }, DEFAULT_LIMITS);
  assert.throws(() => parser.execute(Buffer.from('G(T / HTTP/1.1\r\n\r\n')), (error: unknown) => error instanceof HttpError);
  assert.throws(() => parser.execute(Buffer.from('GET / HTTP/1.1\r\n\r\n')), (error: unknown) => error instanceof HttpError && error.code === 'INCOMPLETE_REQUEST');
});

errors('idle and inBody track the request', () => {
  const parser = createLlhttpParser({ onHead: () => {}, onBody: () => {}, onComplete: () => true }, DEFAULT_LIMITS);
  assert.ok(parser.idle);
  parser.execute(Buffer.from('\r\n'));
  assert.ok(parser.idle, 'empty lines keep the parser idle');
  parser.execute(Buffer.from('POST / HTTP/1.1\r\nContent-Le'));
  assert.not.ok(parser.idle);
  assert.not.ok(parser.inBody);
  parser.execute(Buffer.from('ngth: 2\r\n\r\no'));
  assert.ok(parser.inBody);
  parser.execute(Buffer.from('k'));
  assert.ok(parser.idle);
  assert.not.ok(parser.inBody);
  parser.finish();
});

errors.run();
