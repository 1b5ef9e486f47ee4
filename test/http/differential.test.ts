// Differential test: the hand-written engine and the llhttp engine get the same bytes and must
// agree on every request they parse (head fields, body, trailers) and on the status of a
// rejection.
// The only allowed disagreements are listed in DELIBERATE_DIFFERENCES, each with its reason.
// Inputs are the corpus and a seeded random mutation run over it. Set DIFFERENTIAL_SEED to
// explore other seeds. Every mismatch prints its seed, case number and bytes.

import { isDeepStrictEqual } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHandParser } from '../../src/http/hand-parser.js';
import { createLlhttpParser } from '../../src/http/llhttp-parser.js';
import { DEFAULT_LIMITS } from '../../src/http/context.js';
import type { ParserFactory } from '../../src/http/parser.js';
import { escapeBytes, loadCorpus, type CorpusCase } from '../support/http-corpus.js';
import { runEngine, withoutMessage, type EngineOutcome } from '../support/http-engine-run.js';
import { createRandom, mutate, randomInt, randomSplits } from '../support/http-mutations.js';
import { splitEveryByte } from '../support/parser-run.js';
import { startEchoServer, type EchoServer } from '../support/echo-server.js';
import { exchange, parseResponses } from '../support/raw-http.js';

interface DeliberateDifference {
  id: string;
  /** The engine that rejects what the other accepts. */
  stricter: 'hand' | 'llhttp';
  reason: string;
  /** Whether this difference explains the stricter engine's rejection of `bytes`. */
  explains(bytes: Buffer, rejection: { code: string; message: string }): boolean;
}

/** Each place where the engines may disagree on purpose, and why. Nothing else may differ. */
export const DELIBERATE_DIFFERENCES: DeliberateDifference[] = [
  {
    id: 'identical-duplicate-content-length',
    stricter: 'llhttp',
    reason: 'RFC 9110 section 8.6 lets a recipient accept repeated identical Content-Length values; llhttp 9 rejects any repeat and has no lenient flag for it',
    explains: (_bytes, rejection) => /Duplicate Content-Length/.test(rejection.message),
  },
  {
    id: 'chunk-extension-syntax',
    stricter: 'llhttp',
    reason: 'the hand engine skips chunk extensions, rejecting only control bytes in them; llhttp 9 parses them as tokens and quoted strings and rejects BWS after ";" although RFC 9112 section 7.1.1 allows it',
    explains: (_bytes, rejection) => /in chunk extensions|Missing expected/.test(rejection.message),
  },
  {
    id: 'transfer-encoding-trailing-tab',
    stricter: 'llhttp',
    reason: 'RFC 9110 section 5.5 excludes trailing whitespace from a field value, so "chunked<HTAB>" is chunked; llhttp 9 does not read chunked followed by HTAB as chunked and rejects the request',
    explains: (bytes, rejection) => /invalid `Transfer-Encoding`/.test(rejection.message) && /transfer-encoding:[^\n]*chunked[ \t]*\t/i.test(bytes.toString('latin1')),
  },
  {
    id: 'connect-with-body',
    stricter: 'llhttp',
    reason: 'RFC 9110 section 9.3.6 gives CONNECT no content; llhttp reads the bytes after a CONNECT head as tunnel data, so the llhttp engine rejects a CONNECT body that the hand engine frames',
    explains: (_bytes, rejection) => /CONNECT request must not have a body/.test(rejection.message),
  },
  {
    id: 'request-line-whitespace',
    stricter: 'hand',
    reason: 'RFC 9112 section 3 lets a recipient split the request line on runs of whitespace; the hand engine keeps to its grammar of single SPs, llhttp accepts several',
    explains: (bytes) => /(^|\n)[!-~]+ ( +[^ \r\n]+ |[^ \r\n]+  +)HTTP\//.test(bytes.toString('latin1')),
  },
];

const ENGINES: [string, ParserFactory][] = [
  ['hand', createHandParser],
  ['llhttp', createLlhttpParser],
];

const SEED = Number(process.env.DIFFERENTIAL_SEED ?? 20261204);
const MUTATION_CASES = 10_000;
/** Mutated cases also sent over sockets; each takes two connections, so fewer than the engine run. */
const SOCKET_MUTATION_CASES = 1_000;
const SOCKET_CONCURRENCY = 16;

interface MutatedCase {
  index: number;
  baseName: string;
  applied: string[];
  bytes: Buffer;
}

