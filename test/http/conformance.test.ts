// The conformance suite: every parser engine must pass the same wire transcripts over a real
// listening socket, and must parse each transcript identically however its bytes are split.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PARSER_ENGINES } from '../../src/http/parser.js';
import { loadParserEngine } from '../../src/http/engines.js';
import { startEchoServer, type EchoDump, type EchoServer } from '../support/echo-server.js';
import { exchange, parseResponses } from '../support/raw-http.js';
import { runParser, splitAt, splitEveryByte } from '../support/parser-run.js';
import { CONFORMANCE_CASES, LIMIT_CASES, SMALL_LIMITS, type ConformanceCase } from './conformance-cases.js';

async function checkTranscript(port: number, testCase: ConformanceCase): Promise<void> {
  const { bytes } = await exchange(port, Buffer.from(testCase.request, 'latin1'));
  const responses = parseResponses(bytes);
  const statuses = responses.map((response) => response.status);
  const expectedStatuses = testCase.responses.map((response) => response.status);
  assert.equal(statuses, expectedStatuses, `${testCase.name}: statuses`);

  testCase.responses.forEach((expected, index) => {
    const response = responses[index];
    if (expected.close !== undefined) {
      const close = (response.headers['connection'] ?? '').toLowerCase() === 'close';
      assert.is(close, expected.close, `${testCase.name}: response ${index} Connection: close`);
    }
    if (expected.status >= 400) {
      assert.ok(response.body.length > 0, `${testCase.name}: error response ${index} states a reason`);
    }
    if (expected.dump !== undefined) {
      const dump = JSON.parse(response.body.toString('utf8')) as EchoDump;
      for (const [field, value] of Object.entries(expected.dump)) {
        assert.equal(dump[field as keyof EchoDump], value, `${testCase.name}: ${field}`);
      }
    }
  });
}

for (const engine of PARSER_ENGINES) {
  const wire = suite<{ echo?: EchoServer; small?: EchoServer }>(`conformance over a socket (${engine})`, {});
  wire.before(async (context) => {
    context.echo = await startEchoServer(engine);
    context.small = await startEchoServer(engine, SMALL_LIMITS);
  });
  wire.after(async (context) => {
    await context.echo?.close();
    await context.small?.close();
  });
  for (const testCase of CONFORMANCE_CASES) {
    wire(testCase.name, async (context) => checkTranscript(context.echo!.port, testCase));
  }
  for (const testCase of LIMIT_CASES) {
    wire(`limit: ${testCase.name}`, async (context) => checkTranscript(context.small!.port, testCase));
  }
  wire.run();

  const splits = suite(`conformance split at every byte (${engine})`);
  for (const testCase of [...CONFORMANCE_CASES, ...LIMIT_CASES]) {
    splits(testCase.name, async () => {
      const factory = await loadParserEngine(engine);
      const limits = LIMIT_CASES.includes(testCase) ? SMALL_LIMITS : {};
      const bytes = Buffer.from(testCase.request, 'latin1');
      const whole = runParser(factory, [bytes], limits);
      for (let position = 1; position < bytes.length; position++) {
        assert.equal(runParser(factory, splitAt(bytes, position), limits), whole, `split at byte ${position}`);
      }
      assert.equal(runParser(factory, splitEveryByte(bytes), limits), whole, 'one byte at a time');
    });
  }
  splits.run();
}
