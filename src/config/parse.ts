// Parses the command line, the environment and the config file into one set of options.
// Precedence, highest first: flag, SQS_ACCELERATOR_* environment variable, config file key,
// default. Every value is checked at start, so a bad value stops the daemon before it
// listens, with an error naming the option, the source and the value.

import { ConfigError } from './errors.js';
import { OPTIONS, configKeyOf, environmentVariableOf, type AcceleratorOptions, type Environment, type OptionDefinition } from './options.js';
import { describeAccepted, parseOptionValue, type OptionValue } from './values.js';

export type Command = 'run' | 'resend' | 'status' | 'stop' | 'help';

/** The source of an option's value. */
export type OptionSource = 'flag' | 'environment' | 'config file' | 'default';

export interface ParsedCommandLine {
  command: Command;
  options: AcceleratorOptions;
  /** Positional arguments after the command, such as the file of `resend FILE`. */
  args: string[];
  sources: Record<keyof AcceleratorOptions, OptionSource>;
}

/** Reads a file as UTF-8 text; injected so that tests need no files. */
export type ReadFile = (path: string) => string;

const COMMANDS: readonly Command[] = ['run', 'resend', 'status', 'stop', 'help'];
const ARGUMENT_COUNTS: Record<Command, { count: number; usage: string }> = {
  run: { count: 0, usage: 'sqs-accelerator [run] [options]' },
  resend: { count: 1, usage: 'sqs-accelerator resend FILE [options]' },
  status: { count: 0, usage: 'sqs-accelerator status [--host H] [--port P]' },
  stop: { count: 0, usage: 'sqs-accelerator stop --pid-file FILE' },
  help: { count: 0, usage: 'sqs-accelerator --help' },
};

const OPTIONS_BY_NAME = new Map(OPTIONS.map((definition) => [definition.name, definition]));
const OPTIONS_BY_KEY = new Map(OPTIONS.filter((definition) => definition.inConfigFile).map((definition) => [configKeyOf(definition.name), definition]));

interface RawValue {
  value: OptionValue;
  source: OptionSource;
  /** The source as an error message names it: `flag --port`, `environment variable SQS_ACCELERATOR_PORT`. */
  label: string;
}

function checkValue(definition: OptionDefinition, raw: RawValue): OptionValue {
  try {
    return parseOptionValue(definition.type, raw.value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const quoted = typeof raw.value === 'string' ? JSON.stringify(raw.value.slice(0, 200)) : String(raw.value);
    throw new ConfigError('INVALID_VALUE', `invalid value ${quoted} for --${definition.name} from ${raw.label}: ${error.message}`, {
      option: `--${definition.name}`,
      source: raw.label,
    });
  }
}

/** Splits argv into flag values, positional arguments and whether help was requested. */
function readFlags(argv: readonly string[]): { flags: Map<string, RawValue>; positionals: string[]; help: boolean } {
  const flags = new Map<string, RawValue>();
  const positionals: string[] = [];
  let help = false;

  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (argument === '--help' || argument === '-h') {
      help = true;
      continue;
    }
    if (!argument.startsWith('--')) {
      if (argument.startsWith('-') && argument.length > 1) {
        throw new ConfigError('UNKNOWN_OPTION', `unknown option ${argument}: options are spelt with two dashes, see --help`, { option: argument });
      }
      positionals.push(argument);
      continue;
    }

    const equals = argument.indexOf('=');
    let name = equals === -1 ? argument.slice(2) : argument.slice(2, equals);
    let inline: string | undefined = equals === -1 ? undefined : argument.slice(equals + 1);

    let definition = OPTIONS_BY_NAME.get(name);
    if (definition === undefined && name.startsWith('no-') && inline === undefined) {
      // `--no-local-sqs` turns a boolean option off.
      const negated = OPTIONS_BY_NAME.get(name.slice(3));
      if (negated?.type.kind === 'boolean') {
        definition = negated;
        name = negated.name;
        inline = 'false';
      }
    }
    if (definition === undefined) {
      throw new ConfigError('UNKNOWN_OPTION', `unknown option --${name}: see --help for the list of options`, { option: `--${name}` });
    }

    let value = inline;
    if (value === undefined && definition.type.kind === 'boolean') value = 'true';
    if (value === undefined) {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new ConfigError('MISSING_VALUE', `option --${name} needs a value: ${describeAccepted(definition.type)} (write --${name}=VALUE for a value starting with --)`, {
          option: `--${name}`,
          source: `flag --${name}`,
        });
      }
      value = next;
      index++;
    }

    // A repeated flag takes its last value, so a wrapper script can append overrides.
    flags.set(name, { value, source: 'flag', label: `flag --${name}` });
  }

  return { flags, positionals, help };
}

