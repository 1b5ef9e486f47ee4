// Ingress throughput: the ack-only route of the ingress server (both parser engines) against a
// plain node:http server doing the same work, and nginx where installed, loaded with autocannon
// and, where installed, wrk.
// Each target runs in its own process; the load generator runs in another.

import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { hasWrk, printTable, runAutocannon, runWrk, startTarget, type LoadResult, type Target } from './support.js';
import { hasNginx, startNginx } from './servers/nginx.js';

const here = dirname(fileURLToPath(import.meta.url));
const NODE_TARGETS = ['ingress-hand', 'ingress-llhttp', 'node-http'];
const MODES = [
  { name: 'keep-alive', pipelining: 1 },
  { name: 'pipelined x10', pipelining: 10 },
] as const;

/** Seconds of load before the measured runs of each server. */
const WARM_UP_SECONDS = 2;

type Results = Map<string, LoadResult & { cpuMicrosPerRequest: number }>;

export async function runIngressBenchmark(durationSeconds = Number(process.env.BENCH_SECONDS ?? 5)): Promise<Results> {
  const results: Results = new Map();
  const tools = hasWrk() ? ['autocannon', 'wrk'] : ['autocannon'];
  if (tools.length === 1) console.log('wrk is not installed (make bench-deps installs it): autocannon only');

  const targets = hasNginx() ? [...NODE_TARGETS, 'nginx'] : NODE_TARGETS;
  if (targets.length === NODE_TARGETS.length) console.log('nginx is not installed (make bench-deps installs it): no nginx row');

  for (const target of targets) {
    const server: Target = target === 'nginx' ? await startNginx() : await startTarget(join(here, 'servers', 'ack-server.js'), [target]);
    try {
      // An unmeasured run first, so that every measured run exercises code the JIT has optimized.
      await runAutocannon({ port: server.port, path: '/queues/bench', body: 'hello', connections: 100, pipelining: 1, durationSeconds: WARM_UP_SECONDS });
      for (const mode of MODES) {
        for (const tool of tools) {
          const options = { port: server.port, path: '/queues/bench', body: 'hello', connections: 100, pipelining: mode.pipelining, durationSeconds };
          const cpuBefore = server.cpuSeconds();
          const result = tool === 'wrk' ? await runWrk(options) : await runAutocannon(options);
          const requests = result.requestsPerSecond * durationSeconds;
          results.set(`${target}|${mode.name}|${tool}`, { ...result, cpuMicrosPerRequest: ((server.cpuSeconds() - cpuBefore) * 1e6) / requests });
        }
      }
    } finally {
      await server.stop();
    }
  }

  console.log(`\nIngress: POST /queues/bench, 100 connections, ${durationSeconds} s per run\n`);
  const rows: (string | number)[][] = [];
  for (const mode of MODES) {
    for (const tool of tools) {
      const baseline = results.get(`node-http|${mode.name}|${tool}`)!;
      for (const target of targets) {
        const result = results.get(`${target}|${mode.name}|${tool}`)!;
        rows.push([
          mode.name,
          tool,
          target,
          result.requestsPerSecond,
          result.p50Ms,
          result.p99Ms,
          result.errors,
          result.cpuMicrosPerRequest,
          `${(result.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}x`,
          `${(baseline.cpuMicrosPerRequest / result.cpuMicrosPerRequest).toFixed(2)}x`,
        ]);
      }
    }
  }
  // Throughput is capped by the load generator, which shares the two cores. Server CPU per
  // request shows the efficiency gap even where the generator is the bottleneck.
  printTable(['mode', 'tool', 'server', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'server CPU µs/request', 'throughput vs node:http', 'CPU efficiency vs node:http'], rows);
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runIngressBenchmark();
}
