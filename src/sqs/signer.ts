// AWS Signature Version 4 (header signing) with HMAC-SHA256 and SHA-256 from @noble/hashes.
// The three steps (canonical request, string to sign, signature) are exported on their own so
// that tests can check each one against the AWS signing test suite.

import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A request as it goes on the wire, before signing. */
export interface SignableRequest {
  method: string;
  /** The path as written on the request line; SigV4 encodes each segment once more. */
  path: string;
  /** The raw query string without the leading `?`, or an empty string. */
  query: string;
  /** Header names and values; a name may repeat, and case does not matter. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array;
}

export interface SignerOptions {
  region: string;
  service: string;
  /** Remove `.` and `..` segments and repeated slashes, as every service except S3 expects (default true). */
  normalizePath?: boolean;
  /** Add and sign an `x-amz-content-sha256` header with the payload hash (default false). */
  signBody?: boolean;
}

export interface SignedParts {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  /** Headers to add to the request: authorization, x-amz-date and, with a session token, x-amz-security-token. */
  headers: Record<string, string>;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const encoder = new TextEncoder();

// A signing key changes once a day per secret, region and service. The cache stays small unless
// a process serves very many credentials, so it is cleared when it reaches this size.
const MAX_CACHED_KEYS = 4096;

/** Formats a time as the SigV4 timestamp `YYYYMMDDTHHMMSSZ`. */
export function formatAmzDate(time: Date): string {
  const iso = time.toISOString();
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
}

/** Percent-encodes every byte except the RFC 3986 unreserved characters, as SigV4 requires. */
export function uriEncode(value: string): string {
  // encodeURIComponent leaves !'()* alone, but SigV4 encodes them.
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => '%' + character.charCodeAt(0).toString(16).toUpperCase());
}

function decodeQueryPart(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // A stray `%` is taken literally, so the signature still covers what was sent.
    return value;
  }
}

function normalizeSegments(path: string): string[] {
  const output: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      output.pop();
      continue;
    }
    output.push(segment);
  }
  return output;
}

/** Builds the canonical URI: normalized when requested, then each segment URI-encoded. */
export function canonicalUri(path: string, normalize: boolean): string {
  if (!normalize) return path.split('/').map(uriEncode).join('/');

  const segments = normalizeSegments(path);
  const trailingSlash = segments.length > 0 && (path.endsWith('/') || path.endsWith('/.') || path.endsWith('/..'));
  return '/' + segments.map(uriEncode).join('/') + (trailingSlash ? '/' : '');
}

/** Builds the canonical query string: every name and value decoded, re-encoded, then sorted. */
export function canonicalQuery(query: string): string {
  if (query === '') return '';

  const pairs: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? '' : part.slice(equals + 1);
    pairs.push([uriEncode(decodeQueryPart(name)), uriEncode(decodeQueryPart(value))]);
  }

  pairs.sort(comparePairs);
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Orders query pairs by encoded name, then by encoded value, comparing code units as SigV4 requires. */
function comparePairs(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

/** Trims a header value and turns each run of spaces into one, as the canonical form requires. */
function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/ {2,}/g, ' ');
}

export interface CanonicalRequestInput {
  request: SignableRequest;
  amzDate: string;
  sessionToken?: string;
  normalizePath: boolean;
  signBody: boolean;
}

export interface CanonicalRequest {
  text: string;
  signedHeaders: string;
  payloadHash: string;
}

/** Builds the canonical request, adding x-amz-date, x-amz-security-token and x-amz-content-sha256 where they apply. */
export function buildCanonicalRequest(input: CanonicalRequestInput): CanonicalRequest {
  const { request, amzDate, sessionToken } = input;
  // NOTE: @noble/hashes SHA-256 hashed a 1 MiB body more than 10 times slower than node:crypto
  // (7 to 10 ms against under 1 ms in bench/sqs.ts on a 2-core VM), so large batches cost CPU.
  const payloadHash = bytesToHex(sha256(request.body));

  const values = new Map<string, string>();
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    const canonical = canonicalHeaderValue(value);
    const previous = values.get(key);
    values.set(key, previous === undefined ? canonical : previous + ',' + canonical);
  }
  values.set('x-amz-date', amzDate);
  if (sessionToken !== undefined) values.set('x-amz-security-token', sessionToken);
  if (input.signBody) values.set('x-amz-content-sha256', payloadHash);

  const names = [...values.keys()].sort();
  let headerBlock = '';
  for (const name of names) headerBlock += name + ':' + values.get(name) + '\n';
  const signedHeaders = names.join(';');

  const text = [
    request.method.toUpperCase(),
    canonicalUri(request.path, input.normalizePath),
    canonicalQuery(request.query),
    headerBlock,
    signedHeaders,
    payloadHash,
  ].join('\n');
  return { text, signedHeaders, payloadHash };
}

