import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AcceleratorError, previewValue } from '../../src/accelerator/errors.js';
import { measureMessageText, type MessageInput } from '../../src/accelerator/message.js';
import { describeNumberProblem, measureBase64 } from '../../src/accelerator/validate-attributes.js';
import { findMessageProblems, validateMessage, validateMessageLines, validateQueueName, SQS_MAX_MESSAGE_BYTES } from '../../src/accelerator/validate.js';

function captureError(action: () => unknown): AcceleratorError {
  try {
    action();
  } catch (error) {
    assert.instance(error, AcceleratorError);
    return error as AcceleratorError;
  }
  assert.unreachable('expected an AcceleratorError, but nothing was thrown');
  throw new Error('unreachable');
}

const queueNames = suite('validateQueueName');

const goodQueueNames = ['a', 'orders', 'Orders_2024-v1', 'x'.repeat(80), 'x'.repeat(75) + '.fifo', 'a.fifo'];
for (const name of goodQueueNames) {
  queueNames(`accepts ${name.length > 20 ? `${name.length} characters` : name}`, () => {
    validateQueueName(name);
  });
}

const badQueueNames = ['', 'x'.repeat(81), 'x'.repeat(76) + '.fifo', '.fifo', 'has space', 'dot.name', 'slash/name', 'émoji', 'a.FIFO'];
for (const name of badQueueNames) {
  queueNames(`rejects ${JSON.stringify(name.length > 20 ? `${name.length} characters` : name)}`, () => {
    const error = captureError(() => validateQueueName(name));
    assert.is(error.code, 'INVALID_QUEUE_NAME');
    assert.is(error.status, 400);
    assert.is(error.field, 'queue');
  });
}

queueNames.run();

const bodies = suite('message body');

bodies('counts UTF-8 bytes of every character class', () => {
  const body = 'tab\tnewline\ncr\r ascii é € 😀 \u{10FFFF} \uE000 \uFFFD';
  assert.is(validateMessage('q', { body }), Buffer.byteLength(body, 'utf8'));
});

const badCharacters: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['vertical tab', '\u000B'],
  ['unit separator', 'x\u001F'],
  ['U+FFFE', '\uFFFE'],
  ['U+FFFF', 'ok\uFFFF'],
  ['lone leading surrogate at end', 'abc\uD83D'],
  ['lone leading surrogate before text', '\uD83Dabc'],
  ['lone trailing surrogate', '\uDE00'],
];
for (const [label, body] of badCharacters) {
  bodies(`rejects ${label}`, () => {
    const error = captureError(() => validateMessage('q', { body }));
    assert.is(error.code, 'INVALID_CHARACTERS');
    assert.is(error.field, 'body');
    assert.is(error.status, 400);
    assert.match(error.message, /U\+[0-9A-F]{4}/);
  });
}

bodies('rejects an empty body', () => {
  const error = captureError(() => validateMessage('q', { body: '' }));
  assert.is(error.code, 'MISSING_BODY');
  assert.is(error.field, 'body');
});

bodies('rejects a body that is not a string', () => {
  const error = captureError(() => validateMessage('q', { body: 42 } as unknown as MessageInput));
  assert.is(error.code, 'MISSING_BODY');
});

bodies('accepts exactly 1 MiB and rejects one byte more', () => {
  const exact = 'a'.repeat(SQS_MAX_MESSAGE_BYTES);
  assert.is(validateMessage('q', { body: exact }), 1_048_576);

  const error = captureError(() => validateMessage('q', { body: exact + 'b' }));
  assert.is(error.code, 'MESSAGE_TOO_LARGE');
  assert.is(error.status, 413);
  assert.ok(error.message.length < 300, 'the message must not echo the body');
  assert.ok(error.message.includes('1048577'));
});

