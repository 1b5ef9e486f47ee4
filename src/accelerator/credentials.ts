// AWS credentials for each request. A request may carry its own as HTTP Basic auth (user name
// = access key id, password = secret access key), as the 2009 prototype took them; otherwise
// the accelerator's own credentials apply, loaded once at start by `loadDefaultCredentials`
// in credentials-chain.ts.

import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { AcceleratorError } from './errors.js';

/**
 * An access key id, secret access key and optional session token. The secret and token are
 * private fields behind getters, and JSON.stringify, util.inspect, String() and template
 * strings show only the access key id, so a credentials object can be logged safely.
 */
export class Credentials {
  readonly accessKeyId: string;
  readonly #secretAccessKey: string;
  readonly #sessionToken: string | undefined;
  #key: string | undefined;

  constructor(accessKeyId: string, secretAccessKey: string, sessionToken?: string) {
    this.accessKeyId = accessKeyId;
    this.#secretAccessKey = secretAccessKey;
    this.#sessionToken = sessionToken === '' ? undefined : sessionToken;
  }

  get secretAccessKey(): string {
    return this.#secretAccessKey;
  }

  get sessionToken(): string | undefined {
    return this.#sessionToken;
  }

  /**
   * A stable identifier of these exact credentials (32 hex digits of a SHA-256 over id, secret
   * and token), so that the delivery engine can keep one batcher per credentials. Two objects
   * with equal fields have equal keys.
   */
  get key(): string {
    this.#key ??= credentialsKey(this.accessKeyId, this.#secretAccessKey, this.#sessionToken);
    return this.#key;
  }

  toJSON(): { accessKeyId: string } {
    return { accessKeyId: this.accessKeyId };
  }

  toString(): string {
    return `Credentials(${this.accessKeyId})`;
  }

  [inspect.custom](): string {
    return `Credentials { accessKeyId: ${JSON.stringify(this.accessKeyId)} }`;
  }
}

/** Computes the key described at `Credentials.key`. The NUL separators keep "ab"+"c" apart from "a"+"bc". */
export function credentialsKey(accessKeyId: string, secretAccessKey: string, sessionToken?: string): string {
  return createHash('sha256')
    .update(`${accessKeyId}\u0000${secretAccessKey}\u0000${sessionToken ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const BASIC_ADVICE = 'send "Authorization: Basic " followed by base64 of ACCESS_KEY_ID:SECRET_ACCESS_KEY';

function invalidAuthorization(problem: string): AcceleratorError {
  // The header is never quoted: it contains the secret.
  return new AcceleratorError('INVALID_AUTHORIZATION', 'authorization', `Authorization header ${problem}: ${BASIC_ADVICE}`);
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Parses an `Authorization: Basic` header value (RFC 7617) into credentials. The scheme is
 * matched without regard to case. Throws INVALID_AUTHORIZATION (401) for another scheme, bad
 * base64, invalid UTF-8, a missing colon, or an empty access key id or secret, or one with
 * control characters. The error never repeats the header.
 */
export function parseBasicAuthorization(header: string, sessionToken?: string): Credentials {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const scheme = space === -1 ? trimmed : trimmed.slice(0, space);
  if (scheme.toLowerCase() !== 'basic') {
    throw invalidAuthorization(`uses the scheme ${JSON.stringify(scheme.slice(0, 20))}, not Basic`);
  }

  const token = trimmed.slice(space + 1).trim();
  if (space === -1 || token === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 === 1) {
    throw invalidAuthorization('is not valid base64 after "Basic"');
  }

  let decoded: string;
  try {
    decoded = utf8Decoder.decode(Buffer.from(token, 'base64'));
  } catch {
    throw invalidAuthorization('does not decode to UTF-8 text');
  }

  const colon = decoded.indexOf(':');
  if (colon === -1) throw invalidAuthorization('has no ":" between access key id and secret access key');
  const accessKeyId = decoded.slice(0, colon);
  const secretAccessKey = decoded.slice(colon + 1);
  if (accessKeyId === '' || secretAccessKey === '') throw invalidAuthorization('has an empty access key id or secret access key');
  if (hasControlCharacter(accessKeyId) || hasControlCharacter(secretAccessKey)) {
    throw invalidAuthorization('contains control characters in the access key id or secret access key');
  }
  return new Credentials(accessKeyId, secretAccessKey, sessionToken);
}

const BASIC_CACHE_SIZE = 1024;

/**
 * Chooses the credentials of each request: its Basic auth if present, else the defaults. Parsed
 * headers are cached (1,024 entries, oldest evicted first) because an application sends the same
 * header on every request, and decoding and hashing it each time would cost more than a lookup.
 */
export class CredentialsResolver {
  readonly #defaults: Credentials | undefined;
  readonly #cache = new Map<string, Credentials>();

  constructor(defaults: Credentials | undefined) {
    this.#defaults = defaults;
  }

  get hasDefaults(): boolean {
    return this.#defaults !== undefined;
  }

  /**
   * Returns the credentials for a request with the given Authorization header (undefined when
   * absent) and optional session token. Throws MISSING_CREDENTIALS (401) when there is no
   * header and no defaults, and INVALID_AUTHORIZATION (401) for a malformed header; the caller
   * responds to both with `WWW-Authenticate: Basic realm="sqs-accelerator"`.
   */
  resolve(authorization: string | undefined, sessionToken?: string): Credentials {
    if (authorization === undefined || authorization === '') {
      if (this.#defaults !== undefined) return this.#defaults;
      throw new AcceleratorError(
        'MISSING_CREDENTIALS',
        'authorization',
        'no AWS credentials: send HTTP Basic auth with the access key id as user name and the secret access key as password, or start the accelerator with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a credentials profile',
      );
    }

    const cacheKey = sessionToken === undefined ? authorization : `${authorization}\u0000${sessionToken}`;
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;

    const credentials = parseBasicAuthorization(authorization, sessionToken);
    if (this.#cache.size >= BASIC_CACHE_SIZE) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
    }
    this.#cache.set(cacheKey, credentials);
    return credentials;
  }
}
