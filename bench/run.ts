// Runs the benchmarks one after another and prints each one's tables under a heading.
//   node build/bench/run.js          every benchmark: ingress, parsers, sqs, e2e (2 minutes on a 2-core machine)
//   node build/bench/run.js NAME...  only the named ones
// The machine and Node.js version come first, because every number depends on them.

import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { runEndToEndBenchmark } from './e2e.js';
import { runIngressBenchmark } from './ingress.js';
import { runParserBenchmark } from './parsers.js';
import { runSqsBenchmark } from './sqs.js';
import { printTable } from './support.js';

async function runParsers(): Promise<void> {
  const results = await runParserBenchmark();
  console.log('\nRequest parsers without sockets: the same bytes parsed again and again by one parser\n');
  printTable(
    ['engine', 'request', 'requests/s', 'ns/request'],
    results.map((result) => [result.engine, result.request, result.requestsPerSecond, result.nanosecondsPerRequest]),
  );
}

/** Benchmarks in the order they run. Each prints its own tables. */
const BENCHMARKS: Record<string, { title: string; run: () => Promise<unknown> }> = {
  ingress: { title: 'Ingress throughput against node:http', run: () => runIngressBenchmark() },
  parsers: { title: 'Request parser engines', run: runParsers },
  sqs: { title: 'SQS delivery and request signing', run: () => runSqsBenchmark() },
  e2e: { title: 'End to end: throughput to SQS and the web app\'s enqueue time', run: () => runEndToEndBenchmark() },
};

function printMachine(): void {
  const processors = cpus();
  const models = [...new Set(processors.map((processor) => processor.model.trim()))].join(', ');
  const gibibyte = 1024 ** 3;
  console.log(`# sqs-accelerator benchmarks, ${new Date().toISOString()}`);
  console.log(`CPUs: ${processors.length} x ${models}`);
  console.log(`Memory: ${(totalmem() / gibibyte).toFixed(1)} GiB, ${(freemem() / gibibyte).toFixed(1)} GiB free`);
  console.log(`Node.js ${process.version} on ${process.platform} ${process.arch}`);
  // Other work on the machine slows every result; the load average shows how much there was.
  console.log(`Load average at start (1, 5, 15 min): ${loadavg().map((load) => load.toFixed(2)).join(', ')}`);
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.map((name) => JSON.stringify(name)).join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}, or give none to run them all`);
    process.exitCode = 64;
    return;
  }

  printMachine();
  const names = requested.length > 0 ? requested : Object.keys(BENCHMARKS);
  const started = performance.now();
  for (const name of names) {
    const benchmark = BENCHMARKS[name]!;
    console.log(`\n## ${name}: ${benchmark.title}`);
    const benchmarkStarted = performance.now();
    await benchmark.run();
    console.log(`\n(${name} took ${((performance.now() - benchmarkStarted) / 1000).toFixed(0)} s)`);
  }
  console.log(`\nAll done in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}

await main();