/** Returns the credential scope `DATE/REGION/SERVICE/aws4_request`. */
export function credentialScope(amzDate: string, region: string, service: string): string {
  return `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
}

/** Builds the string to sign from the canonical request text. */
export function buildStringToSign(canonicalRequest: string, amzDate: string, scope: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${bytesToHex(sha256(encoder.encode(canonicalRequest)))}`;
}

type PreKeyedHmac = ReturnType<typeof hmac.create>;

/**
 * Signs requests for one region and service. Each signing key is derived once per
 * (secret, date, region, service) and kept as a pre-keyed HMAC state, so that a signature
 * costs one HMAC over the string to sign plus a clone of that state.
 */
export class SigV4Signer {
  readonly region: string;
  readonly service: string;
  readonly #normalizePath: boolean;
  readonly #signBody: boolean;
  readonly #keys = new Map<string, PreKeyedHmac>();

  constructor(options: SignerOptions) {
    if (typeof options.region !== 'string' || options.region === '') {
      throw new TypeError(`SigV4Signer: region must be a non-empty string, got ${JSON.stringify(options.region)}`);
    }
    if (typeof options.service !== 'string' || options.service === '') {
      throw new TypeError(`SigV4Signer: service must be a non-empty string, got ${JSON.stringify(options.service)}`);
    }
    this.region = options.region;
    this.service = options.service;
    this.#normalizePath = options.normalizePath ?? true;
    this.#signBody = options.signBody ?? false;
  }

  /** Number of signing keys in the cache, for tests and stats. */
  get cachedKeyCount(): number {
    return this.#keys.size;
  }

  /** Computes the hex signature of a string to sign with the cached key for this day. */
  signature(stringToSign: string, secretAccessKey: string, amzDate: string): string {
    const state = this.#signingState(secretAccessKey, amzDate.slice(0, 8));
    return bytesToHex(state.clone().update(encoder.encode(stringToSign)).digest());
  }

  /** Signs a request at `time` and returns every intermediate step with the headers to add. */
  sign(request: SignableRequest, credentials: Credentials, time: Date = new Date()): SignedParts {
    const amzDate = formatAmzDate(time);
    const canonical = buildCanonicalRequest({
      request,
      amzDate,
      sessionToken: credentials.sessionToken,
      normalizePath: this.#normalizePath,
      signBody: this.#signBody,
    });
    const scope = credentialScope(amzDate, this.region, this.service);
    const stringToSign = buildStringToSign(canonical.text, amzDate, scope);
    const signature = this.signature(stringToSign, credentials.secretAccessKey, amzDate);

    const headers: Record<string, string> = {
      authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`,
      'x-amz-date': amzDate,
    };
    if (credentials.sessionToken !== undefined) headers['x-amz-security-token'] = credentials.sessionToken;
    if (this.#signBody) headers['x-amz-content-sha256'] = canonical.payloadHash;
    return { canonicalRequest: canonical.text, stringToSign, signature, headers };
  }

  #signingState(secretAccessKey: string, day: string): PreKeyedHmac {
    const cacheKey = `${day}\n${secretAccessKey}`;
    const cached = this.#keys.get(cacheKey);
    if (cached !== undefined) return cached;

    const dateKey = hmac(sha256, encoder.encode('AWS4' + secretAccessKey), encoder.encode(day));
    const regionKey = hmac(sha256, dateKey, encoder.encode(this.region));
    const serviceKey = hmac(sha256, regionKey, encoder.encode(this.service));
    const signingKey = hmac(sha256, serviceKey, encoder.encode('aws4_request'));

    if (this.#keys.size >= MAX_CACHED_KEYS) this.#keys.clear();
    const state = hmac.create(sha256, signingKey);
    this.#keys.set(cacheKey, state);
    return state;
  }
}
