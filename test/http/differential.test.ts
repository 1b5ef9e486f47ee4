// Differential test: the hand-written engine and the llhttp engine get the same bytes and must
// agree on accept or reject, and on every request they parse (head fields, body, trailers).
// The only allowed disagreements are listed in DELIBERATE_DIFFERENCES, each with its reason.
// Inputs are the corpus and a seeded random mutation run over it; set DIFFERENTIAL_SEED to
// explore other seeds, and every mismatch prints its seed, case number and bytes.

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

function describeOutcome(outcome: EngineOutcome): string {
  const requests = outcome.requests.map((request) => `${request.head.method} ${request.head.target} body=${JSON.stringify(request.body)}`);
  const error = outcome.error === null ? 'accepted' : `${outcome.error.code} (${outcome.error.message})`;
  return `[${requests.join(', ')}] ${error}`;
}

/**
 * Compares the two engines' outcomes on `bytes`. Returns 'same', the id of the deliberate
 * difference that explains a disagreement, or 'mismatch'.
 */
function compareEngines(bytes: Buffer, hand: EngineOutcome, llhttp: EngineOutcome): string {
  const sameRequests = isDeepStrictEqual(hand.requests, llhttp.requests);
  if (sameRequests && (hand.error === null) === (llhttp.error === null)) return 'same';

  // The requests both engines parsed must agree; then the engine that stopped first must have a listed reason.
  const common = Math.min(hand.requests.length, llhttp.requests.length);
  if (!isDeepStrictEqual(hand.requests.slice(0, common), llhttp.requests.slice(0, common))) return 'mismatch';

  let stricter: 'hand' | 'llhttp';
  if (hand.requests.length !== llhttp.requests.length) stricter = hand.requests.length < llhttp.requests.length ? 'hand' : 'llhttp';
  else stricter = hand.error === null ? 'llhttp' : 'hand';
  const rejection = stricter === 'hand' ? hand.error : llhttp.error;
  if (rejection === null) return 'mismatch';

  const difference = DELIBERATE_DIFFERENCES.find((candidate) => candidate.stricter === stricter && candidate.explains(bytes, rejection));
  return difference?.id ?? 'mismatch';
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
  const random = createRandom(SEED);
  const problems: string[] = [];
  const verdicts = new Map<string, number>();
  for (let index = 0; index < MUTATION_CASES; index++) {
    const base = corpus[randomInt(random, corpus.length)];
    const { bytes, applied } = mutate(base.bytes, random);
    const { verdict, problems: found } = checkCase(bytes, random, index % 10 === 0);
    verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
    for (const problem of found) {
      problems.push(`seed ${SEED} case ${index} (${base.name}; ${applied.join(', ')}): ${problem}\n  bytes ${escapeBytes(bytes)}`);
    }
  }

  if (problems.length > 0) console.log(`${problems.length} problems; the first ones:\n${problems.slice(0, Number(process.env.DIFFERENTIAL_SHOW ?? 10)).join('\n')}`);
  assert.is(problems.length, 0, `seed ${SEED}: ${problems.length} of ${MUTATION_CASES} mutated cases differ; see the printed cases`);
  assert.ok((verdicts.get('same') ?? 0) > MUTATION_CASES / 2, 'most mutated cases are compared, not explained away');
});

engines.run();