bodies('counts multi-byte characters towards the limit', () => {
  // 349,525 three-byte characters are 1,048,575 bytes; one more ASCII byte fits, two do not.
  const euros = '€'.repeat(349_525);
  assert.is(validateMessage('q', { body: euros + 'a' }), 1_048_576);
  assert.is(captureError(() => validateMessage('q', { body: euros + 'ab' })).status, 413);
});

bodies('takes the size limit as a parameter', () => {
  assert.is(validateMessage('q', { body: 'abcd' }, { maxMessageBytes: 4 }), 4);
  const error = captureError(() => validateMessage('q', { body: 'abcde' }, { maxMessageBytes: 4 }));
  assert.is(error.code, 'MESSAGE_TOO_LARGE');
});

/** Checks text one code point at a time against the allowed ranges, as a reference for measureMessageText. */
function referenceMeasure(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; ) {
    const code = text.codePointAt(index) as number;
    const allowed =
      code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) return -(index + 1);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code < 0x10000) bytes += 3;
    else bytes += 4;
    index += code >= 0x10000 ? 2 : 1;
  }
  return bytes;
}

bodies('agrees with a code point reference on random text', () => {
  const units = [0x0, 0x9, 0xa, 0xb, 0xd, 0x1f, 0x20, 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xfffe, 0xffff];
  let seed = 99;
  for (let round = 0; round < 20_000; round++) {
    let text = '';
    for (let index = 0; index < 1 + (round % 9); index++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      text += String.fromCharCode(units[(seed >>> 8) % units.length]);
    }
    assert.is(measureMessageText(text), referenceMeasure(text), JSON.stringify(text));
  }
});

bodies.run();

const attributes = suite('message attributes');

attributes('counts name, data type and value bytes', () => {
  const message: MessageInput = {
    body: 'b',
    attributes: {
      color: { DataType: 'String', StringValue: 'grün' },
      count: { DataType: 'Number.int', StringValue: '12' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3, 4, 5]).toString('base64') },
    },
  };
  const expected =
    1 +
    Buffer.byteLength('color' + 'String' + 'grün') +
    Buffer.byteLength('count' + 'Number.int' + '12') +
    Buffer.byteLength('blob' + 'Binary') +
    5;
  assert.is(validateMessage('q', message), expected);
});

attributes('attributes count towards the size limit', () => {
  const value = 'v'.repeat(1000);
  const bodyLength = SQS_MAX_MESSAGE_BYTES - Buffer.byteLength('a' + 'String' + value);
  const message = { body: 'x'.repeat(bodyLength), attributes: { a: { DataType: 'String', StringValue: value } } };
  assert.is(validateMessage('q', message), SQS_MAX_MESSAGE_BYTES);

  const error = captureError(() => validateMessage('q', { ...message, body: message.body + 'x' }));
  assert.is(error.code, 'MESSAGE_TOO_LARGE');
  assert.is(error.status, 413);
});

attributes('accepts 10 attributes and rejects 11', () => {
  const ten: Record<string, { DataType: string; StringValue: string }> = {};
  for (let index = 0; index < 10; index++) ten[`a${index}`] = { DataType: 'String', StringValue: 'v' };
  validateMessage('q', { body: 'b', attributes: ten });

  const error = captureError(() => validateMessage('q', { body: 'b', attributes: { ...ten, eleventh: { DataType: 'String', StringValue: 'v' } } }));
  assert.is(error.code, 'TOO_MANY_ATTRIBUTES');
  assert.is(error.field, 'attributes');
});

const goodNames = ['a', 'A-b_c.d', 'x'.repeat(256), 'AWS', 'awsome.thing', 'Amazonian', 'my.AWS.name'];
for (const name of goodNames) {
  attributes(`accepts name ${name.length > 20 ? `of ${name.length} characters` : name}`, () => {
    validateMessage('q', { body: 'b', attributes: { [name]: { DataType: 'String', StringValue: 'v' } } });
  });
}

