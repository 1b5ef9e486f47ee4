// Runs the sqs-accelerator command as a child process, the way an operator does: start it,
// learn its port from the "sqs-accelerator started" log line, collect its output, and stop it.
// Every started process is tracked so that `stopAllCliProcesses` can kill what a failed test
// left behind.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled command: this file is BUILD/test/support/cli-process.js, the command BUILD/src/cli/main.js. */
export const CLI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

/** Time allowed for the command to print its start line, in milliseconds. */
const START_TIMEOUT_MS = 15_000;

/** Time allowed for a stopped command to exit, in milliseconds, before it is killed. */
const EXIT_TIMEOUT_MS = 30_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliStartOptions {
  /** Arguments after the script path; `--port 0` is not added for you. */
  args: string[];
  /** Variables added to the clean environment built by `cleanEnvironment`. */
  environment?: Record<string, string>;
  /** Time allowed for the start line, in milliseconds. */
  startTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
const scratchDirectories = new Set<string>();

/**
 * Returns an environment without the caller's AWS variables, with HOME set to an empty
 * directory so that no shared credentials file of the machine is read.
 */
export function cleanEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const home = makeScratchDirectory('cli-home-');
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NODE_NO_WARNINGS: '1', ...extra };
}

/** Creates a temporary directory that `stopAllCliProcesses` removes. */
export function makeScratchDirectory(prefix = 'e2e-'): string {
  const directory = mkdtempSync(join(tmpdir(), `sqs-accelerator-${prefix}`));
  scratchDirectories.add(directory);
  return directory;
}

/** A running instance of the command. */
export class CliProcess {
  readonly child: ChildProcess;
  port = 0;
  #stdout = '';
  #stderr = '';
  readonly #exited: Promise<ExitStatus>;
  #exitStatus: ExitStatus | undefined;

  constructor(child: ChildProcess) {
    this.child = child;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.#stdout += chunk;
    });
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    this.#exited = new Promise((resolvePromise) => {
      child.once('close', (code, signal) => {
        running.delete(child);
        this.#exitStatus = { code, signal };
        resolvePromise(this.#exitStatus);
      });
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Standard output and standard error together, for searches over the whole log. */
  get output(): string {
    return `${this.#stdout}\n${this.#stderr}`;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.#exitStatus;
  }

  /** Parses the JSON log lines of standard output, skipping other lines. */
  logLines(): Record<string, unknown>[] {
    const lines: Record<string, unknown>[] = [];
    for (const line of this.#stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A line cut by a crash is not JSON; the test reads the raw output for it.
      }
    }
    return lines;
  }

  /** Returns the first log line whose `msg` contains `text`, or undefined. */
  findLog(text: string): Record<string, unknown> | undefined {
    return this.logLines().find((line) => typeof line.msg === 'string' && line.msg.includes(text));
  }

  /** Waits until a log line contains `text`; throws with the output so far after `timeoutMs`. */
  async waitForLog(text: string, timeoutMs = START_TIMEOUT_MS): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.findLog(text);
      if (line !== undefined) return line;
      if (this.#exitStatus !== undefined) {
        throw new Error(`the command exited (${JSON.stringify(this.#exitStatus)}) before logging "${text}"; output:\n${this.output}`);
      }
      if (Date.now() > deadline) throw new Error(`no log line "${text}" within ${timeoutMs} ms; output:\n${this.output}`);
      await sleep(20);
    }
  }

  /** Waits for the process to exit; throws after `timeoutMs`, leaving the process running. */
  async waitForExit(timeoutMs = EXIT_TIMEOUT_MS): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the command did not exit within ${timeoutMs} ms; output:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.#exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends SIGTERM and waits for the exit; kills the process if it outlives `timeoutMs`. */
  async stop(timeoutMs = EXIT_TIMEOUT_MS): Promise<ExitStatus> {
    if (this.#exitStatus !== undefined) return this.#exitStatus;
    this.child.kill('SIGTERM');
    try {
      return await this.waitForExit(timeoutMs);
    } catch (error) {
      this.child.kill('SIGKILL');
      await this.#exited;
      throw error;
    }
  }
}

/** Spawns the command without waiting for it to start. */
export function spawnCli(options: CliStartOptions): CliProcess {
  const environment = options.environment?.HOME !== undefined ? { ...options.environment } : cleanEnvironment(options.environment);
  const child = spawn(process.execPath, [CLI_PATH, ...options.args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  return new CliProcess(child);
}

/** Starts the daemon and waits for its start line, whose `port` becomes `process.port`. */
export async function startCli(options: CliStartOptions): Promise<CliProcess> {
  const cli = spawnCli(options);
  try {
    const started = await cli.waitForLog('sqs-accelerator started', options.startTimeoutMs ?? START_TIMEOUT_MS);
    if (typeof started.port !== 'number') throw new Error(`the start line has no numeric port: ${JSON.stringify(started)}`);
    cli.port = started.port;
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw error;
  }
  return cli;
}

export interface CliRun extends ExitStatus {
  stdout: string;
  stderr: string;
}

/** Runs a command that ends by itself (help, status, stop, resend) and returns its output. */
export async function runCli(options: CliStartOptions & { timeoutMs?: number }): Promise<CliRun> {
  const cli = spawnCli(options);
  try {
    const status = await cli.waitForExit(options.timeoutMs ?? EXIT_TIMEOUT_MS);
    return { ...status, stdout: cli.stdout, stderr: cli.stderr };
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw error;
  }
}

/** Kills every process started here that still runs and removes the scratch directories. */
export async function stopAllCliProcesses(): Promise<void> {
  const closing: Promise<unknown>[] = [];
  for (const child of running) {
    closing.push(new Promise((resolvePromise) => child.once('close', resolvePromise)));
    child.kill('SIGKILL');
  }
  await Promise.all(closing);
  for (const directory of scratchDirectories) rmSync(directory, { recursive: true, force: true });
  scratchDirectories.clear();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}
