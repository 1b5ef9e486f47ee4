// Loads the request corpus in test/http/corpus/: raw byte streams with the outcome each engine
// must produce. The file format is described in its own "format" field.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ParserEngineName } from '../../src/http/parser.js';

/** The outcome of one byte stream in one engine: requests parsed completely, then the rejection status if any. */
export interface CorpusOutcome {
  requests: number;
  status?: number;
}

export interface CorpusCase {
  topic: string;
  name: string;
  note: string;
  bytes: Buffer;
  expect: CorpusOutcome;
  llhttp?: CorpusOutcome;
  difference?: string;
}

interface CorpusFile {
  cases: (Omit<CorpusCase, 'bytes'> & { request: string })[];
}

// The compiled tests run from build-*/test/support, the data stays in the source tree.
const CORPUS_PATH = fileURLToPath(new URL('../../../test/http/corpus/requests.json', import.meta.url));

/** Expands `REPEAT_<count>_<character>` into that many copies of the character. */
function expandRepeats(request: string): string {
  return request.replace(/REPEAT_(\d+)_(.)/g, (_match, count: string, character: string) => character.repeat(Number(count)));
}

export function loadCorpus(): CorpusCase[] {
  const file = JSON.parse(readFileSync(CORPUS_PATH, 'utf8')) as CorpusFile;
  return file.cases.map(({ request, ...rest }) => ({ ...rest, bytes: Buffer.from(expandRepeats(request), 'latin1') }));
}

/** The outcome `engine` must produce for `testCase`. */
export function expectedOutcome(testCase: CorpusCase, engine: ParserEngineName): CorpusOutcome {
  return engine === 'llhttp' && testCase.llhttp !== undefined ? testCase.llhttp : testCase.expect;
}

/** Writes bytes as a JSON string literal, so a failing case can be pasted back into a test. */
export function escapeBytes(bytes: Buffer): string {
  return JSON.stringify(bytes.toString('latin1'));
}