/** Derives `count` mutated cases from the corpus; the same seed gives the same cases. */
function generateMutations(corpusCases: CorpusCase[], seed: number, count: number): MutatedCase[] {
  const random = createRandom(seed);
  const cases: MutatedCase[] = [];
  for (let index = 0; index < count; index++) {
    const base = corpusCases[randomInt(random, corpusCases.length)];
    const { bytes, applied } = mutate(base.bytes, random);
    cases.push({ index, baseName: base.name, applied, bytes });
  }
  return cases;
}

function describeOutcome(outcome: EngineOutcome): string {
  const requests = outcome.requests.map((request) => `${request.head.method} ${request.head.target} body=${JSON.stringify(request.body)}`);
  const error = outcome.error === null ? 'accepted' : `${outcome.error.code} (${outcome.error.message})`;
  return `[${requests.join(', ')}] ${error}`;
}

/**
 * Compares the two engines' outcomes on `bytes`: requests, and the status of a rejection. Returns
 * 'same', the id of the deliberate difference that explains a disagreement, or 'mismatch'.
 */
function compareEngines(bytes: Buffer, hand: EngineOutcome, llhttp: EngineOutcome): string {
  const sameRequests = isDeepStrictEqual(hand.requests, llhttp.requests);
  // Both accepting, or both rejecting after the same requests, is agreement. The rejection
  // status may differ when a request breaks two rules and the engines check them in another order.
  if (sameRequests && (hand.error === null) === (llhttp.error === null)) return 'same';

  // The requests both engines parsed must agree. Then the engine that stopped first must have a
  // listed reason, or either one when both reject the same request with different statuses.
  const common = Math.min(hand.requests.length, llhttp.requests.length);
  if (!isDeepStrictEqual(hand.requests.slice(0, common), llhttp.requests.slice(0, common))) return 'mismatch';

  const candidates: ['hand' | 'llhttp', EngineOutcome['error']][] = [];
  if (hand.requests.length < llhttp.requests.length || (sameRequests && hand.error !== null)) candidates.push(['hand', hand.error]);
  if (llhttp.requests.length < hand.requests.length || (sameRequests && llhttp.error !== null)) candidates.push(['llhttp', llhttp.error]);
  for (const [stricter, rejection] of candidates) {
    if (rejection === null) continue;
    const difference = DELIBERATE_DIFFERENCES.find((candidate) => candidate.stricter === stricter && candidate.explains(bytes, rejection));
    if (difference !== undefined) return difference.id;
  }
  return 'mismatch';
}

/** Runs one case through both engines whole, split at random points and byte by byte. Returns the problems found. */
function checkCase(bytes: Buffer, random: () => number, byteByByte: boolean): { verdict: string; problems: string[] } {
  const problems: string[] = [];
  const outcomes: EngineOutcome[] = [];
  for (const [name, factory] of ENGINES) {
    const whole = runEngine(factory, [bytes], DEFAULT_LIMITS);
    outcomes.push(whole);
    const split = runEngine(factory, randomSplits(bytes, random), DEFAULT_LIMITS);
    if (!isDeepStrictEqual(withoutMessage(split), withoutMessage(whole))) {
      problems.push(`${name} engine split at random points: ${describeOutcome(split)}; whole: ${describeOutcome(whole)}`);
    }
    if (byteByByte) {
      const single = runEngine(factory, splitEveryByte(bytes), DEFAULT_LIMITS);
      if (!isDeepStrictEqual(withoutMessage(single), withoutMessage(whole))) {
        problems.push(`${name} engine byte by byte: ${describeOutcome(single)}; whole: ${describeOutcome(whole)}`);
      }
    }
  }

  const verdict = compareEngines(bytes, outcomes[0], outcomes[1]);
  if (verdict === 'mismatch') problems.push(`engines disagree: hand ${describeOutcome(outcomes[0])}; llhttp ${describeOutcome(outcomes[1])}`);
  return { verdict, problems };
}

const corpus = loadCorpus();
const engines = suite('differential: hand engine against llhttp engine');

engines('corpus cases agree or differ only as listed', () => {
  const random = createRandom(SEED);
  const problems: string[] = [];
  for (const testCase of corpus) {
    const { verdict, problems: found } = checkCase(testCase.bytes, random, true);
    const expected = testCase.difference ?? 'same';
    if (verdict !== expected) found.push(`expected ${expected}, got ${verdict}`);
    for (const problem of found) problems.push(`${testCase.topic}: ${testCase.name}: ${problem}\n  bytes ${escapeBytes(testCase.bytes)}`);
  }
  assert.equal(problems, []);
});

