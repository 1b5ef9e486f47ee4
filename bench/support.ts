// Shared benchmark plumbing: child-process targets, autocannon and wrk runs, table printing.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface LoadResult {
  tool: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface Target {
  port: number;
  process: ChildProcess;
  /** User plus system CPU seconds the target process has used so far (Linux /proc). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/PID/stat times: USER_HZ, 100 on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return (userTicks + systemTicks) / CLOCK_TICKS_PER_SECOND;
}

/** Starts `node SCRIPT ARGS...` and waits for the port it prints on its first stdout line. */
export async function startTarget(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Target> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /^(\d+)\n/.exec(output);
      if (line !== null) resolve(Number(line[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited with ${code} before printing its port`)));
  });
  return {
    port,
    process: child,
    cpuSeconds: () => processCpuSeconds(child.pid as number),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export interface LoadOptions {
  port: number;
  path: string;
  body: string;
  connections: number;
  pipelining: number;
  durationSeconds: number;
}

export async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: `http://127.0.0.1:${options.port}${options.path}`,
    method: 'POST',
    body: options.body,
    headers: { 'content-type': 'text/plain' },
    connections: options.connections,
    pipelining: options.pipelining,
    duration: options.durationSeconds,
  });
  return {
    tool: 'autocannon',
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** Runs wrk with a Lua script that sends POSTs, `pipelining` per batch. Needs Debian's wrk. */
export async function runWrk(options: LoadOptions): Promise<LoadResult> {
  const directory = mkdtempSync(join(tmpdir(), 'sqs-accelerator-wrk-'));
  const script = join(directory, 'post.lua');
  const request = `POST ${options.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(options.body)}\r\n\r\n${options.body}`;
  writeFileSync(
    script,
    [
      `local one = ${JSON.stringify(request)}`,
      `local batch = string.rep(one, ${options.pipelining})`,
      'function request() return batch end',
      'done = function(summary, latency, requests)',
      `  io.write(string.format("RESULT %f %f %f %d\\n", summary.requests / (summary.duration / 1e6) , latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))`,
      'end',
    ].join('\n'),
  );
  const child = spawn('wrk', ['-t', '1', '-c', String(options.connections), '-d', `${options.durationSeconds}s`, '--latency', '-s', script, `http://127.0.0.1:${options.port}${options.path}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await once(child, 'exit');
  const match = /RESULT (\S+) (\S+) (\S+) (\d+)/.exec(output);
  if (match === null) throw new Error(`wrk printed no result:\n${output}`);
  return { tool: 'wrk', requestsPerSecond: Number(match[1]), p50Ms: Number(match[2]), p99Ms: Number(match[3]), errors: Number(match[4]) };
}

/** Prints rows as an aligned Markdown table. */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => String(row[column]).length)));
  const line = (row: (string | number)[]) => `| ${row.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  console.log(line(cells[0]));
  console.log(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
  for (const row of cells.slice(1)) console.log(line(row));
}

export function formatNumber(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * A minimal keep-alive HTTP/1.1 client for latency measurements: one request at a time on one
 * socket, responses framed by Content-Length (every server measured here sends it).
 */
export class RawHttpClient {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: ((status: number) => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  static connect(port: number): Promise<RawHttpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => resolve(new RawHttpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes `request` and resolves with the status of the response once all of it has arrived. */
  exchange(request: string): Promise<number> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const headEnd = this.#buffer.indexOf('\r\n\r\n');
    if (headEnd === -1) return;

    const head = this.#buffer.toString('latin1', 0, headEnd);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.#buffer.length < headEnd + 4 + length) return;

    this.#buffer = this.#buffer.subarray(headEnd + 4 + length);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(Number(head.slice(9, 12)));
  }
}
