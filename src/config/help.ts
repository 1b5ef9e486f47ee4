// The `--help` text, generated from the option table so that every option appears with its
// unit, default, environment variable and config file key.

import { OPTIONS, configKeyOf, environmentVariableOf, type OptionDefinition } from './options.js';
import { describeAccepted, formatBytes, formatDuration } from './values.js';

const USAGE = `Usage:
  sqs-accelerator [run] [options]        accept messages over HTTP and deliver them to SQS
  sqs-accelerator resend FILE [options]  send the messages of a dead-letter file again
  sqs-accelerator status [--port P]      print health and counters of a running instance
  sqs-accelerator stop --pid-file FILE   stop a running instance and wait for its drain
  sqs-accelerator --help                 print this help

Every option can also be set by its environment variable or by its key in the JSON file
given to --config. A flag overrides the environment, which overrides the config file,
which overrides the default.`;

/** Formats an option's default for help, in the option's unit. */
export function describeDefault(definition: OptionDefinition): string {
  if (definition.defaultText !== undefined) return definition.defaultText;
  const value = definition.defaultValue;
  if (value === undefined || typeof value === 'function') return 'none';
  if (definition.type.kind === 'bytes' && typeof value === 'number') return formatBytes(value);
  if (definition.type.kind === 'duration' && typeof value === 'number') return formatDuration(value);
  return String(value);
}

function formatPlaceholder(definition: OptionDefinition): string {
  switch (definition.type.kind) {
    case 'boolean':
      return '';
    case 'enum':
      return ` ${definition.type.values.join('|')}`;
    case 'bytes':
      return ' BYTES';
    case 'duration':
      return ' MS';
    case 'integer':
      return ' N';
    case 'path':
      return ' PATH';
    case 'url':
      return ' URL';
    default:
      return ' VALUE';
  }
}

/** Returns the full help text. */
export function formatHelp(): string {
  const lines = [USAGE, '', 'Options:'];

  for (const definition of OPTIONS) {
    const unit = definition.unit === '' ? '' : ` Unit: ${definition.unit}.`;
    const key = definition.inConfigFile ? `, config key ${configKeyOf(definition.name)}` : '';
    lines.push(`  --${definition.name}${formatPlaceholder(definition)}`);
    lines.push(`      ${definition.help}${unit} Default: ${describeDefault(definition)}.`);
    lines.push(`      Accepts ${describeAccepted(definition.type)}.`);
    lines.push(`      Environment ${environmentVariableOf(definition.name)}${key}.`);
  }

  return `${lines.join('\n')}\n`;
}
