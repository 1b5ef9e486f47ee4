import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/config/errors.js';
import { parseCommandLine, type ReadFile } from '../../src/config/parse.js';

function noFiles(path: string): string {
  const error = new Error(`ENOENT: no such file or directory, open '${path}'`) as NodeJS.ErrnoException;
  error.code = 'ENOENT';
  throw error;
}

function filesOf(files: Record<string, unknown>): ReadFile {
  return (path) => {
    if (!(path in files)) return noFiles(path);
    const content = files[path];
    return typeof content === 'string' ? content : JSON.stringify(content);
  };
}

function captureError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    assert.instance(error, ConfigError);
    return error as ConfigError;
  }
  assert.unreachable('expected a ConfigError, but nothing was thrown');
  throw new Error('unreachable');
}

const defaults = suite('defaults');

defaults('match the documented command-line contract', () => {
  const { command, options, args } = parseCommandLine([], {}, noFiles);
  assert.is(command, 'run');
  assert.equal(args, []);
  assert.is(options.host, '127.0.0.1');
  assert.is(options.port, 9292);
  assert.is(options.region, 'us-east-1');
  assert.is(options.endpoint, 'https://sqs.us-east-1.amazonaws.com');
  assert.is(options.localSqs, false);
  assert.is(options.parser, 'hand');
  assert.is(options.connections, 64);
  assert.is(options.pipelining, 1);
  assert.is(options.linger, 2);
  assert.is(options.maxMessageBytes, 1_048_576);
  assert.is(options.maxBodyBytes, 4 * 1_048_576);
  assert.is(options.profile, undefined);
  assert.is(options.logLevel, 'info');
});

defaults('take the region from AWS_REGION', () => {
  const { options, sources } = parseCommandLine([], { AWS_REGION: 'eu-west-1', AWS_PROFILE: 'work' }, noFiles);
  assert.is(options.region, 'eu-west-1');
  assert.is(options.endpoint, 'https://sqs.eu-west-1.amazonaws.com');
  assert.is(sources.region, 'default');
});

defaults('leave AWS_PROFILE to the credentials chain', () => {
  assert.is(parseCommandLine([], { AWS_PROFILE: 'work' }, noFiles).options.profile, undefined);
  assert.is(parseCommandLine(['--profile', 'ops'], { AWS_PROFILE: 'work' }, noFiles).options.profile, 'ops');
});

