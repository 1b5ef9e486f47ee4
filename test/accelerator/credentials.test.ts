import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDefaultCredentials, parseSharedCredentials } from '../../src/accelerator/credentials-chain.js';
import { Credentials, CredentialsResolver, credentialsKey, parseBasicAuthorization } from '../../src/accelerator/credentials.js';
import { AcceleratorError } from '../../src/accelerator/errors.js';

const KEY_ID = 'AKIDEXAMPLE1234567890';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TOKEN = 'FQoGZXIvYXdzEXAMPLESESSIONTOKEN';

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

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

const secrecy = suite('Credentials secrecy');

secrecy('keeps the secret out of every rendering', () => {
  const credentials = new Credentials(KEY_ID, SECRET, TOKEN);
  const renderings = [
    JSON.stringify(credentials),
    JSON.stringify({ nested: { credentials } }),
    inspect(credentials),
    inspect({ deep: [credentials] }, { depth: 10, showHidden: true }),
    format('%o %O %s %j', credentials, credentials, credentials, credentials),
    String(credentials),
    `${credentials}`,
    JSON.stringify({ ...credentials }),
    JSON.stringify(structuredClone({ ...credentials })),
    Object.keys(credentials).join(','),
  ];
  for (const text of renderings) {
    assert.not.ok(text.includes(SECRET), `secret leaked in ${text}`);
    assert.not.ok(text.includes(TOKEN), `token leaked in ${text}`);
  }
  assert.ok(inspect(credentials).includes(KEY_ID));
  assert.equal(JSON.parse(JSON.stringify(credentials)), { accessKeyId: KEY_ID });
});

secrecy('still gives the secret to its user', () => {
  const credentials = new Credentials(KEY_ID, SECRET, TOKEN);
  assert.is(credentials.secretAccessKey, SECRET);
  assert.is(credentials.sessionToken, TOKEN);
  assert.is(new Credentials(KEY_ID, SECRET, '').sessionToken, undefined);
});

secrecy('derives a stable key from all three fields', () => {
  const first = new Credentials(KEY_ID, SECRET, TOKEN);
  assert.is(first.key, new Credentials(KEY_ID, SECRET, TOKEN).key);
  assert.is(first.key, credentialsKey(KEY_ID, SECRET, TOKEN));
  assert.match(first.key, /^[0-9a-f]{32}$/);
  assert.is.not(first.key, new Credentials(KEY_ID, SECRET).key);
  assert.is.not(first.key, new Credentials(KEY_ID, SECRET + 'x', TOKEN).key);
  assert.is.not(credentialsKey('ab', 'c'), credentialsKey('a', 'bc'));
  assert.not.ok(first.key.includes(SECRET));
});

secrecy.run();

const basicAuth = suite('parseBasicAuthorization');

basicAuth('reads id and secret', () => {
  const credentials = parseBasicAuthorization(basic(KEY_ID, SECRET));
  assert.is(credentials.accessKeyId, KEY_ID);
  assert.is(credentials.secretAccessKey, SECRET);
  assert.is(credentials.sessionToken, undefined);
});

basicAuth('keeps colons in the secret and ignores scheme case', () => {
  const credentials = parseBasicAuthorization(`bAsIc ${Buffer.from('id:se:cr:et').toString('base64')}`);
  assert.is(credentials.accessKeyId, 'id');
  assert.is(credentials.secretAccessKey, 'se:cr:et');
});

basicAuth('attaches a session token', () => {
  assert.is(parseBasicAuthorization(basic('id', 'secret'), TOKEN).sessionToken, TOKEN);
});

