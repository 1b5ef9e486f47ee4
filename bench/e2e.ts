// End-to-end benchmark: the accelerator CLI in one child process, the fake SQS in another.
// Part 1 loads the accelerator with autocannon and waits until every accepted message is stored
// in the fake. It measures accepted and delivered messages per second, SQS calls per message,
// the accelerator's CPU time per message and its peak resident memory.
// Part 2 is the web app's view: the time to enqueue one message through the accelerator against
// a direct @aws-sdk/client-sqs SendMessage to a fake SQS that responds after 20 ms.
// The fake checks no signatures in either part, so that its CPU time stays small on a 2-core
// machine; the SQS tests check signatures. A run took 28 to 40 seconds on a shared 2-core machine.
// Run alone with `node build/bench/e2e.js`.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_TEST_CREDENTIALS } from '../test/support/fake-sqs.js';
import { RawHttpClient, printTable, runAutocannon, startTarget } from './support.js';

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const CLI = join(benchDirectory, '..', 'src', 'cli', 'main.js');
const FAKE_PROCESS = join(benchDirectory, '..', 'test', 'support', 'fake-sqs-process.js');
const QUEUE = 'bench';
const REGION = 'us-east-1';

/** A raw text body of 200 bytes, about the size of a small JSON event. */
const MESSAGE_BODY = `{"event":"order.shipped","order":4217,"customer":"c-1789","carrier":"dhl","note":"${'x'.repeat(116)}"}`;

/** Clock ticks per second of /proc/PID/stat times: USER_HZ, 100 on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface EndToEndOptions {
  /** Length of the autocannon load, in seconds. */
  loadSeconds: number;
  /** Time allowed after the load for every accepted message to reach the fake, in milliseconds. */
  deliveryTimeoutMs: number;
  /** Sequential POSTs timed through the accelerator, and again against a plain node:http server, after `warmupRequests`. */
  acceleratorSamples: number;
  /** Sequential SendMessage calls timed against the 20 ms fake; each takes at least 20 ms. */
  directSamples: number;
  warmupRequests: number;
  /** Latency the fake SQS adds to every response in part 2, in milliseconds. */
  sqsLatencyMs: number;
}

export const DEFAULT_END_TO_END_OPTIONS: EndToEndOptions = {
  loadSeconds: 10,
  deliveryTimeoutMs: 30_000,
  acceleratorSamples: 2_000,
  directSamples: 500,
  warmupRequests: 200,
  sqsLatencyMs: 20,
};

export interface ThroughputResult {
  loadSeconds: number;
  accepted: number;
  /** Requests that did not get 202 (rejected under the pending limits, or failed). */
  notAccepted: number;
  acceptedPerSecond: number;
  /** Messages stored in the fake per second while the load ran. */
  deliveredPerSecondDuringLoad: number;
  /** Messages stored in the fake per second, from the start of the load until nothing was pending. */
  deliveredPerSecond: number;
  /** Messages stored in the fake per second, from the end of the load until nothing was pending. */
  deliveredPerSecondAfterLoad: number;
  /** Time from the end of the load until nothing was pending, in seconds. */
  drainSeconds: number;
  delivered: number;
  failed: number;
  callsPerMessage: number;
  meanBatchSize: number;
  /** SendMessage and SendMessageBatch calls the fake received, per message stored. */
  fakeCallsPerMessage: number;
  cpuMicrosecondsPerMessage: number;
  peakRssMiB: number;
  /** Warning and error lines the accelerator logged. */
  warnings: number;
}

