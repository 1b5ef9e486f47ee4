import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DeadLetterWriter, readDeadLetters, type DeadLetterInput, type DeadLetterLine } from '../../src/accelerator/dead-letters.js';
import { AcceleratorError } from '../../src/accelerator/errors.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

let directory = '';

function letter(index: number, extra: Partial<DeadLetterInput> = {}): DeadLetterInput {
  return {
    id: `id-${index}`,
    queue: 'orders',
    message: { body: `body ${index} with "quotes", newline\n and ünïcödé 😀` },
    error: { code: 'QueueDoesNotExist', message: 'The specified queue does not exist.' },
    time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, index % 1000)),
    accessKeyId: 'AKIDEXAMPLE',
    ...extra,
  };
}

async function collect(path: string): Promise<DeadLetterLine[]> {
  const lines: DeadLetterLine[] = [];
  for await (const entry of readDeadLetters(path)) lines.push(entry);
  return lines;
}

async function captureRejection(promise: Promise<unknown>): Promise<AcceleratorError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, AcceleratorError);
    return error as AcceleratorError;
  }
  assert.unreachable('expected a rejection with AcceleratorError');
  throw new Error('unreachable');
}

const writer = suite('DeadLetterWriter');

writer.before.each(() => {
  directory = mkdtempSync(join(tmpdir(), 'dead-letters-test-'));
});
writer.after.each(() => {
  rmSync(directory, { recursive: true, force: true });
});

writer('creates parent directories and writes one line per letter', async () => {
  const path = join(directory, 'a', 'b', 'dead.jsonl');
  const deadLetters = await DeadLetterWriter.open(path);
  await Promise.all(Array.from({ length: 500 }, (_unused, index) => deadLetters.append(letter(index))));
  await deadLetters.close();

  const lines = readFileSync(path, 'utf8').split('\n');
  assert.is(lines.length, 501);
  assert.is(lines[500], '');
  for (let index = 0; index < 500; index++) {
    const parsed = JSON.parse(lines[index]);
    assert.is(parsed.id, `id-${index}`);
    assert.is(parsed.message.body, letter(index).message.body);
  }
  assert.is(deadLetters.written, 500);
});

writer('writes the documented fields', async () => {
  const path = join(directory, 'dead.jsonl');
  const deadLetters = await DeadLetterWriter.open(path);
  await deadLetters.append(
    letter(7, {
      message: {
        body: 'b',
        attributes: { raw: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 254, 255]) }, color: { DataType: 'String', StringValue: 'red' } },
        delaySeconds: 5,
        groupId: 'g',
        deduplicationId: 'd',
      },
    }),
  );
  await deadLetters.close();

  const parsed = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(parsed, {
    id: 'id-7',
    queue: 'orders',
    message: {
      body: 'b',
      attributes: { raw: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 254, 255]).toString('base64') }, color: { DataType: 'String', StringValue: 'red' } },
      delaySeconds: 5,
      groupId: 'g',
      deduplicationId: 'd',
    },
    error: { code: 'QueueDoesNotExist', message: 'The specified queue does not exist.' },
    time: '2026-01-02T03:04:05.007Z',
    accessKeyId: 'AKIDEXAMPLE',
  });
});

writer('never writes credentials passed along', async () => {
  const path = join(directory, 'dead.jsonl');
  const deadLetters = await DeadLetterWriter.open(path);
  const input = letter(1) as DeadLetterInput & { credentials: unknown; secretAccessKey: string };
  input.credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token' };
  input.secretAccessKey = SECRET;
  (input.message as Record<string, unknown>).credentials = { secretAccessKey: SECRET };
  await deadLetters.append(input);
  await deadLetters.close();

  const text = readFileSync(path, 'utf8');
  assert.not.ok(text.includes(SECRET));
  assert.not.ok(text.includes('token'));
  assert.ok(text.includes('AKIDEXAMPLE'));
});

writer('appends to an existing file', async () => {
  const path = join(directory, 'dead.jsonl');
  writeFileSync(path, '{"existing":true}\n');
  const deadLetters = await DeadLetterWriter.open(path);
  await deadLetters.append(letter(1));
  await deadLetters.close();

  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.is(lines.length, 2);
  assert.is(lines[0], '{"existing":true}');
});

writer('creates the file readable by its owner only', async () => {
  const path = join(directory, 'dead.jsonl');
  const deadLetters = await DeadLetterWriter.open(path);
  await deadLetters.close();
  assert.is(statSync(path).mode & 0o777, 0o600);
});

writer('rejects an append after close', async () => {
  const deadLetters = await DeadLetterWriter.open(join(directory, 'dead.jsonl'));
  await deadLetters.close();
  await deadLetters.close();
  const error = await captureRejection(deadLetters.append(letter(1)));
  assert.is(error.code, 'DEAD_LETTER_FILE_FAILED');
});