/** Reads and checks the config file, returning its values by option name. */
function readConfigFile(path: string, readFile: ReadFile): Map<string, RawValue> {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `cannot read config file ${path} (${reason}): check the path given to --config`, {
      option: '--config',
      source: path,
    });
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('INVALID_CONFIG_FILE', `config file ${path} is not valid JSON (${(error as Error).message.slice(0, 120)})`, { option: '--config', source: path });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('INVALID_CONFIG_FILE', `config file ${path} must contain one JSON object of option values, such as {"port": 9292}`, { option: '--config', source: path });
  }

  const values = new Map<string, RawValue>();
  for (const [key, value] of Object.entries(parsed)) {
    const label = `config file ${path} key "${key}"`;
    const definition = OPTIONS_BY_KEY.get(key);
    if (definition === undefined) {
      const hint = OPTIONS_BY_NAME.has(key) ? ` (config keys are camelCase: ${configKeyOf(key)})` : '';
      throw new ConfigError('UNKNOWN_CONFIG_KEY', `unknown key "${key}" in config file ${path}${hint}: see --help for the list of options`, { source: label });
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError('INVALID_VALUE', `invalid value ${JSON.stringify(value)} for --${definition.name} from ${label}: expected ${describeAccepted(definition.type)}`, {
        option: `--${definition.name}`,
        source: label,
      });
    }
    values.set(definition.name, { value, source: 'config file', label });
  }
  return values;
}

function readEnvironmentValue(definition: OptionDefinition, environment: Environment): RawValue | undefined {
  const variable = environmentVariableOf(definition.name);
  const value = environment[variable];
  // An empty variable counts as unset, as in `SQS_ACCELERATOR_PORT= sqs-accelerator`.
  if (value === undefined || value === '') return undefined;
  return { value, source: 'environment', label: `environment variable ${variable}` };
}

const ENVIRONMENT_PREFIX = 'SQS_ACCELERATOR_';
const KNOWN_VARIABLES = new Set(OPTIONS.map((definition) => environmentVariableOf(definition.name)));

/** Rejects SQS_ACCELERATOR_* variables that set no option, as a misspelt config key is rejected. */
function checkEnvironmentNames(environment: Environment): void {
  for (const variable of Object.keys(environment)) {
    if (!variable.startsWith(ENVIRONMENT_PREFIX) || KNOWN_VARIABLES.has(variable)) continue;
    throw new ConfigError('UNKNOWN_OPTION', `unknown environment variable ${variable}: every SQS_ACCELERATOR_ variable must name an option; see --help`, {
      source: `environment variable ${variable}`,
    });
  }
}

function selectCommand(positionals: string[], help: boolean): { command: Command; args: string[] } {
  if (help) return { command: 'help', args: [] };
  if (positionals.length === 0) return { command: 'run', args: [] };

  const command = positionals[0] as Command;
  if (!COMMANDS.includes(command)) {
    throw new ConfigError('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(positionals[0])}: use run, resend, status, stop or help`);
  }
  const args = positionals.slice(1);
  const expected = ARGUMENT_COUNTS[command];
  if (args.length !== expected.count) {
    throw new ConfigError('INVALID_ARGUMENTS', `${command} takes ${expected.count === 0 ? 'no arguments' : `${expected.count} argument`}, not ${args.length}: usage ${expected.usage}`);
  }
  return { command, args };
}

/**
 * Parses the command line (without the node and script paths), the environment and the
 * config file named by `--config` or SQS_ACCELERATOR_CONFIG into a command, its arguments and
 * every option's value. Throws ConfigError on an unknown option, command or config key, a
 * missing value, or a value of the wrong form. For the help command, the options are the
 * defaults, and only unknown flags are errors.
 */
export function parseCommandLine(argv: readonly string[], givenEnvironment: Environment, readFile: ReadFile): ParsedCommandLine {
  const { flags: givenFlags, positionals, help } = readFlags(argv);
  const { command, args } = selectCommand(positionals, help);

  // Help must print even when a flag, variable or config file contains a bad value, so it gets
  // the defaults alone.
  const flags = command === 'help' ? new Map<string, RawValue>() : givenFlags;
  const environment = command === 'help' ? {} : givenEnvironment;

  const configDefinition = OPTIONS_BY_NAME.get('config') as OptionDefinition;
  checkEnvironmentNames(environment);
  const configRaw = flags.get('config') ?? readEnvironmentValue(configDefinition, environment);
  const configPath = configRaw === undefined ? undefined : (checkValue(configDefinition, configRaw) as string);
  const fileValues = configPath === undefined ? new Map<string, RawValue>() : readConfigFile(configPath, readFile);

  const options: Record<string, OptionValue | undefined> = {};
  const sources: Record<string, OptionSource> = {};
  for (const definition of OPTIONS) {
    const key = configKeyOf(definition.name);
    const raw = flags.get(definition.name) ?? readEnvironmentValue(definition, environment) ?? fileValues.get(definition.name);
    if (raw !== undefined) {
      options[key] = checkValue(definition, raw);
      sources[key] = raw.source;
      continue;
    }

    const fallback = typeof definition.defaultValue === 'function' ? definition.defaultValue(environment, options) : definition.defaultValue;
    // Defaults taken from AWS_REGION or AWS_PROFILE are user input, so they are checked too.
    options[key] = fallback === undefined ? undefined : checkValue(definition, { value: fallback, source: 'default', label: `the default (${definition.defaultText ?? 'built in'})` });
    sources[key] = 'default';
  }

  return {
    command,
    options: options as unknown as AcceleratorOptions,
    args,
    sources: sources as Record<keyof AcceleratorOptions, OptionSource>,
  };
}
