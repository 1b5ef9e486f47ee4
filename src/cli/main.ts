#!/usr/bin/env node
// The sqs-accelerator command: runs the daemon in the foreground, or one of the subcommands
// resend, status and stop.

import { readFileSync } from 'node:fs';
import { parseCommandLine, type ParsedCommandLine } from '../config/parse.js';
import { ConfigError } from '../config/errors.js';
import { formatHelp } from '../config/help.js';
import { AcceleratorError } from '../accelerator/errors.js';
import { createLogger } from '../log.js';
import { startDaemon } from './daemon.js';
import { resendDeadLetters } from './resend.js';
import { printStatus, stopDaemon } from './control.js';

/** Exit status for invalid options or arguments, as sysexits' EX_USAGE. */
const EXIT_USAGE = 64;

async function run(parsed: ParsedCommandLine): Promise<void> {
  const logger = createLogger(parsed.options.logLevel);
  const daemon = await startDaemon(parsed.options, process.env, logger);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second stop signal: exiting without waiting for the drain');
      logger.flush();
      process.exit(1);
    }
    logger.info({ signal }, 'stop signal received');
    daemon.stop().then(
      () => {
        logger.flush();
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush();
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function main(): Promise<void> {
  let parsed: ParsedCommandLine;
  try {
    parsed = parseCommandLine(process.argv.slice(2), process.env, (path) => readFileSync(path, 'utf8'));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`sqs-accelerator: ${error.message}\nRun "sqs-accelerator --help" for the options.\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }

  // The emulator exists only inside a running daemon; resend or status with it would reach
  // whatever --endpoint defaults to instead, real SQS included.
  if (parsed.options.localSqs && parsed.command !== 'run') {
    process.stderr.write(`sqs-accelerator: --local-sqs applies only to running the daemon; for ${parsed.command}, give the --endpoint of the SQS to use\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (parsed.command === 'status' && parsed.sources.pidFile !== 'default') {
    process.stderr.write('sqs-accelerator: status finds the instance by --host and --port, not by --pid-file\n');
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (parsed.options.localSqs && parsed.sources.endpoint !== 'default') {
    process.stderr.write(`sqs-accelerator: --local-sqs and --endpoint (from ${parsed.sources.endpoint}) both choose the SQS endpoint; give only one\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }

  switch (parsed.command) {
    case 'help':
      process.stdout.write(formatHelp());
      return;
    case 'run':
      return run(parsed);
    case 'resend':
      process.exitCode = await resendDeadLetters(parsed.args[0], parsed.options, process.env);
      return;
    case 'status':
      process.exitCode = await printStatus(parsed.options);
      return;
    case 'stop':
      process.exitCode = await stopDaemon(parsed.options);
      return;
  }
}

/** System errors at start that name their cause well enough without a stack trace. */
const OPERATOR_ERROR_CODES = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT', 'EISDIR', 'EROFS']);

main().catch((error: unknown) => {
  // Start-up failures the operator can fix get one plain line; anything else keeps its stack.
  if (error instanceof AcceleratorError || OPERATOR_ERROR_CODES.has((error as NodeJS.ErrnoException).code ?? '')) {
    process.stderr.write(`sqs-accelerator: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`sqs-accelerator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = 1;
});
