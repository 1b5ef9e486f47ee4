import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeDefault, formatHelp } from '../../src/config/help.js';
import { OPTIONS, configKeyOf, environmentVariableOf } from '../../src/config/options.js';
import { parseCommandLine } from '../../src/config/parse.js';
import { formatBytes, formatDuration } from '../../src/config/values.js';

const help = suite('formatHelp');

const text = formatHelp();

help('lists every option with its environment variable and default', () => {
  for (const definition of OPTIONS) {
    const start = text.indexOf(`  --${definition.name}`);
    assert.ok(start !== -1, `--${definition.name} missing from help`);
    const next = text.indexOf('\n  --', start + 1);
    const entry = text.slice(start, next === -1 ? undefined : next);
    assert.ok(entry.includes(environmentVariableOf(definition.name)), `environment variable of --${definition.name}`);
    assert.ok(entry.includes(`Default: ${describeDefault(definition)}.`), `default of --${definition.name}`);
    if (definition.unit !== '') assert.ok(entry.includes(`Unit: ${definition.unit}.`), `unit of --${definition.name}`);
    if (definition.inConfigFile) assert.ok(entry.includes(`config key ${configKeyOf(definition.name)}`), `config key of --${definition.name}`);
  }
});

help('lists the options of the command-line contract', () => {
  for (const name of ['host', 'port', 'region', 'endpoint', 'local-sqs', 'parser', 'pid-file', 'config']) {
    assert.ok(text.includes(`  --${name}`), `--${name}`);
  }
  for (const command of ['resend FILE', 'status', 'stop --pid-file']) assert.ok(text.includes(command), command);
});

help('shows defaults that the parser applies', () => {
  const { options } = parseCommandLine([], {}, () => '');
  for (const definition of OPTIONS) {
    if (typeof definition.defaultValue === 'function' || definition.defaultValue === undefined) continue;
    const value = options[configKeyOf(definition.name) as keyof typeof options];
    let expected = String(value);
    if (definition.type.kind === 'bytes') expected = formatBytes(value as number);
    if (definition.type.kind === 'duration') expected = formatDuration(value as number);
    assert.is(describeDefault(definition), expected, `--${definition.name}`);
  }
});

help('uses unique flag names and variables', () => {
  const names = new Set(OPTIONS.map((definition) => definition.name));
  assert.is(names.size, OPTIONS.length);
});

help.run();

const units = suite('unit formatting');

units('formats bytes and durations in whole units', () => {
  assert.is(formatBytes(4 * 1024 * 1024), '4 MiB');
  assert.is(formatBytes(1536), '1536 B');
  assert.is(formatBytes(16 * 1024), '16 KiB');
  assert.is(formatDuration(2), '2 ms');
  assert.is(formatDuration(30_000), '30 s');
  assert.is(formatDuration(300_000), '5 m');
  assert.is(formatDuration(3_600_000), '1 h');
});

units.run();
