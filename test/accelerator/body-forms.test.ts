import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseContentType, parseMessageBody, parseMessageLines, readJsonMessage } from '../../src/accelerator/body-forms.js';
import { AcceleratorError } from '../../src/accelerator/errors.js';
import { findInvalidUtf8Offset } from '../../src/accelerator/utf8.js';
import { validateMessage } from '../../src/accelerator/validate.js';

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

const FORM = 'application/x-www-form-urlencoded';

const forms = suite('form bodies');

forms('reads message_body with URLSearchParams encoding', () => {
  const text = 'héllo wörld & more = 100% 😀\n';
  const encoded = new URLSearchParams({ message_body: text }).toString();
  const message = parseMessageBody(FORM, Buffer.from(encoded));
  assert.equal(message, { body: text });
});

forms('reads optional fields', () => {
  const encoded = new URLSearchParams({ message_body: 'b', delay_seconds: '30', group_id: 'g1', deduplication_id: 'd1' }).toString();
  const message = parseMessageBody(`${FORM}; charset=UTF-8`, Buffer.from(encoded));
  assert.equal(message, { body: 'b', delaySeconds: 30, groupId: 'g1', deduplicationId: 'd1' });
});

forms('treats empty optional fields as absent', () => {
  const message = parseMessageBody(FORM, Buffer.from('message_body=b&delay_seconds=&group_id=&deduplication_id='));
  assert.equal(message, { body: 'b' });
});

forms('keeps an empty message_body for validation', () => {
  const message = parseMessageBody(FORM, Buffer.from('message_body='));
  assert.is(message.body, '');
  assert.is(captureError(() => validateMessage('q', message)).code, 'MISSING_BODY');
});

const badForms: Array<[string, string, string, string]> = [
  ['missing message_body', 'delay_seconds=5', 'MISSING_BODY', 'message_body'],
  ['unknown field', 'message_body=a&messagebody=b', 'UNKNOWN_FIELD', 'messagebody'],
  ['duplicate field', 'message_body=a&message_body=b', 'INVALID_FORM', 'message_body'],
  ['bad percent escape', 'message_body=100%', 'INVALID_FORM', 'message_body'],
  ['non-hex percent escape', 'message_body=%zz', 'INVALID_FORM', 'message_body'],
  ['invalid UTF-8 escape', 'message_body=%C3%28', 'INVALID_UTF8', 'message_body'],
  ['text delay', 'message_body=a&delay_seconds=ten', 'INVALID_FIELD', 'delay_seconds'],
  ['negative delay', 'message_body=a&delay_seconds=-1', 'INVALID_FIELD', 'delay_seconds'],
];
for (const [label, body, code, field] of badForms) {
  forms(`rejects ${label}`, () => {
    const error = captureError(() => parseMessageBody(FORM, Buffer.from(body)));
    assert.is(error.code, code);
    assert.is(error.field, field);
    assert.is(error.status, 400);
  });
}

forms('rejects a charset other than UTF-8', () => {
  const error = captureError(() => parseMessageBody(`${FORM}; charset=iso-8859-1`, Buffer.from('message_body=a')));
  assert.is(error.code, 'UNSUPPORTED_CHARSET');
  assert.is(error.status, 415);
});

forms.run();

const json = suite('JSON bodies');

json('reads every field and attribute shape', () => {
  const input = {
    body: '{"order": 7}',
    attributes: {
      color: 'red',
      count: 12,
      ratio: -0.25,
      raw: { DataType: 'Binary', BinaryValue: Buffer.from('bytes').toString('base64') },
      typed: { DataType: 'String.json', StringValue: '[]' },
    },
    delaySeconds: 5,
    groupId: 'g',
    deduplicationId: 'd',
  };
  const message = parseMessageBody('application/json', Buffer.from(JSON.stringify(input)));
  assert.equal(message, {
    body: input.body,
    attributes: {
      color: { DataType: 'String', StringValue: 'red' },
      count: { DataType: 'Number', StringValue: '12' },
      ratio: { DataType: 'Number', StringValue: '-0.25' },
      raw: input.attributes.raw,
      typed: input.attributes.typed,
    },
    delaySeconds: 5,
    groupId: 'g',
    deduplicationId: 'd',
  });
});

