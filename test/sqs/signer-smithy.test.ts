// Our SigV4 signer against @smithy/signature-v4 on seeded random SQS requests: unicode
// bodies from every character range SQS allows, long bodies, session tokens, many regions,
// hosts and dates. A failure prints the seed and index so that the case can be replayed.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SigV4Signer } from '../../src/sqs/signer.js';
import { seededRandom } from '../support/fake-sqs.js';
import { signWithSmithy, signatureOf } from '../support/smithy-sqs-signer.js';

const SEED = 20240501;
const CASES = 1000;

// SQS body characters: #x9 #xA #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF.
const CHARACTER_RANGES: Array<[number, number]> = [
  [0x09, 0x09],
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x20, 0x7e],
  [0x80, 0x7ff],
  [0x800, 0xd7ff],
  [0xe000, 0xfffd],
  [0x10000, 0x10ffff],
];
const ACTIONS = ['SendMessage', 'SendMessageBatch', 'GetQueueUrl', 'ReceiveMessage', 'GetQueueAttributes', 'DeleteMessage', 'ListQueues'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1'];

function randomText(random: () => number, length: number): string {
  const chunks: string[] = [];
  let codePoints: number[] = [];
  for (let i = 0; i < length; i++) {
    const [low, high] = CHARACTER_RANGES[Math.floor(random() * CHARACTER_RANGES.length)]!;
    codePoints.push(low + Math.floor(random() * (high - low + 1)));
    // fromCodePoint takes its input as arguments, so it gets bounded chunks.
    if (codePoints.length === 8192) {
      chunks.push(String.fromCodePoint(...codePoints));
      codePoints = [];
    }
  }
  chunks.push(String.fromCodePoint(...codePoints));
  return chunks.join('');
}

function randomAscii(random: () => number, length: number, alphabet: string): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

test('signatures match smithy on random SQS requests', async () => {
  const random = seededRandom(SEED);
  let longBodies = 0;
  let withToken = 0;

  for (let index = 0; index < CASES; index++) {
    const region = REGIONS[Math.floor(random() * REGIONS.length)]!;
    const action = ACTIONS[Math.floor(random() * ACTIONS.length)]!;
    const host = random() < 0.5 ? `sqs.${region}.amazonaws.com` : `127.0.0.1:${1024 + Math.floor(random() * 60000)}`;
    const long = random() < 0.03;
    const bodyLength = long ? 100_000 + Math.floor(random() * 200_000) : Math.floor(random() * 400);
    if (long) longBodies++;

    const params = {
      QueueUrl: `https://${host}/123456789012/queue-${index}`,
      MessageBody: randomText(random, bodyLength),
      MessageAttributes: { note: { DataType: 'String', StringValue: randomText(random, 20) } },
    };
    const body = Buffer.from(JSON.stringify(params), 'utf8');
    const credentials = {
      accessKeyId: 'AKIA' + randomAscii(random, 16, KEY_ALPHABET),
      secretAccessKey: randomAscii(random, 40, SECRET_ALPHABET),
      sessionToken: random() < 0.4 ? randomAscii(random, 200 + Math.floor(random() * 600), SECRET_ALPHABET + '=') : undefined,
    };
    if (credentials.sessionToken !== undefined) withToken++;
    const time = new Date(Date.UTC(2015, 0, 1) + Math.floor(random() * 15 * 365 * 86_400_000));

    const headers: Array<[string, string]> = [
      ['content-type', 'application/x-amz-json-1.0'],
      ['host', host],
      ['x-amz-target', `AmazonSQS.${action}`],
    ];
    const signer = new SigV4Signer({ region, service: 'sqs' });
    const ours = signer.sign({ method: 'POST', path: '/', query: '', headers, body }, credentials, time);

    const smithyHeaders = Object.fromEntries(headers);
    const theirs = await signWithSmithy({ method: 'POST', hostname: host, path: '/', headers: smithyHeaders, body }, credentials, region, 'sqs', time);
    const context = `seed ${SEED}, case ${index}, action ${action}, body ${body.length} bytes`;
    assert.is(ours.headers['x-amz-date'], theirs['x-amz-date'], context);
    assert.is(ours.headers['x-amz-security-token'], theirs['x-amz-security-token'], context);
    assert.is(ours.signature, signatureOf(theirs.authorization), context);
    assert.is(ours.headers.authorization, theirs.authorization, context);
  }

  // The dice must have produced the cases this test claims to cover.
  assert.ok(longBodies >= 10, `only ${longBodies} long bodies`);
  assert.ok(withToken >= 300, `only ${withToken} requests with a session token`);
});

test.run();