engines('each listed difference has a corpus case', () => {
  const covered = new Set(corpus.map((testCase: CorpusCase) => testCase.difference));
  for (const difference of DELIBERATE_DIFFERENCES) {
    assert.ok(covered.has(difference.id), `no corpus case shows ${difference.id}`);
  }
});

engines(`${MUTATION_CASES} seeded mutations agree or differ only as listed`, () => {
  // Split points come from their own stream, so the mutated cases do not depend on them.
  const random = createRandom(SEED ^ 0x5bd1e995);
  const problems: string[] = [];
  const verdicts = new Map<string, number>();
  for (const { index, baseName, applied, bytes } of generateMutations(corpus, SEED, MUTATION_CASES)) {
    const { verdict, problems: found } = checkCase(bytes, random, index % 10 === 0);
    verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
    for (const problem of found) {
      problems.push(`seed ${SEED} case ${index} (${baseName}; ${applied.join(', ')}): ${problem}\n  bytes ${escapeBytes(bytes)}`);
    }
  }

  if (problems.length > 0) console.log(`${problems.length} problems; the first ones:\n${problems.slice(0, Number(process.env.DIFFERENTIAL_SHOW ?? 10)).join('\n')}`);
  assert.is(problems.length, 0, `seed ${SEED}: ${problems.length} of ${MUTATION_CASES} mutated cases differ; see the printed cases`);
  assert.ok((verdicts.get('same') ?? 0) > MUTATION_CASES / 2, 'most mutated cases are compared, not explained away');
});

engines.run();

/**
 * Status, Connection header and, for successful responses, the echoed dump of each response.
 * Rejections count as one outcome whatever their status, as in compareEngines.
 */
function describeResponses(bytes: Buffer): string[] {
  return parseResponses(bytes).map((response) => {
    const rejected = response.status >= 400;
    const dump = rejected ? '' : response.body.toString('latin1');
    return `${rejected ? 'rejected' : response.status} connection=${response.headers['connection'] ?? ''} ${dump}`;
  });
}

const sockets = suite<{ hand?: EchoServer; llhttp?: EchoServer }>('differential over sockets: hand server against llhttp server', {});

sockets.before(async (context) => {
  context.hand = await startEchoServer('hand');
  context.llhttp = await startEchoServer('llhttp');
});

sockets.after(async (context) => {
  await context.hand?.close();
  await context.llhttp?.close();
});

sockets(`corpus and ${SOCKET_MUTATION_CASES} mutations get the same responses`, async (context) => {
  const cases = [
    ...corpus.map((testCase) => ({ label: `corpus ${testCase.topic}: ${testCase.name}`, bytes: testCase.bytes })),
    ...generateMutations(corpus, SEED, SOCKET_MUTATION_CASES).map((mutated) => ({
      label: `seed ${SEED} case ${mutated.index} (${mutated.baseName}; ${mutated.applied.join(', ')})`,
      bytes: mutated.bytes,
    })),
  ];

  // Cases where the engines differ on purpose, or where the engine test already reports a mismatch, are left out here.
  const comparable = cases.filter(({ bytes }) => {
    const hand = runEngine(createHandParser, [bytes], DEFAULT_LIMITS);
    const llhttp = runEngine(createLlhttpParser, [bytes], DEFAULT_LIMITS);
    return compareEngines(bytes, hand, llhttp) === 'same';
  });

  const problems: string[] = [];
  for (let start = 0; start < comparable.length; start += SOCKET_CONCURRENCY) {
    const batch = comparable.slice(start, start + SOCKET_CONCURRENCY);
    await Promise.all(
      batch.map(async ({ label, bytes }) => {
        const [hand, llhttp] = await Promise.all([exchange(context.hand!.port, bytes), exchange(context.llhttp!.port, bytes)]);
        const handResponses = describeResponses(hand.bytes);
        const llhttpResponses = describeResponses(llhttp.bytes);
        if (!isDeepStrictEqual(handResponses, llhttpResponses)) {
          problems.push(`${label}: hand server ${JSON.stringify(handResponses)}; llhttp server ${JSON.stringify(llhttpResponses)}\n  bytes ${escapeBytes(bytes)}`);
        }
      }),
    );
  }

  if (problems.length > 0) console.log(`${problems.length} cases answered differently; the first ones:\n${problems.slice(0, 10).join('\n')}`);
  assert.is(problems.length, 0, `${problems.length} of ${comparable.length} cases got different responses; see the printed cases`);
  assert.ok(comparable.length > cases.length * 0.9, 'most cases are compared over sockets');
});

sockets.run();