json('converts large numbers to valid Number values', () => {
  const message = readJsonMessage({ body: 'b', attributes: { big: 1e21, small: 5e-7 } });
  validateMessage('q', message);
  assert.is(Number(message.attributes?.big.StringValue), 1e21);
  assert.is(Number(message.attributes?.small.StringValue), 5e-7);
});

json('keeps an attribute named __proto__ as an own property', () => {
  const message = parseMessageBody('application/json', Buffer.from('{"body":"b","attributes":{"__proto__":"x","plain":"y"}}'));
  const attributes = message.attributes as Record<string, unknown>;
  assert.equal(Object.keys(attributes), ['__proto__', 'plain']);
  assert.is(Object.getPrototypeOf(attributes), Object.prototype);
  assert.equal(JSON.parse(JSON.stringify(attributes)).__proto__, { DataType: 'String', StringValue: 'x' });
  assert.is(validateMessage('q', message), 1 + Buffer.byteLength('__proto__Stringx') + Buffer.byteLength('plainStringy'));
});

json('accepts +json media types and null optional fields', () => {
  const message = parseMessageBody('application/vnd.example+json', Buffer.from('{"body":"b","attributes":null,"groupId":null}'));
  assert.equal(message, { body: 'b' });
});

const badJson: Array<[string, string, string, string]> = [
  ['syntax error', '{"body": "a",}', 'INVALID_JSON', 'body'],
  ['array', '[{"body": "a"}]', 'INVALID_FIELD', ''],
  ['missing body', '{"attributes": {}}', 'MISSING_BODY', 'body'],
  ['numeric body', '{"body": 5}', 'INVALID_FIELD', 'body'],
  ['unknown key', '{"body": "a", "MessageBody": "b"}', 'UNKNOWN_FIELD', 'MessageBody'],
  ['boolean attribute', '{"body": "a", "attributes": {"flag": true}}', 'INVALID_FIELD', 'attributes.flag'],
  ['array attributes', '{"body": "a", "attributes": ["x"]}', 'INVALID_FIELD', 'attributes'],
  ['string delay', '{"body": "a", "delaySeconds": "5"}', 'INVALID_FIELD', 'delaySeconds'],
  ['numeric groupId', '{"body": "a", "groupId": 5}', 'INVALID_FIELD', 'groupId'],
];
for (const [label, body, code, field] of badJson) {
  json(`rejects ${label}`, () => {
    const error = captureError(() => parseMessageBody('application/json', Buffer.from(body)));
    assert.is(error.code, code);
    assert.is(error.field, field);
    assert.is(error.status, 400);
  });
}

json('ignores a byte order mark', () => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"body":"b"}')]);
  assert.equal(parseMessageBody('application/json', bytes), { body: 'b' });
  assert.equal(parseMessageLines(bytes), [{ line: 1, message: { body: 'b' } }]);
});

json('does not echo a long invalid body', () => {
  const body = '{"body": "' + 'secret'.repeat(10_000) + '"';
  const error = captureError(() => parseMessageBody('application/json', Buffer.from(body)));
  assert.is(error.code, 'INVALID_JSON');
  assert.ok(error.message.length < 300);
});

json.run();

const raw = suite('raw bodies');

raw('takes any other content type as the message text', () => {
  const text = 'plain text with ünïcödé and 😀\r\n';
  assert.equal(parseMessageBody('text/plain', Buffer.from(text)), { body: text });
  assert.equal(parseMessageBody(undefined, Buffer.from(text)), { body: text });
  assert.equal(parseMessageBody('application/octet-stream', Buffer.from(text)), { body: text });
});

raw('keeps a byte order mark', () => {
  const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x61]);
  assert.is(parseMessageBody('text/plain', bytes).body, '\uFEFFa');
});

raw('rejects invalid UTF-8 with its offset', () => {
  const bytes = Buffer.concat([Buffer.from('abc'), Buffer.from([0xff]), Buffer.from('def')]);
  const error = captureError(() => parseMessageBody('text/plain', bytes));
  assert.is(error.code, 'INVALID_UTF8');
  assert.is(error.field, 'body');
  assert.match(error.message, /offset 3/);
});

raw('rejects a non-UTF-8 charset', () => {
  assert.is(captureError(() => parseMessageBody('text/plain; charset="windows-1252"', Buffer.from('a'))).code, 'UNSUPPORTED_CHARSET');
});