export interface LatencyResult {
  path: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The accelerator's cost when messages arrive one at a time, so that most calls carry one message. */
export interface SequentialCost {
  cpuMicrosecondsPerMessage: number;
  messagesPerCall: number;
}

export interface EndToEndResult {
  throughput: ThroughputResult;
  latency: LatencyResult[];
  sequential: SequentialCost;
  /** Direct p50 divided by the accelerator's p50. */
  p50Ratio: number;
}

interface FakeStatsReply {
  stats: { requests: number; byAction: Record<string, number>; batchCount: number; batchEntries: number };
  stored: Record<string, number>;
}

interface FakeProcess {
  endpoint: string;
  stats(): Promise<FakeStatsReply>;
  stop(): Promise<void>;
}

/** Forks the fake SQS with one queue, QUEUE, and waits for its endpoint. */
async function startFake(latencyMs: number): Promise<FakeProcess> {
  const options = { verifySignatures: false, region: REGION, queues: [QUEUE], faults: { latencyMs } };
  const child = fork(FAKE_PROCESS, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the fake SQS process exited with code ${code} before it was ready`)));
    child.once('message', (message: { endpoint: string }) => resolve(message.endpoint));
  });
  child.removeAllListeners('exit');

  return {
    endpoint,
    async stats() {
      child.send({ type: 'stats' });
      const [reply] = (await once(child, 'message')) as [FakeStatsReply];
      return reply;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ type: 'close' });
      await exited;
    },
  };
}

interface AcceleratorProcess {
  port: number;
  pid: number;
  /** Warning and error lines the accelerator logged, counted after its start. */
  warnings(): number;
  stop(): Promise<void>;
}

/** Copies this process's environment for the CLI without AWS or accelerator settings, and adds the fake's credentials. */
function acceleratorEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('SQS_ACCELERATOR_')) environment[name] = value;
  }
  environment.AWS_ACCESS_KEY_ID = DEFAULT_TEST_CREDENTIALS.accessKeyId;
  environment.AWS_SECRET_ACCESS_KEY = DEFAULT_TEST_CREDENTIALS.secretAccessKey;
  return environment;
}

/** Starts the CLI against `endpoint` and waits for the port in its "sqs-accelerator started" log line. */
async function startAccelerator(endpoint: string, deadLetterFile: string): Promise<AcceleratorProcess> {
  const args = [CLI, '--port', '0', '--endpoint', endpoint, '--region', REGION, '--dead-letter-file', deadLetterFile, '--drain-timeout', '10s', '--log-level', 'info'];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: acceleratorEnvironment() });
  let warnings = 0;
  let pending = '';

  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the accelerator exited with code ${code} before logging "sqs-accelerator started"`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // pino levels: 40 is warn, 50 error, 60 fatal. A line that is not JSON counts as a warning.
        let entry: { level: number; msg: string; port?: number };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          entry = { level: 40, msg: line };
        }
        if (entry.level >= 40) {
          warnings++;
          if (warnings <= 5) process.stderr.write(`accelerator: ${line}\n`);
        }
        if (entry.msg === 'sqs-accelerator started' && entry.port !== undefined) resolve(entry.port);
      }
    });
  });
  child.removeAllListeners('exit');

  return {
    port,
    pid: child.pid!,
    warnings: () => warnings,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** User plus system CPU seconds process `pid` has used so far, from /proc/PID/stat. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Peak resident set size of process `pid` in MiB, from VmHWM in /proc/PID/status. */
function peakRssMiBOf(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`/proc/${pid}/status has no VmHWM line; run the benchmark on Linux`);
  return Number(match[1]) / 1024;
}

interface AcceleratorStats {
  accepted: number;
  sent: number;
  failed: number;
  pendingMessages: number;
  rejectedOverload: number;
  meanBatchSize: number;
  upstream: { calls: number };
}

async function fetchStats(port: number): Promise<AcceleratorStats> {
  const response = await fetch(`http://127.0.0.1:${port}/stats`);
  if (response.status !== 200) throw new Error(`GET /stats returned status ${response.status}; expected 200`);
  return (await response.json()) as AcceleratorStats;
}

/** Formats a whole count with thousands separators (printTable gives small numbers decimals). */
function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until the accelerator has nothing pending, or throws after `timeoutMs`. */
async function waitUntilDelivered(port: number, timeoutMs: number): Promise<AcceleratorStats> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await fetchStats(port);
    if (stats.pendingMessages === 0) return stats;
    if (Date.now() > deadline) throw new Error(`timed out: ${stats.pendingMessages} messages were still pending after ${timeoutMs} ms; check the accelerator's warnings above`);
    await sleep(100);
  }
}

