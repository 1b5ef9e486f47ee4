// SQS delivery benchmark. It measures messages per second, SQS calls per message and client
// CPU time per message against the fake SQS with 20 ms of injected latency, with batching on
// and off. Then it compares the cost of signing one call with @noble/hashes and node:crypto.
// The fake runs in a child process, so process.cpuUsage() counts the client alone.
// A run takes about 20 seconds on a 2-core machine.

import { fork, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqsClient } from '../src/sqs/client.js';
import { Delivery } from '../src/sqs/delivery.js';
import { SigV4Signer, type SignableRequest } from '../src/sqs/signer.js';

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const FAKE_PROCESS = join(benchDirectory, '..', 'test', 'support', 'fake-sqs-process.js');
const CREDENTIALS = { accessKeyId: 'AKIDFAKESQS', secretAccessKey: 'fake-secret-for-tests-only' };
const LATENCY_MS = 20;
const QUEUE = 'bench';

interface DeliveryScenario {
  name: string;
  batching: boolean;
  connections: number;
  pipelining: number;
  messages: number;
}

const SCENARIOS: DeliveryScenario[] = [
  { name: 'batching on', batching: true, connections: 64, pipelining: 1, messages: 40_000 },
  { name: 'batching off', batching: false, connections: 64, pipelining: 1, messages: 5_000 },
  { name: 'batching on, pipelining 4', batching: true, connections: 16, pipelining: 4, messages: 20_000 },
  { name: 'batching off, pipelining 4', batching: false, connections: 16, pipelining: 4, messages: 2_000 },
];

export interface DeliveryResult {
  scenario: DeliveryScenario;
  messagesPerSecond: number;
  callsPerMessage: number;
  meanEntriesPerCall: number;
  cpuMicrosecondsPerMessage: number;
  failed: number;
}

export interface SigningResult {
  payload: string;
  bytes: number;
  nobleMicroseconds: number;
  nodeMicroseconds: number;
}

interface FakeProcess {
  endpoint: string;
  child: ChildProcess;
}

