// The command-line contract: help, invalid values, the environment and the config file,
// --local-sqs, and the status and stop commands against a running instance.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OPTIONS, environmentVariableOf } from '../../src/config/options.js';
import { DEFAULT_TEST_CREDENTIALS, FakeSqs } from '../support/fake-sqs.js';
import { makeScratchDirectory, runCli, startCli, stopAllCliProcesses } from '../support/cli-process.js';
import { request, waitForSettled } from '../support/e2e-http.js';
import { freePort } from '../support/free-port.js';

const ENVIRONMENT = { AWS_ACCESS_KEY_ID: DEFAULT_TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DEFAULT_TEST_CREDENTIALS.secretAccessKey };

/** Returns the help block of one option: its flag line and the indented lines after it. */
function helpBlock(help: string, flag: string): string | undefined {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => line.trimStart().startsWith(`${flag} `) || line.trim() === flag);
  if (start === -1) return undefined;
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith('      ')) end++;
  return lines.slice(start, end).join('\n');
}

const contract = suite('command-line contract');
let fake: FakeSqs | undefined;

contract.before(async () => {
  fake = await FakeSqs.start();
  fake.createQueue('e2e-cli');
});

contract.after(async () => {
  await stopAllCliProcesses();
  await fake?.close();
});

function deadLetterArguments(): string[] {
  return ['--dead-letter-file', `${makeScratchDirectory('cli-')}/dead-letters.jsonl`];
}

contract('help lists every option', async () => {
  const run = await runCli({ args: ['--help'] });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /resend FILE/);
  assert.match(run.stdout, /status/);
  assert.match(run.stdout, /stop --pid-file/);

  for (const option of OPTIONS) {
    const block = helpBlock(run.stdout, `--${option.name}`);
    assert.ok(block !== undefined, `--help does not list --${option.name}`);
    assert.match(block, /Default: /, `--${option.name} shows no default`);
    assert.ok(block.includes(environmentVariableOf(option.name)), `--${option.name} does not name ${environmentVariableOf(option.name)}`);
    if (option.unit !== '') assert.ok(block.includes(option.unit), `--${option.name} does not show its unit ${option.unit}`);
  }
});

contract('invalid values exit non-zero', async () => {
  const cases: [string[], string][] = [
    [['--port', '99999'], '--port'],
    [['--parser', 'foo'], '--parser'],
    [['--max-pending-messages', 'many'], '--max-pending-messages'],
    [['--no-such-option'], '--no-such-option'],
  ];
  for (const [args, flag] of cases) {
    const run = await runCli({ args });
    assert.type(run.code, 'number', `${args.join(' ')} ended by signal ${run.signal}`);
    assert.is.not(run.code, 0, `${args.join(' ')} exited with 0`);
    assert.ok(run.stderr.includes(flag), `${args.join(' ')}: the error does not name ${flag}: ${run.stderr}`);
    assert.ok(run.stderr.includes(args[1] ?? args[0]), `${args.join(' ')}: the error does not show the value: ${run.stderr}`);
  }
});

contract('bad config sources exit non-zero', async () => {
  const directory = makeScratchDirectory('bad-config-');
  const files: Record<string, string> = { unknown: '{"prot": 1}', wrongType: '{"port": "abc"}', broken: '{port' };
  for (const [name, text] of Object.entries(files)) writeFileSync(`${directory}/${name}.json`, text);

  const cases: { args: string[]; environment?: Record<string, string>; names: string[] }[] = [
    { args: ['--config', `${directory}/unknown.json`], names: ['prot', 'unknown.json'] },
    { args: ['--config', `${directory}/wrongType.json`], names: ['abc', 'port', 'wrongType.json'] },
    { args: ['--config', `${directory}/broken.json`], names: ['broken.json', 'JSON'] },
    { args: ['--config', `${directory}/missing.json`], names: ['missing.json'] },
    { args: [], environment: { SQS_ACCELERATOR_PORT: 'abc' }, names: ['SQS_ACCELERATOR_PORT', 'abc'] },
    { args: [], environment: { SQS_ACCELERATOR_PARSER: 'fast' }, names: ['SQS_ACCELERATOR_PARSER', 'fast'] },
  ];
  for (const entry of cases) {
    const run = await runCli({ args: entry.args, environment: entry.environment });
    const label = `${entry.args.join(' ')} ${JSON.stringify(entry.environment ?? {})}`;
    assert.type(run.code, 'number', `${label} ended by signal ${run.signal}`);
    assert.is.not(run.code, 0, `${label} exited with 0`);
    for (const name of entry.names) assert.ok(run.stderr.includes(name), `${label}: the error does not name ${name}: ${run.stderr}`);
  }
});