const badNames = ['', 'x'.repeat(257), 'AWS.trace', 'aws.x', 'Amazon.x', 'AMAZON.x', '.lead', 'trail.', 'a..b', 'with space', 'ü', 'a/b'];
for (const name of badNames) {
  attributes(`rejects name ${JSON.stringify(name.length > 20 ? `${name.length} characters` : name)}`, () => {
    const error = captureError(() => validateMessage('q', { body: 'b', attributes: { [name]: { DataType: 'String', StringValue: 'v' } } }));
    assert.is(error.code, 'INVALID_ATTRIBUTE_NAME');
    assert.ok(error.field.startsWith('attributes.'));
  });
}

const goodTypes: Array<[string, { DataType: string; StringValue?: string; BinaryValue?: string }]> = [
  ['String', { DataType: 'String', StringValue: 'x' }],
  ['String with label', { DataType: 'String.json', StringValue: '{}' }],
  ['Number', { DataType: 'Number', StringValue: '-1.5e3' }],
  ['Binary with label', { DataType: 'Binary.gif', BinaryValue: 'R0lGODlh' }],
  ['256-character type', { DataType: 'String.' + 'l'.repeat(249), StringValue: 'x' }],
];
for (const [label, attribute] of goodTypes) {
  attributes(`accepts type ${label}`, () => {
    validateMessage('q', { body: 'b', attributes: { a: attribute } });
  });
}

const badAttributes: Array<[string, unknown, string, string]> = [
  ['unknown type', { DataType: 'Text', StringValue: 'x' }, 'INVALID_ATTRIBUTE_TYPE', 'attributes.a.DataType'],
  ['lower-case type', { DataType: 'string', StringValue: 'x' }, 'INVALID_ATTRIBUTE_TYPE', 'attributes.a.DataType'],
  ['empty label', { DataType: 'String.', StringValue: 'x' }, 'INVALID_ATTRIBUTE_TYPE', 'attributes.a.DataType'],
  ['257-character type', { DataType: 'String.' + 'l'.repeat(250), StringValue: 'x' }, 'INVALID_ATTRIBUTE_TYPE', 'attributes.a.DataType'],
  ['missing type', { StringValue: 'x' }, 'INVALID_ATTRIBUTE_TYPE', 'attributes.a.DataType'],
  ['empty string value', { DataType: 'String', StringValue: '' }, 'INVALID_ATTRIBUTE_VALUE', 'attributes.a.StringValue'],
  ['missing string value', { DataType: 'String' }, 'INVALID_ATTRIBUTE_VALUE', 'attributes.a.StringValue'],
  ['string value with NUL', { DataType: 'String', StringValue: 'a\u0000' }, 'INVALID_CHARACTERS', 'attributes.a.StringValue'],
  ['binary value on a String', { DataType: 'String', StringValue: 'x', BinaryValue: 'AA==' }, 'INVALID_ATTRIBUTE_VALUE', 'attributes.a.BinaryValue'],
  ['string value on a Binary', { DataType: 'Binary', StringValue: 'x' }, 'INVALID_ATTRIBUTE_VALUE', 'attributes.a.StringValue'],
  ['bad base64', { DataType: 'Binary', BinaryValue: 'not base64!' }, 'INVALID_ATTRIBUTE_VALUE', 'attributes.a.BinaryValue'],
  ['unpadded base64', { DataType: 'Binary', BinaryValue: 'AAA' }, 'INVALID_ATTRIBUTE_VALUE', 'attributes.a.BinaryValue'],
  ['not a number', { DataType: 'Number', StringValue: 'twelve' }, 'INVALID_ATTRIBUTE_VALUE', 'attributes.a.StringValue'],
  ['list values', { DataType: 'String', StringValue: 'x', StringListValues: ['y'] }, 'INVALID_ATTRIBUTE_VALUE', 'attributes.a.StringListValues'],
  ['plain string', 'x', 'INVALID_ATTRIBUTE_VALUE', 'attributes.a'],
];
for (const [label, attribute, code, field] of badAttributes) {
  attributes(`rejects ${label}`, () => {
    const message = { body: 'b', attributes: { a: attribute } } as unknown as MessageInput;
    const error = captureError(() => validateMessage('q', message));
    assert.is(error.code, code);
    assert.is(error.field, field);
    assert.is(error.status, 400);
  });
}