async function startFake(): Promise<FakeProcess> {
  const options = { verifySignatures: false, queues: [QUEUE], faults: { latencyMs: LATENCY_MS } };
  const child = fork(FAKE_PROCESS, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fake SQS process exited with code ${code} before it was ready`)));
    child.once('message', (message: { type: string; endpoint: string }) => resolve(message.endpoint));
  });
  child.removeAllListeners('exit');
  return { endpoint, child };
}

async function stopFake(fake: FakeProcess): Promise<void> {
  const exited = new Promise((resolve) => fake.child.once('exit', resolve));
  fake.child.send({ type: 'close' });
  await exited;
}

function benchMessage(index: number) {
  return {
    id: `m${index}`,
    queueName: QUEUE,
    credentials: CREDENTIALS,
    body: `{"order":${index},"note":"${'x'.repeat(180)}"}`,
    attributes: { source: { DataType: 'String', StringValue: 'bench' } },
  };
}

/** Sends `count` messages through a fresh engine and resolves when every outcome is in. */
async function deliverAll(client: SqsClient, batching: boolean, count: number, firstIndex: number): Promise<{ calls: number; failed: number }> {
  let done = 0;
  let failed = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const onOutcome = (): void => {
    done++;
    if (done === count) finish();
  };
  const delivery = new Delivery({
    client,
    batching,
    onSent: onOutcome,
    onFailed: () => {
      failed++;
      onOutcome();
    },
  });

  for (let i = 0; i < count; i++) delivery.send(benchMessage(firstIndex + i));
  // The drain deadline bounds the run if the fake stops responding.
  await Promise.race([finished, delivery.drain(30_000)]);
  const calls = delivery.counters.calls;
  await delivery.close();
  return { calls, failed };
}

async function runDeliveryScenario(scenario: DeliveryScenario): Promise<DeliveryResult> {
  const fake = await startFake();
  const client = new SqsClient({ endpoint: fake.endpoint, connections: scenario.connections, pipelining: scenario.pipelining });
  try {
    // Warm-up: open the connections and fill the queue URL cache.
    await deliverAll(client, scenario.batching, scenario.connections * scenario.pipelining * 2, 0);

    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const outcome = await deliverAll(client, scenario.batching, scenario.messages, 1_000_000);
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);

    return {
      scenario,
      messagesPerSecond: (scenario.messages / elapsedMs) * 1000,
      callsPerMessage: outcome.calls / scenario.messages,
      meanEntriesPerCall: scenario.messages / outcome.calls,
      cpuMicrosecondsPerMessage: (cpu.user + cpu.system) / scenario.messages,
      failed: outcome.failed,
    };
  } finally {
    await client.close();
    await stopFake(fake);
  }
}

/** Computes the same SigV4 signature with node:crypto, for comparison. runSigningBenchmark checks that both agree. */
function signWithNodeCrypto(request: SignableRequest, amzDate: string, region: string): string {
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  const headers = [...request.headers, ['x-amz-date', amzDate] as const].map(([name, value]) => [name.toLowerCase(), value.trim()] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const canonical = ['POST', '/', '', headers.map(([name, value]) => `${name}:${value}\n`).join(''), headers.map(([name]) => name).join(';'), payloadHash].join('\n');
  const scope = `${amzDate.slice(0, 8)}/${region}/sqs/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;

  let key: Buffer = createHmac('sha256', 'AWS4' + CREDENTIALS.secretAccessKey).update(amzDate.slice(0, 8)).digest();
  for (const part of [region, 'sqs', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function timePerCall(iterations: number, work: () => void): number {
  for (let i = 0; i < Math.min(500, iterations); i++) work();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) work();
  return ((performance.now() - started) * 1000) / iterations;
}

export function runSigningBenchmark(): SigningResult[] {
  const region = 'us-east-1';
  const signer = new SigV4Signer({ region, service: 'sqs' });
  const time = new Date();
  const payloads = [
    { payload: 'GetQueueUrl', body: JSON.stringify({ QueueName: QUEUE }) },
    { payload: 'SendMessageBatch, 10 x 200 B', body: JSON.stringify({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/bench', Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: benchMessage(i).body })) }) },
    { payload: 'SendMessageBatch, 10 x 100 KiB', body: JSON.stringify({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/bench', Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: 'y'.repeat(100 * 1024) })) }) },
  ];

  return payloads.map(({ payload, body }) => {
    const request: SignableRequest = {
      method: 'POST',
      path: '/',
      query: '',
      headers: [['content-type', 'application/x-amz-json-1.0'], ['host', 'sqs.us-east-1.amazonaws.com'], ['x-amz-target', 'AmazonSQS.SendMessageBatch']],
      body: Buffer.from(body),
    };
    const ours = signer.sign(request, CREDENTIALS, time);
    if (signWithNodeCrypto(request, ours.headers['x-amz-date']!, region) !== ours.signature) throw new Error('node:crypto comparison signer disagrees with SigV4Signer');

    const iterations = request.body.length > 100_000 ? 200 : 20_000;
    return {
      payload,
      bytes: request.body.length,
      nobleMicroseconds: timePerCall(iterations, () => signer.sign(request, CREDENTIALS, time)),
      nodeMicroseconds: timePerCall(iterations, () => signWithNodeCrypto(request, ours.headers['x-amz-date']!, region)),
    };
  });
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

export async function runSqsBenchmark(): Promise<{ delivery: DeliveryResult[]; signing: SigningResult[] }> {
  const delivery: DeliveryResult[] = [];
  for (const scenario of SCENARIOS) delivery.push(await runDeliveryScenario(scenario));

  console.log(`\nSQS delivery to the fake SQS (child process, ${LATENCY_MS} ms latency per call, signatures unchecked)\n`);
  printTable(
    ['scenario', 'connections', 'messages', 'messages/s', 'calls/message', 'entries/call', 'client CPU µs/message', 'failed'],
    delivery.map((result) => [
      result.scenario.name,
      `${result.scenario.connections} x ${result.scenario.pipelining}`,
      String(result.scenario.messages),
      result.messagesPerSecond.toFixed(0),
      result.callsPerMessage.toFixed(3),
      result.meanEntriesPerCall.toFixed(2),
      result.cpuMicrosecondsPerMessage.toFixed(1),
      String(result.failed),
    ]),
  );

  const signing = runSigningBenchmark();
  console.log('\nSigV4 signing cost per call (canonical request, string to sign, signature; signing key cached)\n');
  printTable(
    ['payload', 'body bytes', '@noble/hashes µs', 'node:crypto µs'],
    signing.map((result) => [result.payload, String(result.bytes), result.nobleMicroseconds.toFixed(1), result.nodeMicroseconds.toFixed(1)]),
  );
  return { delivery, signing };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runSqsBenchmark();
}
