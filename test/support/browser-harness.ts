// What the browser tests drive: the accelerator CLI as a child process with its embedded SQS
// emulator (--local-sqs), and headless Chromium from the Debian package through playwright-core.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian's chromium package installs the browser; `make test-deps` installs it. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** The package version, which the home page shows. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Time allowed for the CLI to log its start, and later to exit after SIGTERM, in milliseconds. */
const PROCESS_TIMEOUT_MS = 20_000;

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Launches headless Chromium with the flags that keep it off the network and out of the sandbox a container lacks. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface CliDaemon {
  /** `http://127.0.0.1:PORT` of the accelerator. */
  baseUrl: string;
  /** The SQS endpoint the accelerator delivers to: with --local-sqs, the embedded emulator. */
  sqsEndpoint: string;
  /** The JSON log lines of the CLI's stdout so far, and any stderr output. */
  logLines: string[];
  /** Sends SIGTERM and resolves with the exit code once the CLI has drained and exited. */
  stop(): Promise<number | null>;
}

/** Copies this process's environment without AWS and accelerator settings, so that the developer's own configuration cannot redirect the CLI. */
function isolatedEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('SQS_ACCELERATOR_')) environment[name] = value;
  }
  return environment;
}

function waitForStart(child: ChildProcess, logLines: string[]): Promise<{ port: number; endpoint: string }> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not log "sqs-accelerator started" within ${PROCESS_TIMEOUT_MS} ms; its output:\n${logLines.join('\n')}`));
    }, PROCESS_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the CLI exited with code ${code} before it started; its output:\n${logLines.join('\n')}`));
    });

    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        logLines.push(line);
        if (!line.includes('"sqs-accelerator started"')) continue;
        const entry = JSON.parse(line) as { port: number; endpoint: string };
        clearTimeout(timer);
        resolve({ port: entry.port, endpoint: entry.endpoint });
      }
    });
  });
}

/** Starts `sqs-accelerator --local-sqs --port 0 ARGS` and waits for its "sqs-accelerator started" log line. */
export async function startCliDaemon(args: string[] = []): Promise<CliDaemon> {
  const directory = mkdtempSync(join(tmpdir(), 'sqs-accelerator-browser-'));
  const commandLine = [CLI, '--local-sqs', '--port', '0', '--dead-letter-file', join(directory, 'dead-letters.jsonl'), '--log-level', 'info', ...args];
  const child = spawn(process.execPath, commandLine, { stdio: ['ignore', 'pipe', 'pipe'], env: isolatedEnvironment() });
  const logLines: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => logLines.push(chunk.toString('utf8')));

  let started: { port: number; endpoint: string };
  try {
    started = await waitForStart(child, logLines);
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  child.removeAllListeners('exit');

  return {
    baseUrl: `http://127.0.0.1:${started.port}`,
    sqsEndpoint: started.endpoint,
    logLines,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      rmSync(directory, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}

/** Collects the messages of every JavaScript dialog a page opens, and dismisses each one. */
export function recordDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return dialogs;
}

/**
 * Reloads `page` until `done` returns true, at most `attempts` times, waiting `intervalMs`
 * between reloads. Returns whether `done` became true, so the caller asserts what it expects.
 */
export async function reloadUntil(page: Page, done: () => Promise<boolean>, attempts = 100, intervalMs = 200): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await done()) return true;
    await page.waitForTimeout(intervalMs);
    await page.reload();
  }
  return done();
}
