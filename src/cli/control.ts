// The `status` and `stop` commands: talk to a running daemon.

import type { AcceleratorOptions } from '../config/options.js';
import { isAcceleratorProcess, readPid } from './pid-file.js';

/** Extra time `stop` waits beyond the drain timeout for the daemon to exit, in milliseconds. */
const STOP_GRACE_MS = 5000;

/** Prints health and counters of the instance at --host/--port; returns 0 when healthy. */
export async function printStatus(options: AcceleratorOptions): Promise<number> {
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const base = `http://${host}:${options.port}`;
  try {
    const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
    const stats = await fetch(`${base}/stats`, { signal: AbortSignal.timeout(5000) });
    process.stdout.write(`${JSON.stringify({ instance: base, healthy: health.ok, stats: await stats.json() }, null, 2)}\n`);
    return health.ok ? 0 : 1;
  } catch (error) {
    // fetch wraps the socket error; with several addresses tried it is an AggregateError.
    const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const reason = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
    process.stderr.write(`sqs-accelerator: no healthy instance at ${base} (${reason}); check --host and --port\n`);
    return 1;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGTERM to the daemon named by --pid-file and waits for it to exit; returns 0 once it has. */
export async function stopDaemon(options: AcceleratorOptions): Promise<number> {
  if (options.pidFile === undefined) {
    process.stderr.write('sqs-accelerator: stop needs --pid-file, the file the daemon was started with\n');
    return 64;
  }
  let pid: number | undefined;
  try {
    pid = readPid(options.pidFile);
  } catch (error) {
    process.stderr.write(`sqs-accelerator: cannot read pid file ${options.pidFile} (${(error as NodeJS.ErrnoException).code}); check the path\n`);
    return 1;
  }
  if (pid === undefined) {
    process.stderr.write(`sqs-accelerator: pid file ${options.pidFile} is missing or contains no process id; is the daemon running?\n`);
    return 1;
  }
  if (!isAcceleratorProcess(pid)) {
    // A pid file left by a crash may name a process that has nothing to do with us now.
    process.stderr.write(`sqs-accelerator: process ${pid} from ${options.pidFile} is not a running sqs-accelerator; remove the stale pid file\n`);
    return 1;
  }

  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + options.drainTimeout + STOP_GRACE_MS;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      process.stderr.write(`sqs-accelerator: process ${pid} is still running after ${options.drainTimeout + STOP_GRACE_MS} ms\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stdout.write(`stopped process ${pid}\n`);
  return 0;
}