contract('resend reports unusable input', async () => {
  const missing = await runCli({ args: ['resend', '/nonexistent/dead-letters.jsonl'], environment: ENVIRONMENT });
  assert.is.not(missing.code, 0);
  assert.ok(missing.stderr.includes('/nonexistent/dead-letters.jsonl'), missing.stderr);

  const directory = makeScratchDirectory('resend-input-');
  const file = `${directory}/letters.jsonl`;
  writeFileSync(file, `${JSON.stringify({ id: 'x', queue: 'e2e-cli', message: { body: 'resent' }, error: { code: 'E', message: 'm' }, time: new Date().toISOString() })}\n`);
  const withoutCredentials = await runCli({ args: ['resend', file, '--endpoint', fake!.endpoint, '--dead-letter-file', `${directory}/again.jsonl`] });
  assert.is.not(withoutCredentials.code, 0);
  assert.match(withoutCredentials.stderr, /AWS_ACCESS_KEY_ID/);
  assert.is(fake!.messages('e2e-cli').filter((message) => message.body === 'resent').length, 0);

  const sameFile = await runCli({ args: ['resend', file, '--endpoint', fake!.endpoint, '--dead-letter-file', file], environment: ENVIRONMENT });
  assert.is.not(sameFile.code, 0);
  assert.ok(sameFile.stderr.includes('--dead-letter-file'), sameFile.stderr);
});

contract('environment sets the port', async () => {
  const port = await freePort();
  const cli = await startCli({ args: ['--endpoint', fake!.endpoint, ...deadLetterArguments()], environment: { ...ENVIRONMENT, SQS_ACCELERATOR_PORT: String(port) } });
  assert.is(cli.port, port);
  assert.is((await request(`${cli.baseUrl}/healthz`)).status, 200);
  assert.is((await cli.stop()).code, 0);
});

contract('config file is honored', async () => {
  const directory = makeScratchDirectory('config-');
  const port = await freePort();
  const configFile = `${directory}/accelerator.json`;
  writeFileSync(configFile, JSON.stringify({ port, maxRequestMessages: 2, endpoint: fake!.endpoint, deadLetterFile: `${directory}/dead.jsonl` }));

  const cli = await startCli({ args: ['--config', configFile], environment: ENVIRONMENT });
  assert.is(cli.port, port);
  const lines = ['{"body":"one"}', '{"body":"two"}', '{"body":"three"}'].join('\n');
  const answer = await request(`${cli.baseUrl}/queues/e2e-cli/messages`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines });
  assert.is(answer.status, 413, answer.text);
  assert.is(answer.json.error.code, 'TOO_MANY_MESSAGES');
  assert.is((await cli.stop()).code, 0);
});

contract('flag overrides the config file', async () => {
  const directory = makeScratchDirectory('config-');
  const configFile = `${directory}/accelerator.json`;
  writeFileSync(configFile, JSON.stringify({ port: 1, endpoint: fake!.endpoint }));

  const cli = await startCli({ args: ['--config', configFile, '--port', '0', ...deadLetterArguments()], environment: ENVIRONMENT });
  assert.ok(cli.port > 1);
  assert.is((await cli.stop()).code, 0);
});