/** Part 1: sustained load, then the wait until every accepted message is stored in the fake. */
async function measureThroughput(options: EndToEndOptions, deadLetterFile: string): Promise<ThroughputResult> {
  const fake = await startFake(0);
  const accelerator = await startAccelerator(fake.endpoint, deadLetterFile);
  try {
    const cpuBefore = cpuSecondsOf(accelerator.pid);
    const started = performance.now();
    const load = await runAutocannon({ port: accelerator.port, path: `/queues/${QUEUE}`, body: MESSAGE_BODY, connections: 100, pipelining: 10, durationSeconds: options.loadSeconds });
    const loadEnded = performance.now();
    const storedAtLoadEnd = (await fake.stats()).stored[QUEUE] ?? 0;

    const stats = await waitUntilDelivered(accelerator.port, options.deliveryTimeoutMs);
    const drained = performance.now();
    const cpuSeconds = cpuSecondsOf(accelerator.pid) - cpuBefore;
    const peakRssMiB = peakRssMiBOf(accelerator.pid);
    const fakeStats = await fake.stats();
    const delivered = fakeStats.stored[QUEUE] ?? 0;
    const fakeCalls = (fakeStats.stats.byAction.SendMessageBatch ?? 0) + (fakeStats.stats.byAction.SendMessage ?? 0);
    const loadSeconds = (loadEnded - started) / 1000;

    return {
      loadSeconds,
      accepted: stats.accepted,
      notAccepted: load.errors,
      acceptedPerSecond: stats.accepted / loadSeconds,
      deliveredPerSecondDuringLoad: storedAtLoadEnd / loadSeconds,
      deliveredPerSecond: delivered / ((drained - started) / 1000),
      deliveredPerSecondAfterLoad: (delivered - storedAtLoadEnd) / ((drained - loadEnded) / 1000),
      drainSeconds: (drained - loadEnded) / 1000,
      delivered,
      failed: stats.failed,
      callsPerMessage: stats.sent === 0 ? 0 : stats.upstream.calls / stats.sent,
      meanBatchSize: stats.meanBatchSize,
      fakeCallsPerMessage: delivered === 0 ? 0 : fakeCalls / delivered,
      cpuMicrosecondsPerMessage: stats.accepted === 0 ? 0 : (cpuSeconds * 1e6) / stats.accepted,
      peakRssMiB,
      warnings: accelerator.warnings(),
    };
  } finally {
    await accelerator.stop();
    await fake.stop();
  }
}

/** Summarizes durations in milliseconds with nearest-rank percentiles. */
function summarize(path: string, samples: number[]): LatencyResult {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (share: number) => sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)]!;
  return { path, samples: sorted.length, p50Ms: rank(0.5), p99Ms: rank(0.99), maxMs: sorted[sorted.length - 1]! };
}

/** Runs `work` `warmup` times untimed, then `count` times one after another, timing each. */
async function timeSequential(warmup: number, count: number, work: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}

/**
 * Times sequential POSTs of MESSAGE_BODY over one keep-alive connection to `port`, each expecting
 * 202. The client is a plain socket that writes the request bytes and reads one response, so that
 * the numbers show the server and the loopback hop rather than an HTTP client library's overhead.
 */
async function timePosts(port: number, options: EndToEndOptions): Promise<number[]> {
  const client = await RawHttpClient.connect(port);
  const request = `POST /queues/${QUEUE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(MESSAGE_BODY)}\r\n\r\n${MESSAGE_BODY}`;
  try {
    return await timeSequential(options.warmupRequests, options.acceleratorSamples, async () => {
      const status = await client.exchange(request);
      if (status !== 202) throw new Error(`POST /queues/${QUEUE} returned status ${status}; expected 202`);
    });
  } finally {
    client.close();
  }
}

/** Times the same POSTs against a plain node:http server that only returns 202, for comparison. */
async function timeNodeHttp(options: EndToEndOptions): Promise<number[]> {
  const server = await startTarget(join(benchDirectory, 'servers', 'ack-server.js'), ['node-http']);
  try {
    return await timePosts(server.port, options);
  } finally {
    await server.stop();
  }
}

/** Part 2: one message at a time through the accelerator, and straight to the slow fake with the SDK. */
async function measureEnqueueLatency(options: EndToEndOptions, deadLetterFile: string): Promise<{ latency: LatencyResult[]; sequential: SequentialCost }> {
  const nodeHttp = await timeNodeHttp(options);
  const fake = await startFake(options.sqsLatencyMs);
  const accelerator = await startAccelerator(fake.endpoint, deadLetterFile);
  const sdk = new SQSClient({ endpoint: fake.endpoint, region: REGION, credentials: DEFAULT_TEST_CREDENTIALS, maxAttempts: 1 });
  try {
    // A first, untimed pass lets the fresh process compile its hot paths. Without it the p50 measured
    // here was twice as high, and the compiler's work counted as CPU per message.
    await timePosts(accelerator.port, options);
    await waitUntilDelivered(accelerator.port, options.deliveryTimeoutMs);
    const cpuBefore = cpuSecondsOf(accelerator.pid);
    const statsBefore = await fetchStats(accelerator.port);
    const throughAccelerator = await timePosts(accelerator.port, options);
    const statsAfter = await waitUntilDelivered(accelerator.port, options.deliveryTimeoutMs);
    const messages = statsAfter.accepted - statsBefore.accepted;
    const sequential = {
      cpuMicrosecondsPerMessage: ((cpuSecondsOf(accelerator.pid) - cpuBefore) * 1e6) / messages,
      messagesPerCall: messages / (statsAfter.upstream.calls - statsBefore.upstream.calls),
    };

    const { QueueUrl: queueUrl } = await sdk.send(new GetQueueUrlCommand({ QueueName: QUEUE }));
    const direct = await timeSequential(Math.min(options.warmupRequests, 20), options.directSamples, async () => {
      await sdk.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: MESSAGE_BODY }));
    });

    const latency = [
      summarize('through the accelerator (POST, keep-alive socket)', throughAccelerator),
      summarize(`direct SendMessage (SDK, ${options.sqsLatencyMs} ms SQS latency)`, direct),
      summarize('node:http server that only returns 202', nodeHttp),
    ];
    return { latency, sequential };
  } finally {
    sdk.destroy();
    await accelerator.stop();
    await fake.stop();
  }
}