writer('reports a parent that is a file', async () => {
  const blocker = join(directory, 'blocker');
  writeFileSync(blocker, 'not a directory');
  const error = await captureRejection(DeadLetterWriter.open(join(blocker, 'sub', 'dead.jsonl')));
  assert.is(error.code, 'DEAD_LETTER_FILE_FAILED');
  assert.is(error.status, 500);
  assert.ok(error.message.includes(blocker), error.message);
  assert.match(error.message, /ENOTDIR|EEXIST/);
  assert.match(error.message, /--dead-letter-file/);
});

writer('reports a path that is a directory', async () => {
  const error = await captureRejection(DeadLetterWriter.open(directory));
  assert.is(error.code, 'DEAD_LETTER_FILE_FAILED');
  assert.match(error.message, /EISDIR/);
});

writer.run();

const reader = suite('readDeadLetters');

reader.before.each(() => {
  directory = mkdtempSync(join(tmpdir(), 'dead-letters-test-'));
});
reader.after.each(() => {
  rmSync(directory, { recursive: true, force: true });
});

reader('reads back what the writer wrote', async () => {
  const path = join(directory, 'dead.jsonl');
  const deadLetters = await DeadLetterWriter.open(path);
  const inputs = [letter(1), letter(2, { message: { body: 'x', attributes: { n: { DataType: 'Number', StringValue: '5' } }, groupId: 'g' } }), letter(3, { accessKeyId: undefined })];
  for (const input of inputs) await deadLetters.append(input);
  await deadLetters.close();

  const lines = await collect(path);
  assert.is(lines.length, 3);
  for (let index = 0; index < 3; index++) {
    const entry = lines[index];
    assert.is(entry.line, index + 1);
    assert.is(entry.error, undefined);
    assert.is(entry.letter?.id, inputs[index].id);
    assert.equal(entry.letter?.message, JSON.parse(JSON.stringify(inputs[index].message)));
    assert.is(entry.letter?.time, inputs[index].time?.toISOString());
    assert.is(entry.letter?.accessKeyId, inputs[index].accessKeyId);
  }
});

reader('keeps an attribute named __proto__', async () => {
  const path = join(directory, 'proto.jsonl');
  const deadLetters = await DeadLetterWriter.open(path);
  const attributes = JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "p"}}');
  await deadLetters.append(letter(1, { message: { body: 'b', attributes } }));
  await deadLetters.close();

  const [entry] = await collect(path);
  assert.equal(Object.keys(entry.letter?.message.attributes ?? {}), ['__proto__']);
  assert.ok(readFileSync(path, 'utf8').includes('"__proto__":{"DataType":"String","StringValue":"p"}'));
});

reader('reports bad lines and keeps the good ones', async () => {
  const good = (id: string): string => JSON.stringify({ id, queue: 'q', message: { body: 'b' }, error: { code: 'X', message: 'y' }, time: '2026-01-01T00:00:00.000Z' });
  const path = join(directory, 'mixed.jsonl');
  const content = Buffer.concat([
    Buffer.from(`${good('one')}\r\n`),
    Buffer.from('not json\n'),
    Buffer.from('\n'),
    Buffer.from(`${JSON.stringify({ id: 'no-queue', message: { body: 'b' } })}\n`),
    Buffer.from(`${JSON.stringify({ id: 'no-body', queue: 'q', message: {} })}\n`),
    Buffer.from([0x7b, 0xff, 0x7d, 0x0a]),
    Buffer.from(`${good('seven')}`),
  ]);
  writeFileSync(path, content);

  const lines = await collect(path);
  assert.equal(
    lines.map((entry) => [entry.line, entry.letter?.id ?? entry.error?.code]),
    [
      [1, 'one'],
      [2, 'INVALID_DEAD_LETTER'],
      [4, 'INVALID_DEAD_LETTER'],
      [5, 'MISSING_BODY'],
      [6, 'INVALID_UTF8'],
      [7, 'seven'],
    ],
  );
  assert.is(lines[2].error?.field, 'line 4: queue');
  assert.is(lines[3].error?.field, 'line 5: message.body');
  assert.ok(lines[1].error?.message.startsWith('line 2:'));
});

reader('reads lines longer than a stream chunk', async () => {
  const path = join(directory, 'long.jsonl');
  const body = 'x'.repeat(1_048_576);
  const record = JSON.stringify({ id: 'long', queue: 'q', message: { body }, error: { code: 'X', message: 'y' }, time: '2026-01-01T00:00:00.000Z' });
  writeFileSync(path, `${record}\n${record}\n`);

  const lines = await collect(path);
  assert.is(lines.length, 2);
  assert.is(lines[1].line, 2);
  assert.is(lines[1].error, undefined);
  assert.is(lines[1].letter?.message.body.length, body.length);
});

reader('rejects a missing file', async () => {
  const error = await captureRejection(collect(join(directory, 'missing.jsonl')));
  assert.is(error.code, 'DEAD_LETTER_FILE_FAILED');
  assert.match(error.message, /ENOENT/);
});

reader.run();
