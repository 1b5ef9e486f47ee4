// JSON-line logging with pino. The daemon logs starts, stops, retries and every error it
// catches. It logs nothing per request at the default level, and never a secret or a message body.

import { pino, destination as pinoDestination, stdTimeFunctions, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Creates the process logger writing JSON lines to `destination` (a file descriptor, stdout by default). */
export function createLogger(level: LogLevel = 'info', destination = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'sqs-accelerator', pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      // Defense in depth: these fields never reach the output even if a caller passes them.
      redact: {
        paths: ['secretAccessKey', 'sessionToken', 'authorization', '*.secretAccessKey', '*.sessionToken', '*.authorization'],
        censor: '[redacted]',
      },
    },
    pinoDestination({ dest: destination, sync: false }),
  );
}

/** A logger that drops everything, for tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