contract('local SQS needs no credentials', async () => {
  const cli = await startCli({ args: ['--port', '0', '--local-sqs', ...deadLetterArguments()] });
  const notice = cli.findLog('messages stay in memory');
  assert.ok(notice !== undefined, `no in-memory notice; output:\n${cli.stdout}`);
  assert.match(String(cli.findLog('sqs-accelerator started')?.endpoint), /^http:\/\/127\.0\.0\.1:\d+$/);

  const answer = await request(`${cli.baseUrl}/queues/demo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello from the e2e test' });
  assert.is(answer.status, 202, answer.text);
  const settled = await waitForSettled(cli.baseUrl, answer.json.id);
  assert.is(settled.state, 'sent');
  assert.type(settled.sqsMessageId, 'string');
  assert.is((await cli.stop()).code, 0);
});

contract('status reports a running instance', async () => {
  const cli = await startCli({ args: ['--port', '0', '--endpoint', fake!.endpoint, ...deadLetterArguments()], environment: ENVIRONMENT });
  const answer = await request(`${cli.baseUrl}/queues/e2e-cli`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'counted by status' });
  assert.is(answer.status, 202);

  const run = await runCli({ args: ['status', '--port', String(cli.port)] });
  assert.is(run.code, 0, run.stderr);
  const status = JSON.parse(run.stdout);
  assert.is(status.healthy, true);
  assert.is(status.stats.accepted, 1);
  assert.type(status.stats.pendingMessages, 'number');
  assert.is((await cli.stop()).code, 0);
});

contract('status fails without an instance', async () => {
  const port = await freePort();
  const run = await runCli({ args: ['status', '--port', String(port)] });
  assert.type(run.code, 'number');
  assert.is.not(run.code, 0, 'status exited with 0 without an instance');
  assert.ok(run.stderr.includes(String(port)), `the error does not name the port: ${run.stderr}`);
});

contract('stop ends an instance by pid file', async () => {
  const pidFile = `${makeScratchDirectory('pid-')}/accelerator.pid`;
  const cli = await startCli({ args: ['--port', '0', '--endpoint', fake!.endpoint, '--pid-file', pidFile, ...deadLetterArguments()], environment: ENVIRONMENT });
  assert.ok(existsSync(pidFile), 'the pid file was not written');

  const run = await runCli({ args: ['stop', '--pid-file', pidFile] });
  assert.is(run.code, 0, run.stderr);
  const exit = await cli.waitForExit();
  assert.is(exit.code, 0);
  assert.ok(cli.findLog('sqs-accelerator stopped') !== undefined);
  assert.not.ok(existsSync(pidFile), 'the pid file was left behind');

  const again = await runCli({ args: ['stop', '--pid-file', pidFile] });
  assert.ok(again.code !== 0, 'stop succeeded without a running instance');
});

contract('port in use exits non-zero', async () => {
  const first = await startCli({ args: ['--port', '0', '--endpoint', fake!.endpoint, ...deadLetterArguments()], environment: ENVIRONMENT });
  const run = await runCli({ args: ['--port', String(first.port), '--endpoint', fake!.endpoint, ...deadLetterArguments()], environment: ENVIRONMENT });
  assert.type(run.code, 'number');
  assert.is.not(run.code, 0, `a second instance on port ${first.port} exited with 0`);
  assert.ok(run.stderr.includes(String(first.port)), `the error does not name the port: ${run.stderr}`);
  assert.is((await first.stop()).code, 0);
});

contract('a running instance keeps its pid file', async () => {
  const pidFile = `${makeScratchDirectory('pid-')}/accelerator.pid`;
  const first = await startCli({ args: ['--port', '0', '--endpoint', fake!.endpoint, '--pid-file', pidFile, ...deadLetterArguments()], environment: ENVIRONMENT });
  const second = await runCli({ args: ['--port', '0', '--endpoint', fake!.endpoint, '--pid-file', pidFile, ...deadLetterArguments()], environment: ENVIRONMENT });
  assert.is.not(second.code, 0, 'a second instance took over the pid file');
  assert.match(second.stderr, /pid file/);
  assert.is(readFileSync(pidFile, 'utf8').trim(), String(first.child.pid), 'the pid file no longer names the first instance');

  const run = await runCli({ args: ['stop', '--pid-file', pidFile] });
  assert.is(run.code, 0, run.stderr);
  assert.is((await first.waitForExit()).code, 0);
});

contract('stop leaves other processes alone', async () => {
  const pidFile = `${makeScratchDirectory('pid-')}/stale.pid`;
  const unrelated = spawn('sleep', ['30']);
  try {
    writeFileSync(pidFile, `${unrelated.pid}\n`);
    const run = await runCli({ args: ['stop', '--pid-file', pidFile] });
    assert.is.not(run.code, 0, 'stop reported success for a process that is not the accelerator');
    assert.match(run.stderr, /not a running sqs-accelerator/);
    assert.is(unrelated.exitCode, null, 'the unrelated process was stopped');
    assert.is(unrelated.signalCode, null, 'the unrelated process got a signal');
  } finally {
    unrelated.kill('SIGKILL');
  }
});

contract('port in use with the emulator exits', async () => {
  const first = await startCli({ args: ['--port', '0', '--endpoint', fake!.endpoint, ...deadLetterArguments()], environment: ENVIRONMENT });
  const run = await runCli({ args: ['--port', String(first.port), '--local-sqs', ...deadLetterArguments()], timeoutMs: 20_000 });
  assert.is.not(run.code, 0);
  assert.match(run.stderr, /EADDRINUSE/);
  assert.is((await first.stop()).code, 0);
});

contract('emulator and endpoint together are rejected', async () => {
  const run = await runCli({ args: ['--local-sqs', '--endpoint', fake!.endpoint] });
  assert.is(run.code, 64);
  assert.match(run.stderr, /--local-sqs and --endpoint/);
});

contract('commands other than run refuse the emulator', async () => {
  const resend = await runCli({ args: ['resend', 'dead-letters.jsonl', '--local-sqs'] });
  assert.is(resend.code, 64);
  assert.match(resend.stderr, /--local-sqs applies only to running the daemon/);

  const status = await runCli({ args: ['status', '--pid-file', 'accelerator.pid'] });
  assert.is(status.code, 64);
  assert.match(status.stderr, /not by --pid-file/);
});

contract.run();
