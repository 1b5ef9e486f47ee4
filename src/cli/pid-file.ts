// The pid file of a running daemon: written at start, removed at stop, and checked so that one
// instance cannot take over another's file and `stop` cannot signal an unrelated process.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AcceleratorError } from '../accelerator/errors.js';

/** Returns the pid in `path`, or undefined when the file is missing or contains no pid. */
export function readPid(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** True when process `pid` exists and its command line names this program. */
export function isAcceleratorProcess(pid: number): boolean {
  let commandLine: string;
  try {
    // Linux: the arguments, separated by NUL bytes.
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  return commandLine.includes('sqs-accelerator') || /cli[\\/]main\.js/.test(commandLine);
}

/**
 * Writes this process's pid to `path`. Throws PID_FILE_IN_USE when the file names another
 * running instance; a stale file, left by a crash, is replaced.
 */
export function claimPidFile(path: string): void {
  const existing = readPid(path);
  if (existing !== undefined && existing !== process.pid && isAcceleratorProcess(existing)) {
    throw new AcceleratorError('PID_FILE_IN_USE', 'pidFile', `pid file ${path} belongs to the running instance ${existing}: stop it first or choose another --pid-file`);
  }
  writeFileSync(path, `${process.pid}\n`);
}

/** Removes `path` if it still names this process, so that a later instance's file survives. */
export function releasePidFile(path: string): void {
  if (readPid(path) === process.pid) rmSync(path, { force: true });
}