export async function runEndToEndBenchmark(overrides: Partial<EndToEndOptions> = {}): Promise<EndToEndResult> {
  const options = { ...DEFAULT_END_TO_END_OPTIONS, ...overrides };
  const directory = mkdtempSync(join(tmpdir(), 'sqs-accelerator-e2e-'));
  try {
    const throughput = await measureThroughput(options, join(directory, 'dead-letters-throughput.jsonl'));
    const { latency, sequential } = await measureEnqueueLatency(options, join(directory, 'dead-letters-latency.jsonl'));
    const p50Ratio = latency[1]!.p50Ms / latency[0]!.p50Ms;

    console.log(`\nEnd to end: CLI -> fake SQS (separate processes, no latency, signatures unchecked); autocannon, 100 connections x pipelining 10, ${MESSAGE_BODY.length}-byte raw bodies, ${options.loadSeconds} s\n`);
    printTable(
      ['accepted', 'not 202', 'accepted/s', 'delivered/s during load', 'delivered/s after load', 'delivered/s until none pending', 'drain s', 'failed', 'SQS calls/message', 'mean batch size', 'CPU µs/message', 'peak RSS MiB'],
      [
        [
          formatCount(throughput.accepted),
          formatCount(throughput.notAccepted),
          throughput.acceptedPerSecond,
          throughput.deliveredPerSecondDuringLoad,
          throughput.deliveredPerSecondAfterLoad,
          throughput.deliveredPerSecond,
          throughput.drainSeconds,
          formatCount(throughput.failed),
          throughput.callsPerMessage.toFixed(3),
          throughput.meanBatchSize.toFixed(2),
          throughput.cpuMicrosecondsPerMessage,
          throughput.peakRssMiB,
        ],
      ],
    );
    if (throughput.delivered !== throughput.accepted - throughput.failed) {
      console.log(`NOTE: the fake stored ${throughput.delivered} messages, the accelerator reports ${throughput.accepted} accepted and ${throughput.failed} failed`);
    }
    console.log(`The fake counted ${throughput.fakeCallsPerMessage.toFixed(3)} send calls per stored message.`);
    if (throughput.warnings > 0) console.log(`NOTE: the accelerator logged ${throughput.warnings} warnings or errors; the first five went to stderr`);

    console.log(`\nTime for the web app to enqueue one message (sequential requests, one keep-alive connection; the accelerator delivers to a fake SQS with ${options.sqsLatencyMs} ms latency)\n`);
    printTable(
      ['path', 'samples', 'p50 ms', 'p99 ms', 'max ms'],
      latency.map((result) => [result.path, formatCount(result.samples), result.p50Ms.toFixed(3), result.p99Ms.toFixed(3), result.maxMs.toFixed(3)]),
    );
    console.log(`\np50 direct / p50 through the accelerator: ${p50Ratio.toFixed(0)}x (target: at least 100x)`);
    console.log(`p50 of a plain node:http server / p50 through the accelerator: ${(latency[2]!.p50Ms / latency[0]!.p50Ms).toFixed(2)}x`);
    // One message at a time leaves nothing to batch, so each message pays for a whole SQS call in the same event loop.
    console.log(`Sequential messages cost the accelerator ${sequential.cpuMicrosecondsPerMessage.toFixed(0)} µs of CPU each, at ${sequential.messagesPerCall.toFixed(2)} messages per SQS call.`);
    return { throughput, latency, sequential, p50Ratio };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runEndToEndBenchmark();
}
