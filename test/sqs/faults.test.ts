// Delivery under injected faults: for each kind of fault, 20% of send calls fail that way
// while 5,000 messages go to a standard queue and 5,000 to a FIFO queue. Every message must
// arrive. Duplicates may appear only on the standard queue, and only after an ambiguous
// failure where the request reached SQS but the response was lost. FIFO groups keep order.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FaultKind } from '../support/fake-sqs.js';
import { countDuplicates, findOrderViolation, startHarness, testMessage, type SqsHarness } from '../support/sqs-harness.js';

const MESSAGES = 5_000;
const FAULT_RATE = 0.2;
const GROUPS = 50;

// Faults after which SQS has stored the messages although the client saw a failure.
const AMBIGUOUS: ReadonlySet<FaultKind> = new Set(['resetAfter', 'slow', 'badDigest']);
const KINDS: FaultKind[] = ['http500', 'http503', 'throttle', 'resetBefore', 'resetAfter', 'slow', 'partial', 'badDigest'];

async function runScenario(rates: Partial<Record<FaultKind, number>>, queueName: string, seed: number): Promise<SqsHarness> {
  const harness = await startHarness({
    queues: [[queueName]],
    // A slow response arrives after 3 s, after the client's 100 ms headers timeout has fired
    // (undici checks it with a timer of about one second resolution).
    fake: { seed, faults: { rates, slowMs: 3_000 } },
    client: { connections: 32, headersTimeoutMs: 100 },
    delivery: { maxAttempts: 25, baseDelayMs: 2, maxDelayMs: 40 },
  });
  const fifo = queueName.endsWith('.fifo');
  for (let i = 0; i < MESSAGES; i++) {
    harness.delivery.send(testMessage(`m${i}`, queueName, fifo ? { groupId: `g${i % GROUPS}` } : {}));
  }
  const remaining = await harness.finish();
  assert.equal(remaining, [], `${remaining.length} messages left undelivered`);
  return harness;
}

function expectedGroups(queueName: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (let i = 0; i < MESSAGES; i++) {
    const group = `g${i % GROUPS}`;
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group)!.push(testMessage(`m${i}`, queueName).body);
  }
  return groups;
}

const faults = suite('delivery under faults');

for (const [index, kind] of KINDS.entries()) {
  faults(`${kind} on a standard queue`, async () => {
    const harness = await runScenario({ [kind]: FAULT_RATE }, 'standard', 100 + index);
    const stored = harness.fake.messages('standard');
    const duplicates = countDuplicates(stored);
    const injected = harness.fake.stats.faults[kind] ?? 0;
    console.log(`  ${kind}: ${injected} faults injected, ${harness.retries.length} retries, ${duplicates} duplicates`);

    assert.ok(injected > 0, 'no fault was injected');
    assert.is(harness.failed.length, 0, `failed: ${JSON.stringify(harness.failed.slice(0, 3).map((failure) => failure.error))}`);
    assert.is(harness.sent.size, MESSAGES);
    assert.is(harness.sentTwice, 0);
    assert.is(stored.length - duplicates, MESSAGES);
    if (AMBIGUOUS.has(kind)) assert.ok(duplicates <= injected * 10, `${duplicates} duplicates from ${injected} ambiguous faults`);
    else assert.is(duplicates, 0);
  });

  faults(`${kind} on a FIFO queue`, async () => {
    const harness = await runScenario({ [kind]: FAULT_RATE }, 'ordered.fifo', 200 + index);
    const stored = harness.fake.messages('ordered.fifo');
    console.log(`  ${kind} FIFO: ${harness.fake.stats.faults[kind] ?? 0} faults, ${harness.fake.stats.duplicatesSuppressed} duplicates suppressed by deduplication ids`);

    assert.is(harness.failed.length, 0);
    assert.is(stored.length, MESSAGES);
    assert.is(countDuplicates(stored), 0);
    assert.is(findOrderViolation(stored, expectedGroups('ordered.fifo')), undefined);
  });
}

faults('every fault at once on a standard queue', async () => {
  const rates = Object.fromEntries(KINDS.map((kind) => [kind, FAULT_RATE / KINDS.length]));
  const harness = await runScenario(rates, 'mixed', 999);
  const duplicates = countDuplicates(harness.fake.messages('mixed'));
  console.log(`  mixed: ${JSON.stringify(harness.fake.stats.faults)}, ${duplicates} duplicates`);
  assert.is(harness.failed.length, 0);
  assert.is(harness.fake.messages('mixed').length - duplicates, MESSAGES);
});

faults.run();
