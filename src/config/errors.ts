// One error class for start-up configuration problems. The message is meant for the operator
// starting the daemon, so it names the option, the source of its value (flag, environment
// variable or config file key), the value, and what is accepted.

export type ConfigErrorCode =
  | 'UNKNOWN_OPTION'
  | 'MISSING_VALUE'
  | 'INVALID_VALUE'
  | 'UNKNOWN_CONFIG_KEY'
  | 'CONFIG_FILE_UNREADABLE'
  | 'INVALID_CONFIG_FILE'
  | 'UNKNOWN_COMMAND'
  | 'INVALID_ARGUMENTS';

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The option concerned, as its flag (`--port`), or empty for command and argument errors. */
  readonly option: string;
  /** The source of the rejected value: `flag --port`, `environment variable X`, `config file F key k`. */
  readonly source: string;

  constructor(code: ConfigErrorCode, message: string, details: { option?: string; source?: string } = {}) {
    super(message);
    this.name = 'ConfigError';
    this.code = code;
    this.option = details.option ?? '';
    this.source = details.source ?? '';
  }
}