raw('parses Content-Type parameters', () => {
  assert.equal(parseContentType(' Text/Plain ; format=flowed; CHARSET="UTF-8"'), { mediaType: 'text/plain', charset: 'utf-8' });
  assert.equal(parseContentType(undefined), { mediaType: '', charset: undefined });
});

raw.run();

const lines = suite('NDJSON bodies');

lines('reads one message per line and skips blank lines', () => {
  const body = '{"body":"one"}\n\n  \r\n{"body":"two","groupId":"g"}\r\n{"body":"three"}';
  const result = parseMessageLines(Buffer.from(body));
  assert.equal(result, [
    { line: 1, message: { body: 'one' } },
    { line: 4, message: { body: 'two', groupId: 'g' } },
    { line: 5, message: { body: 'three' } },
  ]);
});

lines('accepts exactly the maximum and rejects one more', () => {
  const five = '{"body":"x"}\n'.repeat(5);
  assert.is(parseMessageLines(Buffer.from(five), { maxMessages: 5 }).length, 5);

  const error = captureError(() => parseMessageLines(Buffer.from(five + '{"body":"y"}\n'), { maxMessages: 5 }));
  assert.is(error.code, 'TOO_MANY_MESSAGES');
  assert.is(error.status, 413);
  assert.is(error.field, 'line 6');
});

lines('defaults to at most 1000 messages', () => {
  assert.is(parseMessageLines(Buffer.from('{"body":"x"}\n'.repeat(1000))).length, 1000);
  assert.is(captureError(() => parseMessageLines(Buffer.from('{"body":"x"}\n'.repeat(1001)))).code, 'TOO_MANY_MESSAGES');
});

const badLines: Array<[string, string, string, string]> = [
  ['bad JSON on line 3', '{"body":"a"}\n{"body":"b"}\n{"body":\n', 'INVALID_JSON', 'line 3'],
  ['missing body on line 2', '{"body":"a"}\n{"groupId":"g"}\n', 'MISSING_BODY', 'line 2: body'],
  ['unknown key after a blank line', '{"body":"a"}\n\n{"body":"b","x":1}\n', 'UNKNOWN_FIELD', 'line 3: x'],
  ['no messages at all', '\n  \n\r\n', 'MISSING_BODY', ''],
];
for (const [label, body, code, field] of badLines) {
  lines(`rejects ${label}`, () => {
    const error = captureError(() => parseMessageLines(Buffer.from(body)));
    assert.is(error.code, code);
    assert.is(error.field, field);
    if (field !== '') assert.ok(error.message.startsWith(field.split(':')[0] + ':'), error.message);
  });
}

lines('rejects invalid UTF-8 naming its line', () => {
  const body = Buffer.concat([Buffer.from('{"body":"a"}\n{"body":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}\n')]);
  const error = captureError(() => parseMessageLines(body));
  assert.is(error.code, 'INVALID_UTF8');
  assert.is(error.field, 'line 2');
});

lines.run();

const utf8 = suite('findInvalidUtf8Offset');

const invalidSequences: Array<[string, number[], number]> = [
  ['stray continuation byte', [0x61, 0x80], 1],
  ['overlong slash', [0xc0, 0xaf], 0],
  ['overlong three-byte form', [0x61, 0x62, 0xe0, 0x80, 0xaf], 2],
  ['UTF-16 surrogate', [0xed, 0xa0, 0x80], 0],
  ['code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
  ['truncated four-byte form', [0xf0, 0x9f, 0x98], 0],
  ['byte 0xFF', [0x41, 0xff], 1],
];
for (const [label, bytes, offset] of invalidSequences) {
  utf8(`finds ${label}`, () => {
    assert.is(findInvalidUtf8Offset(Uint8Array.from(bytes)), offset);
  });
}

utf8('agrees with TextDecoder on random bytes', () => {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let seed = 12345;
  for (let round = 0; round < 20_000; round++) {
    const bytes = new Uint8Array(1 + (round % 7));
    for (let index = 0; index < bytes.length; index++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      // Favour bytes near the UTF-8 boundaries so that multi-byte forms come up often.
      bytes[index] = round % 2 === 0 ? (seed >>> 8) & 0xff : 0x80 + ((seed >>> 8) & 0x7f);
    }
    let valid = true;
    try {
      decoder.decode(bytes);
    } catch {
      valid = false;
    }
    assert.is(findInvalidUtf8Offset(bytes) === -1, valid, `bytes ${Buffer.from(bytes).toString('hex')}`);
  }
});

utf8.run();
