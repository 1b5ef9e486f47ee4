// Micro-benchmark of the two request parser engines on a few typical requests, without sockets.
// Run alone with `node build/bench/parsers.js`; prints one line per engine and request kind.

import { pathToFileURL } from 'node:url';
import { createHandParser } from '../src/http/hand-parser.js';
import { createLlhttpParser } from '../src/http/llhttp-parser.js';
import { DEFAULT_LIMITS } from '../src/http/context.js';
import type { ParserFactory, ParserHandler } from '../src/http/parser.js';

export interface ParserBenchmarkResult {
  engine: string;
  request: string;
  /** Requests parsed per second, over the timed rounds. */
  requestsPerSecond: number;
  /** Mean nanoseconds per request. */
  nanosecondsPerRequest: number;
}

const ENGINES: [string, ParserFactory][] = [
  ['hand', createHandParser],
  ['llhttp', createLlhttpParser],
];

const JSON_BODY = JSON.stringify({ MessageBody: 'x'.repeat(900), DelaySeconds: 0 });

/** Each input contains `count` requests, so pipelined batches measure per-request cost too. */
const REQUESTS: { name: string; count: number; bytes: Buffer }[] = [
  {
    name: 'small GET',
    count: 1,
    bytes: Buffer.from('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:9292\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n'),
  },
  {
    name: 'POST with a 1 KB JSON body',
    count: 1,
    bytes: Buffer.from(
      `POST /queues/orders HTTP/1.1\r\nHost: 127.0.0.1:9292\r\nContent-Type: application/json\r\nAuthorization: Basic dXNlcjpwYXNz\r\nContent-Length: ${Buffer.byteLength(JSON_BODY)}\r\n\r\n${JSON_BODY}`,
    ),
  },
  {
    name: 'chunked POST, 4 chunks',
    count: 1,
    bytes: Buffer.from(
      `POST /queues/orders HTTP/1.1\r\nHost: 127.0.0.1:9292\r\nTransfer-Encoding: chunked\r\n\r\n${'100\r\n'.concat('c'.repeat(256), '\r\n').repeat(4)}0\r\n\r\n`,
    ),
  },
  {
    name: '10 pipelined GETs in one read',
    count: 10,
    bytes: Buffer.from('GET /stats HTTP/1.1\r\nHost: 127.0.0.1:9292\r\n\r\n'.repeat(10)),
  },
];

const COUNTING_HANDLER: ParserHandler = {
  onHead: () => {},
  onBody: () => {},
  onComplete: () => true,
};

/**
 * Parses `bytes` `rounds` times with one parser, as one connection that receives the same
 * requests again and again, and returns the elapsed milliseconds.
 */
function timeRounds(factory: ParserFactory, bytes: Buffer, rounds: number): number {
  const parser = factory(COUNTING_HANDLER, DEFAULT_LIMITS);
  const started = performance.now();
  for (let round = 0; round < rounds; round++) parser.execute(bytes);
  const elapsed = performance.now() - started;
  parser.finish();
  return elapsed;
}

/**
 * Measures each engine on each request kind: a warm-up, then rounds until `minimumMilliseconds`
 * have passed (at most `maximumRounds`), so the run stays bounded on a slow machine.
 */
export async function runParserBenchmark(options: { minimumMilliseconds?: number; maximumRounds?: number } = {}): Promise<ParserBenchmarkResult[]> {
  const minimumMilliseconds = options.minimumMilliseconds ?? 500;
  const maximumRounds = options.maximumRounds ?? 2_000_000;
  const results: ParserBenchmarkResult[] = [];

  for (const request of REQUESTS) {
    for (const [engine, factory] of ENGINES) {
      timeRounds(factory, request.bytes, 2_000);

      let rounds = 1_000;
      let elapsed = timeRounds(factory, request.bytes, rounds);
      while (elapsed < minimumMilliseconds && rounds < maximumRounds) {
        rounds = Math.min(maximumRounds, rounds * 4);
        elapsed = timeRounds(factory, request.bytes, rounds);
      }

      const requests = rounds * request.count;
      results.push({
        engine,
        request: request.name,
        requestsPerSecond: Math.round((requests / elapsed) * 1000),
        nanosecondsPerRequest: Math.round((elapsed * 1e6) / requests),
      });
      // Yield between measurements so that a caller's timers and I/O are not starved.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await runParserBenchmark();
  for (const result of results) {
    const rate = result.requestsPerSecond.toLocaleString('en-US');
    console.log(`${result.engine.padEnd(7)} ${result.request.padEnd(32)} ${rate.padStart(12)} requests/s ${String(result.nanosecondsPerRequest).padStart(7)} ns/request`);
  }
}