attributes('reports every problem in one pass', () => {
  const message = {
    body: '',
    attributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' }, ok: { DataType: 'Nope', StringValue: 'v' } },
    delaySeconds: 901,
  };
  const codes = findMessageProblems('q', message).problems.map((problem) => problem.code);
  assert.equal(codes, ['MISSING_BODY', 'INVALID_ATTRIBUTE_NAME', 'INVALID_ATTRIBUTE_TYPE', 'INVALID_DELAY_SECONDS']);
});

attributes.run();

const numbers = suite('Number attribute values');

const goodNumbers = ['0', '-0', '42', '+7', '-1.5', '.5', '5.', '1e10', '6.02E23', '0.000', '1' + '0'.repeat(125), '1e126', '1e-128', '9'.repeat(38), '0.' + '9'.repeat(38), '12345678901234567890123456789012345678e-100', '000123'];
for (const value of goodNumbers) {
  numbers(`accepts ${value.length > 20 ? `${value.slice(0, 12)}... (${value.length})` : value}`, () => {
    assert.is(describeNumberProblem(value), undefined);
  });
}

const badNumbers = ['', ' 1', '1 ', '1,5', '0x10', 'NaN', 'Infinity', '1e', 'e5', '--1', '.', '9'.repeat(39), '1.' + '1'.repeat(38), '1e127', '2e126', '1.1e126', '1e-129', '9e-129'];
for (const value of badNumbers) {
  numbers(`rejects ${JSON.stringify(value.length > 20 ? `${value.slice(0, 12)}... (${value.length})` : value)}`, () => {
    assert.type(describeNumberProblem(value), 'string');
  });
}

numbers('agrees with Number parsing on simple values', () => {
  for (const value of ['3', '-2.25', '1e5', '.125']) assert.ok(Number.isFinite(Number(value)) && describeNumberProblem(value) === undefined);
});

numbers.run();

const base64 = suite('measureBase64');

base64('matches Buffer decoding for every length up to 20', () => {
  for (let length = 0; length <= 20; length++) {
    const bytes = Buffer.alloc(length, 0xfb);
    assert.is(measureBase64(bytes.toString('base64')), length);
  }
});

const badBase64 = ['A', 'AB', 'ABC', 'A===', '=AAA', 'AA=A', 'AA-_', 'AA AA', 'AAA\n'];
for (const text of badBase64) {
  base64(`rejects ${JSON.stringify(text)}`, () => {
    assert.is(measureBase64(text), -1);
  });
}

base64.run();

const queueRules = suite('FIFO and standard queue rules');

queueRules('accepts delaySeconds 0 and 900 on a standard queue', () => {
  validateMessage('q', { body: 'b', delaySeconds: 0 });
  validateMessage('q', { body: 'b', delaySeconds: 900 });
});

const badDelays: unknown[] = [-1, 901, 1.5, '5', Number.NaN, null];
for (const delay of badDelays) {
  queueRules(`rejects delaySeconds ${String(delay)}`, () => {
    const error = captureError(() => validateMessage('q', { body: 'b', delaySeconds: delay } as unknown as MessageInput));
    assert.is(error.code, 'INVALID_DELAY_SECONDS');
    assert.is(error.field, 'delaySeconds');
  });
}

queueRules('rejects delaySeconds on a FIFO queue', () => {
  const error = captureError(() => validateMessage('q.fifo', { body: 'b', groupId: 'g', delaySeconds: 0 }));
  assert.is(error.code, 'DELAY_SECONDS_ON_FIFO');
});

queueRules('requires groupId on a FIFO queue', () => {
  const error = captureError(() => validateMessage('q.fifo', { body: 'b' }));
  assert.is(error.code, 'MISSING_GROUP_ID');
  assert.is(error.field, 'groupId');
});

