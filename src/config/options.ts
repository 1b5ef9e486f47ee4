// The option table. Each entry drives a command-line flag (`--max-pending-bytes`), an
// environment variable (`SQS_ACCELERATOR_MAX_PENDING_BYTES`), a key of the JSON config file
// (`maxPendingBytes`), the default and the `--help` text, so the four cannot drift apart.

import { LOG_LEVELS, type LogLevel } from '../log.js';
import type { OptionType, OptionValue } from './values.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The environment a default may depend on (AWS_REGION, AWS_DEFAULT_REGION). */
export type Environment = Record<string, string | undefined>;

export interface OptionDefinition {
  /** The flag name without its dashes, such as `max-pending-bytes`. */
  name: string;
  type: OptionType;
  /** The unit named in help, such as `ms` or `bytes`; empty when the value has none. */
  unit: string;
  /** A fixed default, or a function of the environment and the options resolved before this one. */
  defaultValue: OptionValue | undefined | ((environment: Environment, resolved: Record<string, OptionValue | undefined>) => OptionValue | undefined);
  /** The help text of a computed default, such as `AWS_PROFILE`. */
  defaultText?: string;
  help: string;
  /** False for options that only make sense on the command line or in the environment. */
  inConfigFile: boolean;
}

/** Converts a flag name to its config file key: `max-pending-bytes` becomes `maxPendingBytes`. */
export function configKeyOf(name: string): string {
  return name.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** Converts a flag name to its environment variable: `SQS_ACCELERATOR_MAX_PENDING_BYTES`. */
export function environmentVariableOf(name: string): string {
  return `SQS_ACCELERATOR_${name.toUpperCase().replace(/-/g, '_')}`;
}

function option(name: string, type: OptionType, unit: string, defaultValue: OptionDefinition['defaultValue'], help: string, extra: Partial<OptionDefinition> = {}): OptionDefinition {
  return { name, type, unit, defaultValue, help, inConfigFile: true, ...extra };
}

const integer = (min: number, max: number): OptionType => ({ kind: 'integer', min, max });
const bytes = (min: number, max: number): OptionType => ({ kind: 'bytes', min, max });
const duration = (min: number, max: number): OptionType => ({ kind: 'duration', min, max });

/**
 * Every option in help order. Options whose default depends on another (endpoint on region)
 * come after it.
 */
export const OPTIONS: readonly OptionDefinition[] = [
  option('config', { kind: 'path' }, '', undefined, 'JSON file of option values keyed by camelCase option name.', { inConfigFile: false }),

  option('host', { kind: 'string' }, '', '127.0.0.1', 'Address to listen on for the web app.'),
  option('port', integer(0, 65535), '', 9292, 'TCP port to listen on; 0 picks a free port.'),
  option('parser', { kind: 'enum', values: ['hand', 'llhttp'] }, '', 'hand', 'HTTP request parser engine.'),
  option('max-connections', integer(1, 1_000_000), '', 1024, 'Maximum number of client connections open at once.'),
  option('max-header-bytes', bytes(1 * KiB, 1 * MiB), 'bytes', 16 * KiB, 'Maximum size of a request head (request line and headers); larger heads get 431.'),
  option('max-target-length', integer(16, 1 * MiB), 'characters', 8 * KiB, 'Maximum length of a request target; longer targets get 414.'),
  // A 1 MiB message becomes up to 3 MiB as a form (every non-ASCII byte is "%XX") or when its
  // attributes are base64 (4/3), so 4 MiB admits any message SQS accepts in any body form.
  option('max-body-bytes', bytes(1 * KiB, 1 * GiB), 'bytes', 4 * MiB, 'Maximum size of a request body; larger bodies get 413. The default fits a 1 MiB message in any body form.'),
  option('max-request-messages', integer(1, 100_000), 'messages', 1000, 'Maximum number of messages in one NDJSON request.'),
  option('max-pipelined-requests', integer(1, 10_000), 'requests', 100, 'Maximum number of unanswered requests on one client connection; reading pauses at this count.'),
  option('keep-alive-timeout', duration(0, 1 * HOUR), 'ms', 60 * SECOND, 'Idle time after which a client keep-alive connection is closed.'),
  option('headers-timeout', duration(1 * SECOND, 1 * HOUR), 'ms', 30 * SECOND, 'Time allowed to receive a request head.'),
  option('body-timeout', duration(1 * SECOND, 1 * HOUR), 'ms', 30 * SECOND, 'Time allowed to receive a whole request body, counted from the end of its head.'),

  option('region', { kind: 'region' }, '', (environment) => nonEmpty(environment.AWS_REGION) ?? nonEmpty(environment.AWS_DEFAULT_REGION) ?? 'us-east-1',
    'AWS region of the queues.', { defaultText: 'AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1' }),
  option('endpoint', { kind: 'url' }, '', (_environment, resolved) => `https://sqs.${String(resolved.region)}.amazonaws.com`,
    'SQS endpoint URL; every upstream request goes here.', { defaultText: 'https://sqs.REGION.amazonaws.com' }),
  option('local-sqs', { kind: 'boolean' }, '', false, 'Start the embedded SQS emulator on 127.0.0.1 and use it as the endpoint.'),
  // AWS_PROFILE is not this option's default: the credentials chain reads it itself, after
  // AWS_ACCESS_KEY_ID, whereas an explicit --profile comes before that variable.
  option('profile', { kind: 'string' }, '', undefined,
    'Profile of the shared credentials file for requests without Basic auth; without it, AWS_ACCESS_KEY_ID, then AWS_PROFILE, then the default profile apply.'),
  option('connections', integer(1, 4096), 'connections', 64, 'Number of upstream connections to the SQS endpoint.'),
  option('pipelining', integer(1, 100), 'requests', 1, 'Maximum number of requests in flight on one upstream connection.'),
  option('linger', duration(0, 10), 'ms', 2, 'Time a partial batch may wait for more messages while every upstream connection is busy.'),
  option('upstream-connect-timeout', duration(100, 5 * MINUTE), 'ms', 10 * SECOND, 'Time allowed to connect to SQS.'),
  option('upstream-timeout', duration(100, 10 * MINUTE), 'ms', 30 * SECOND, 'Time allowed for an SQS response.'),
  // Retries back off up to 10 s apart, so 100 attempts outlast the default 5 min --max-age: during
  // an SQS outage the age limit, not the count, decides when a message is dead-lettered.
  option('max-attempts', integer(1, 1000), 'attempts', 100, 'Maximum number of delivery attempts of one message before it is dead-lettered.'),
  option('max-age', duration(1 * SECOND, 7 * 24 * HOUR), 'ms', 5 * MINUTE, 'Maximum age of a message, from its acceptance, after which it is no longer retried and is dead-lettered.'),

  option('max-message-bytes', bytes(1, 1 * MiB), 'bytes', 1 * MiB, 'Maximum size of a message, body plus attributes, as SQS counts it.'),
  option('max-pending-messages', integer(1, 100_000_000), 'messages', 100_000, 'Maximum number of accepted messages not yet delivered; requests beyond it are rejected with 503.'),
  option('max-pending-bytes', bytes(1 * MiB, 1024 * GiB), 'bytes', 256 * MiB, 'Maximum bytes of accepted messages not yet delivered; requests beyond it are rejected with 503.'),
  option('dead-letter-file', { kind: 'path' }, '', 'dead-letters.jsonl', 'JSON lines file that receives messages which could not be delivered.'),
  option('status-index-size', integer(0, 100_000_000), 'messages', 100_000, 'Number of recent message statuses kept for lookup by id; 0 keeps none.'),
  option('drain-timeout', duration(0, 1 * HOUR), 'ms', 30 * SECOND, 'Time allowed at shutdown to deliver pending messages.'),
  option('pid-file', { kind: 'path' }, '', undefined, 'File that receives the process id at start (for the stop command).'),
  option('log-level', { kind: 'enum', values: LOG_LEVELS }, '', 'info', 'Lowest level of log lines written to standard output.'),
];

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Option values by config key, as `parseCommandLine` returns them. */
export interface AcceleratorOptions {
  config: string | undefined;
  host: string;
  port: number;
  parser: 'hand' | 'llhttp';
  maxConnections: number;
  maxHeaderBytes: number;
  maxTargetLength: number;
  maxBodyBytes: number;
  maxRequestMessages: number;
  maxPipelinedRequests: number;
  keepAliveTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
  region: string;
  endpoint: string;
  localSqs: boolean;
  profile: string | undefined;
  connections: number;
  pipelining: number;
  linger: number;
  upstreamConnectTimeout: number;
  upstreamTimeout: number;
  maxAttempts: number;
  maxAge: number;
  maxMessageBytes: number;
  maxPendingMessages: number;
  maxPendingBytes: number;
  deadLetterFile: string;
  statusIndexSize: number;
  drainTimeout: number;
  pidFile: string | undefined;
  logLevel: LogLevel;
}