defaults('fall back to AWS_DEFAULT_REGION', () => {
  assert.is(parseCommandLine([], { AWS_DEFAULT_REGION: 'ap-south-1' }, noFiles).options.region, 'ap-south-1');
  assert.is(parseCommandLine([], { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' }, noFiles).options.region, 'us-west-2');
});

defaults('accept emulator region names', () => {
  assert.is(parseCommandLine([], { AWS_REGION: 'local' }, noFiles).options.endpoint, 'https://sqs.local.amazonaws.com');
});

defaults('derive the endpoint from a region flag', () => {
  assert.is(parseCommandLine(['--region', 'eu-central-1'], {}, noFiles).options.endpoint, 'https://sqs.eu-central-1.amazonaws.com');
});

defaults('reject an invalid AWS_REGION', () => {
  const error = captureError(() => parseCommandLine([], { AWS_REGION: 'Not A Region' }, noFiles));
  assert.is(error.code, 'INVALID_VALUE');
  assert.match(error.message, /--region/);
  assert.match(error.message, /AWS_REGION/);
});

defaults.run();

const flags = suite('flags');

flags('accept separate and inline values', () => {
  const { options, sources } = parseCommandLine(['--port', '8080', '--host=::1', '--parser=llhttp', '--max-pending-bytes', '64MiB'], {}, noFiles);
  assert.is(options.port, 8080);
  assert.is(options.host, '::1');
  assert.is(options.parser, 'llhttp');
  assert.is(options.maxPendingBytes, 64 * 1024 * 1024);
  assert.is(sources.port, 'flag');
  assert.is(sources.connections, 'default');
});

flags('set and clear booleans', () => {
  assert.is(parseCommandLine(['--local-sqs'], {}, noFiles).options.localSqs, true);
  assert.is(parseCommandLine(['--local-sqs=false'], {}, noFiles).options.localSqs, false);
  assert.is(parseCommandLine(['--no-local-sqs'], { SQS_ACCELERATOR_LOCAL_SQS: 'true' }, noFiles).options.localSqs, false);
});

flags('take the last of repeated flags', () => {
  assert.is(parseCommandLine(['--port', '1', '--port', '2'], {}, noFiles).options.port, 2);
});

flags('parse byte sizes and durations with units', () => {
  const { options } = parseCommandLine(
    ['--max-body-bytes', '2MiB', '--max-header-bytes=8KB', '--linger', '0', '--drain-timeout', '2m', '--keep-alive-timeout', '1500ms', '--max-age', '1h'],
    {},
    noFiles,
  );
  assert.is(options.maxBodyBytes, 2 * 1024 * 1024);
  assert.is(options.maxHeaderBytes, 8000);
  assert.is(options.linger, 0);
  assert.is(options.drainTimeout, 120_000);
  assert.is(options.keepAliveTimeout, 1500);
  assert.is(options.maxAge, 3_600_000);
});


flags('strip a trailing slash from the endpoint', () => {
  assert.is(parseCommandLine(['--endpoint', 'http://127.0.0.1:4566/'], {}, noFiles).options.endpoint, 'http://127.0.0.1:4566');
});

const invalidFlags: Array<[string, string[], string]> = [
  ['port above range', ['--port', '65536'], '--port'],
  ['negative port', ['--port=-1'], '--port'],
  ['fractional integer', ['--connections', '1.5'], '--connections'],
  ['integer with text', ['--connections', '10x'], '--connections'],
  ['zero connections', ['--connections', '0'], '--connections'],
  ['unknown enum value', ['--parser', 'fast'], '--parser'],
  ['byte size with unknown unit', ['--max-body-bytes', '4 MiBs'], '--max-body-bytes'],
  ['byte size below minimum', ['--max-header-bytes', '100'], '--max-header-bytes'],
  ['byte size above maximum', ['--max-message-bytes', '1048577'], '--max-message-bytes'],
  ['duration with unknown unit', ['--linger', '2d'], '--linger'],
  ['duration above maximum', ['--linger', '2s'], '--linger'],
  ['boolean word', ['--local-sqs=maybe'], '--local-sqs'],
  ['endpoint without scheme', ['--endpoint', 'sqs.local'], '--endpoint'],
  ['endpoint with another scheme', ['--endpoint', 'ftp://127.0.0.1'], '--endpoint'],
  ['endpoint with credentials', ['--endpoint', 'http://user:pass@127.0.0.1'], '--endpoint'],
  ['empty host', ['--host='], '--host'],
  ['log level', ['--log-level', 'loud'], '--log-level'],
  ['empty path', ['--dead-letter-file='], '--dead-letter-file'],
  ['upper-case region', ['--region', 'US-EAST-1'], '--region'],
];
for (const [label, argv, option] of invalidFlags) {
  flags(`reject ${label}`, () => {
    const error = captureError(() => parseCommandLine(argv, {}, noFiles));
    assert.is(error.code, 'INVALID_VALUE');
    assert.is(error.option, option);
    assert.is(error.source, `flag ${option}`);
    assert.ok(error.message.includes(option), error.message);
    assert.match(error.message, /expected /);
  });
}

flags('reject an unknown flag', () => {
  const error = captureError(() => parseCommandLine(['--prot', '80'], {}, noFiles));
  assert.is(error.code, 'UNKNOWN_OPTION');
  assert.is(error.option, '--prot');
});

flags('reject single-dash options', () => {
  assert.is(captureError(() => parseCommandLine(['-p', '80'], {}, noFiles)).code, 'UNKNOWN_OPTION');
});

flags('reject --no- on a non-boolean option', () => {
  assert.is(captureError(() => parseCommandLine(['--no-port'], {}, noFiles)).code, 'UNKNOWN_OPTION');
});

flags('reject a missing value', () => {
  const atEnd = captureError(() => parseCommandLine(['--port'], {}, noFiles));
  assert.is(atEnd.code, 'MISSING_VALUE');
  assert.is(atEnd.option, '--port');

  const beforeFlag = captureError(() => parseCommandLine(['--host', '--port', '1'], {}, noFiles));
  assert.is(beforeFlag.code, 'MISSING_VALUE');
  assert.is(beforeFlag.option, '--host');
});

flags.run();

const environment = suite('environment variables');

environment('set options', () => {
  const { options, sources } = parseCommandLine([], { SQS_ACCELERATOR_PORT: '7000', SQS_ACCELERATOR_LOCAL_SQS: 'yes', SQS_ACCELERATOR_MAX_PENDING_BYTES: '1GiB' }, noFiles);
  assert.is(options.port, 7000);
  assert.is(options.localSqs, true);
  assert.is(options.maxPendingBytes, 1024 ** 3);
  assert.is(sources.port, 'environment');
});

environment('ignore empty values', () => {
  assert.is(parseCommandLine([], { SQS_ACCELERATOR_PORT: '' }, noFiles).options.port, 9292);
});

environment('name the variable in errors', () => {
  const error = captureError(() => parseCommandLine([], { SQS_ACCELERATOR_PIPELINING: '0' }, noFiles));
  assert.is(error.code, 'INVALID_VALUE');
  assert.is(error.source, 'environment variable SQS_ACCELERATOR_PIPELINING');
  assert.match(error.message, /SQS_ACCELERATOR_PIPELINING/);
  assert.match(error.message, /"0"/);
});

environment.run();

const configFile = suite('config file');

configFile('sets options by camelCase key', () => {
  const readFile = filesOf({ '/etc/sqs.json': { port: 9000, maxPendingBytes: '32MiB', localSqs: true, drainTimeout: 5000, parser: 'llhttp' } });
  const { options, sources } = parseCommandLine(['--config', '/etc/sqs.json'], {}, readFile);
  assert.is(options.port, 9000);
  assert.is(options.maxPendingBytes, 32 * 1024 * 1024);
  assert.is(options.localSqs, true);
  assert.is(options.drainTimeout, 5000);
  assert.is(options.parser, 'llhttp');
  assert.is(sources.port, 'config file');
  assert.is(options.config, '/etc/sqs.json');
});

configFile('is found through SQS_ACCELERATOR_CONFIG', () => {
  const readFile = filesOf({ 'local.json': { port: 9001 } });
  assert.is(parseCommandLine([], { SQS_ACCELERATOR_CONFIG: 'local.json' }, readFile).options.port, 9001);
});

configFile('follows flag over environment over file over default', () => {
  const readFile = filesOf({ 'c.json': { port: 1111, connections: 11, pipelining: 3 } });
  const environmentValues = { SQS_ACCELERATOR_PORT: '2222', SQS_ACCELERATOR_CONNECTIONS: '22' };
  const { options, sources } = parseCommandLine(['--config', 'c.json', '--port', '3333'], environmentValues, readFile);
  assert.is(options.port, 3333);
  assert.is(sources.port, 'flag');
  assert.is(options.connections, 22);
  assert.is(sources.connections, 'environment');
  assert.is(options.pipelining, 3);
  assert.is(sources.pipelining, 'config file');
  assert.is(options.linger, 2);
  assert.is(sources.linger, 'default');
});

const badFiles: Array<[string, unknown, string, RegExp]> = [
  ['unknown key', { prot: 80 }, 'UNKNOWN_CONFIG_KEY', /"prot"/],
  ['flag spelling as key', { 'max-pending-bytes': 5 }, 'UNKNOWN_CONFIG_KEY', /maxPendingBytes/],
  ['nested config key', { config: 'other.json' }, 'UNKNOWN_CONFIG_KEY', /"config"/],
  ['value of wrong type', { port: [1] }, 'INVALID_VALUE', /key "port"/],
  ['out-of-range value', { port: 70000 }, 'INVALID_VALUE', /key "port"/],
  ['boolean for a number', { connections: true }, 'INVALID_VALUE', /key "connections"/],
  ['number for a boolean', { localSqs: 1 }, 'INVALID_VALUE', /key "localSqs"/],
  ['JSON array', [1, 2], 'INVALID_CONFIG_FILE', /one JSON object/],
  ['invalid JSON', '{"port": 1,}', 'INVALID_CONFIG_FILE', /not valid JSON/],
];
for (const [label, content, code, pattern] of badFiles) {
  configFile(`rejects ${label}`, () => {
    const error = captureError(() => parseCommandLine(['--config', 'bad.json'], {}, filesOf({ 'bad.json': content })));
    assert.is(error.code, code);
    assert.match(error.message, pattern);
    assert.match(error.message, /bad\.json/);
  });
}

configFile('rejects a missing file naming the path', () => {
  const error = captureError(() => parseCommandLine(['--config', '/nowhere/c.json'], {}, noFiles));
  assert.is(error.code, 'CONFIG_FILE_UNREADABLE');
  assert.match(error.message, /\/nowhere\/c\.json/);
  assert.match(error.message, /ENOENT/);
});

configFile.run();

const commands = suite('commands');

commands('parse resend with its file', () => {
  const parsed = parseCommandLine(['resend', 'dead.jsonl', '--endpoint', 'http://127.0.0.1:1'], {}, noFiles);
  assert.is(parsed.command, 'resend');
  assert.equal(parsed.args, ['dead.jsonl']);
  assert.is(parsed.options.endpoint, 'http://127.0.0.1:1');
});

commands('parse status with flags before the command', () => {
  const parsed = parseCommandLine(['--port', '9393', 'status'], {}, noFiles);
  assert.is(parsed.command, 'status');
  assert.is(parsed.options.port, 9393);
});

commands('parse help in every spelling', () => {
  assert.is(parseCommandLine(['--help'], {}, noFiles).command, 'help');
  assert.is(parseCommandLine(['-h'], {}, noFiles).command, 'help');
  assert.is(parseCommandLine(['help'], {}, noFiles).command, 'help');
  assert.is(parseCommandLine(['status', '--help'], {}, noFiles).command, 'help');
});

commands('parse help despite bad values elsewhere', () => {
  const parsed = parseCommandLine(['--port', 'x', '--help', '--config', 'missing.json'], { SQS_ACCELERATOR_LINGER: 'never' }, noFiles);
  assert.is(parsed.command, 'help');
  assert.is(parsed.options.port, 9292);
});

commands('treat arguments after -- as positional', () => {
  assert.equal(parseCommandLine(['resend', '--', '--odd-name.jsonl'], {}, noFiles).args, ['--odd-name.jsonl']);
});

commands('reject unknown commands and wrong argument counts', () => {
  assert.is(captureError(() => parseCommandLine(['start'], {}, noFiles)).code, 'UNKNOWN_COMMAND');
  assert.is(captureError(() => parseCommandLine(['resend'], {}, noFiles)).code, 'INVALID_ARGUMENTS');
  assert.is(captureError(() => parseCommandLine(['resend', 'a', 'b'], {}, noFiles)).code, 'INVALID_ARGUMENTS');
  assert.is(captureError(() => parseCommandLine(['status', 'extra'], {}, noFiles)).code, 'INVALID_ARGUMENTS');
});

commands.run();

const variables = suite('environment variable names');

variables('unknown SQS_ACCELERATOR_ variable is rejected', () => {
  const error = captureError(() => parseCommandLine([], { SQS_ACCELERATOR_PROT: '9000' }, noFiles));
  assert.is(error.code, 'UNKNOWN_OPTION');
  assert.match(error.message, /SQS_ACCELERATOR_PROT/);
});

variables('other variables are ignored', () => {
  const { options } = parseCommandLine([], { SQS_ACCELERATOR: 'x', OTHER_SQS_ACCELERATOR_PORT: '1', SQS_ACCELERATOR_PORT: '9000' }, noFiles);
  assert.is(options.port, 9000);
});

variables.run();