queueRules('accepts groupId on a standard queue for fair queues', () => {
  validateMessage('q', { body: 'b', groupId: 'tenant-1' });
});

queueRules('rejects deduplicationId on a standard queue', () => {
  const error = captureError(() => validateMessage('q', { body: 'b', deduplicationId: 'd' }));
  assert.is(error.code, 'DEDUPLICATION_ID_ON_STANDARD');
});

const punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const goodIds = ['a', 'x'.repeat(128), punctuation, 'Az09' + punctuation];
for (const id of goodIds) {
  queueRules(`accepts FIFO ids ${id.length > 20 ? `of ${id.length} characters` : id}`, () => {
    validateMessage('q.fifo', { body: 'b', groupId: id, deduplicationId: id });
  });
}

const badIds: unknown[] = ['', 'x'.repeat(129), 'with space', 'tab\t', 'é', 7];
for (const id of badIds) {
  queueRules(`rejects FIFO ids ${JSON.stringify(typeof id === 'string' && id.length > 20 ? `${id.length} characters` : id)}`, () => {
    const groupError = captureError(() => validateMessage('q.fifo', { body: 'b', groupId: id } as unknown as MessageInput));
    assert.is(groupError.code, 'INVALID_GROUP_ID');
    const deduplicationError = captureError(() => validateMessage('q.fifo', { body: 'b', groupId: 'g', deduplicationId: id } as unknown as MessageInput));
    assert.is(deduplicationError.code, 'INVALID_DEDUPLICATION_ID');
    assert.is(deduplicationError.field, 'deduplicationId');
  });
}

queueRules('rejects a message for an invalid queue name', () => {
  const error = captureError(() => validateMessage('bad name', { body: 'b' }));
  assert.is(error.code, 'INVALID_QUEUE_NAME');
});

queueRules.run();

const lines = suite('validateMessageLines');

lines('returns each size in order', () => {
  const sizes = validateMessageLines('q', [
    { line: 1, message: { body: 'ab' } },
    { line: 3, message: { body: 'é', attributes: { k: { DataType: 'String', StringValue: 'v' } } } },
  ]);
  assert.equal(sizes, [2, Buffer.byteLength('é') + Buffer.byteLength('kStringv')]);
});

lines('names the line of the first bad message', () => {
  const error = captureError(() =>
    validateMessageLines('q.fifo', [
      { line: 1, message: { body: 'a', groupId: 'g' } },
      { line: 4, message: { body: 'b' } },
      { line: 5, message: { body: '' } },
    ]),
  );
  assert.is(error.code, 'MISSING_GROUP_ID');
  assert.is(error.field, 'line 4: groupId');
  assert.ok(error.message.startsWith('line 4: '));
});

lines('keeps 413 for an oversized line', () => {
  const error = captureError(() => validateMessageLines('q', [{ line: 2, message: { body: 'abc' } }], { maxMessageBytes: 2 }));
  assert.is(error.status, 413);
  assert.is(error.field, 'line 2: body');
});

lines('rejects an invalid queue name once', () => {
  assert.is(captureError(() => validateMessageLines('bad/queue', [])).code, 'INVALID_QUEUE_NAME');
});

lines.run();

const previews = suite('previewValue');

previews('shows short values whole and cuts long ones', () => {
  assert.is(previewValue('abc'), '"abc"');
  assert.is(previewValue(12), '12');
  const long = previewValue('z'.repeat(10_000));
  assert.ok(long.length < 100);
  assert.match(long, /9960 more characters/);
});

previews('never cuts a surrogate pair in half', () => {
  const text = 'a'.repeat(39) + '😀' + 'b'.repeat(100);
  const preview = previewValue(text);
  assert.not.match(preview, /\uD83D"/);
  assert.is(measureLoneSurrogates(preview), 0);
});

function measureLoneSurrogates(text: string): number {
  return (text.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g) ?? []).length;
}

previews.run();