const malformed: Array<[string, string]> = [
  ['Bearer scheme', 'Bearer abc'],
  ['scheme only', 'Basic'],
  ['scheme and spaces', 'Basic   '],
  ['non-base64 token', 'Basic !!!!'],
  ['impossible base64 length', 'Basic QUJDRE'],
  ['no colon', `Basic ${Buffer.from('justanid').toString('base64')}`],
  ['empty id', basic('', SECRET)],
  ['empty secret', basic(KEY_ID, '')],
  ['invalid UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`],
  ['control character', basic('id\n', SECRET)],
];
for (const [label, header] of malformed) {
  basicAuth(`rejects ${label}`, () => {
    const error = captureError(() => parseBasicAuthorization(header));
    assert.is(error.code, 'INVALID_AUTHORIZATION');
    assert.is(error.status, 401);
    assert.not.ok(error.message.includes(SECRET));
    assert.match(error.message, /Basic/);
  });
}

basicAuth.run();

const resolver = suite('CredentialsResolver');

resolver('prefers the request header over defaults', () => {
  const defaults = new Credentials('DEFAULTID', 'defaultsecret');
  const credentials = new CredentialsResolver(defaults).resolve(basic(KEY_ID, SECRET));
  assert.is(credentials.accessKeyId, KEY_ID);
});

resolver('falls back to defaults without a header', () => {
  const defaults = new Credentials('DEFAULTID', 'defaultsecret');
  assert.is(new CredentialsResolver(defaults).resolve(undefined), defaults);
  assert.is(new CredentialsResolver(defaults).resolve(''), defaults);
});

resolver('rejects a request with no credentials at all', () => {
  const error = captureError(() => new CredentialsResolver(undefined).resolve(undefined));
  assert.is(error.code, 'MISSING_CREDENTIALS');
  assert.is(error.status, 401);
});

resolver('returns the cached object for a repeated header', () => {
  const credentials = new CredentialsResolver(undefined);
  const header = basic(KEY_ID, SECRET);
  assert.is(credentials.resolve(header), credentials.resolve(header));
  assert.is.not(credentials.resolve(header), credentials.resolve(header, TOKEN));
  assert.is(credentials.resolve(header, TOKEN).sessionToken, TOKEN);
});

resolver('stays correct past the cache size', () => {
  const credentials = new CredentialsResolver(undefined);
  for (let index = 0; index < 2100; index++) {
    assert.is(credentials.resolve(basic(`id${index}`, 'secret')).accessKeyId, `id${index}`);
  }
  assert.is(credentials.resolve(basic('id0', 'secret')).accessKeyId, 'id0');
});

resolver.run();

const chain = suite('loadDefaultCredentials');

let directory = '';
chain.before.each(() => {
  directory = mkdtempSync(join(tmpdir(), 'credentials-test-'));
});
chain.after.each(() => {
  rmSync(directory, { recursive: true, force: true });
});

const readFile = (path: string): string => readFileSync(path, 'utf8');

const SHARED_FILE = `# leading comment
; another comment style

[default]
aws_access_key_id = DEFAULTKEY
aws_secret_access_key=defaultsecret

  [ work ]
  AWS_ACCESS_KEY_ID   =   WORKKEY
aws_secret_access_key = work/secret+with=equals
aws_session_token = worktoken
region = eu-west-1

[profile named]
aws_access_key_id = NAMEDKEY
aws_secret_access_key = namedsecret

[role-only]
role_arn = arn:aws:iam::123456789012:role/example
source_profile = default
`;

function writeShared(text = SHARED_FILE): string {
  const path = join(directory, 'credentials');
  writeFileSync(path, text.replace(/\n/g, '\r\n'));
  return path;
}

chain('reads the environment keys first', () => {
  const path = writeShared();
  const credentials = loadDefaultCredentials({
    environment: { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'envsecret', AWS_SESSION_TOKEN: 'envtoken', AWS_SHARED_CREDENTIALS_FILE: path, AWS_PROFILE: 'work' },
    readFile,
  });
  assert.is(credentials?.accessKeyId, 'ENVKEY');
  assert.is(credentials?.secretAccessKey, 'envsecret');
  assert.is(credentials?.sessionToken, 'envtoken');
});

chain('lets an explicit profile override the environment', () => {
  const path = writeShared();
  const credentials = loadDefaultCredentials({
    environment: { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'envsecret', AWS_SHARED_CREDENTIALS_FILE: path },
    profile: 'work',
    readFile,
  });
  assert.is(credentials?.accessKeyId, 'WORKKEY');
  assert.is(credentials?.secretAccessKey, 'work/secret+with=equals');
  assert.is(credentials?.sessionToken, 'worktoken');
});

chain('uses AWS_PROFILE, then the default profile', () => {
  const path = writeShared();
  assert.is(loadDefaultCredentials({ environment: { AWS_SHARED_CREDENTIALS_FILE: path, AWS_PROFILE: 'named' }, readFile })?.accessKeyId, 'NAMEDKEY');
  assert.is(loadDefaultCredentials({ environment: { AWS_SHARED_CREDENTIALS_FILE: path }, readFile })?.accessKeyId, 'DEFAULTKEY');
});

chain('finds ~/.aws/credentials under the home directory', () => {
  mkdirSync(join(directory, '.aws'));
  writeFileSync(join(directory, '.aws', 'credentials'), '[default]\naws_access_key_id=HOMEKEY\naws_secret_access_key=homesecret\n');
  assert.is(loadDefaultCredentials({ environment: {}, homeDirectory: directory, readFile })?.accessKeyId, 'HOMEKEY');
});

chain('returns undefined when nothing is configured', () => {
  assert.is(loadDefaultCredentials({ environment: {}, homeDirectory: directory, readFile }), undefined);
  const path = writeShared('[other]\naws_access_key_id=A\naws_secret_access_key=B\n');
  assert.is(loadDefaultCredentials({ environment: { AWS_SHARED_CREDENTIALS_FILE: path }, readFile }), undefined);
});

const broken: Array<[string, () => unknown, RegExp]> = [
  ['explicit profile missing', () => loadDefaultCredentials({ environment: { AWS_SHARED_CREDENTIALS_FILE: writeShared() }, profile: 'nope', readFile }), /"nope" not found/],
  ['AWS_PROFILE missing', () => loadDefaultCredentials({ environment: { AWS_SHARED_CREDENTIALS_FILE: writeShared(), AWS_PROFILE: 'nope' }, readFile }), /"nope" not found/],
  ['explicit profile without file', () => loadDefaultCredentials({ environment: {}, homeDirectory: directory, profile: 'work', readFile }), /ENOENT/],
  ['role profile', () => loadDefaultCredentials({ environment: { AWS_SHARED_CREDENTIALS_FILE: writeShared() }, profile: 'role-only', readFile }), /aws_access_key_id/],
  ['key id without secret', () => loadDefaultCredentials({ environment: { AWS_ACCESS_KEY_ID: 'X' }, readFile }), /AWS_SECRET_ACCESS_KEY is not set/],
  ['secret without key id', () => loadDefaultCredentials({ environment: { AWS_SECRET_ACCESS_KEY: 'X' }, readFile }), /AWS_ACCESS_KEY_ID is not set/],
];
for (const [label, action, pattern] of broken) {
  chain(`rejects ${label}`, () => {
    const error = captureError(action);
    assert.is(error.code, 'INVALID_CREDENTIALS_SOURCE');
    assert.match(error.message, pattern);
  });
}

chain('rejects a malformed file by line number without echoing it', () => {
  const text = '[default]\naws_access_key_id = A\nthis line holds s3cr3t without equals\n';
  const error = captureError(() => parseSharedCredentials(text, 'credentials'));
  assert.match(error.message, /line 3/);
  assert.not.ok(error.message.includes('s3cr3t'));
  assert.is(captureError(() => parseSharedCredentials('key = before any section\n', 'credentials')).code, 'INVALID_CREDENTIALS_SOURCE');
});

chain.run();
