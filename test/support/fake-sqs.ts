// A fake SQS for tests and benchmarks, speaking the JSON protocol over node:http on 127.0.0.1.
// It checks every request's SigV4 signature with @smithy/signature-v4 and stores messages for
// inspection. On demand it injects latency, HTTP 500/503, throttling, connection resets before
// and after handling a request, slow responses, partial batch failures and wrong MD5 digests.
// With no faults and no signature checks it is a cheap sink.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FakeSqsFault, FakeSqsStore, type FakeQueue, type Json, type StoredMessage } from './fake-sqs-store.js';
import { parseAmzDate, signWithSmithy, signatureOf, type SmithyCredentials } from './smithy-sqs-signer.js';

export type { FakeQueue, StoredMessage };

export const FAULT_KINDS = ['http500', 'http503', 'throttle', 'resetBefore', 'resetAfter', 'slow', 'partial', 'badDigest'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FakeSqsFaults {
  /** Delay before every response, in milliseconds. */
  latencyMs?: number;
  /** Share of calls, from 0 to 1, that fail in each way. The shares add up, so keep their sum <= 1. */
  rates?: Partial<Record<FaultKind, number>>;
  /** Delay of a `slow` response, in milliseconds; the call is handled before the delay. */
  slowMs?: number;
  /** Actions that faults apply to (default SendMessage and SendMessageBatch). */
  actions?: readonly string[];
}

export interface FakeSqsOptions {
  /** Accepted credentials; requests signed with any other access key get InvalidClientTokenId. */
  credentials?: SmithyCredentials[];
  /** Check each request's signature with smithy (default true). */
  verifySignatures?: boolean;
  region?: string;
  /** Seed of the fault dice, so that a failing run can be repeated. */
  seed?: number;
  /** Base of the queue URLs returned; default `http://127.0.0.1:PORT/000000000000`. */
  queueUrlBase?: string;
  /** SendMessageBatch payload limit in bytes (default 1 MiB). */
  maxBatchBytes?: number;
  faults?: FakeSqsFaults;
}

export interface FakeSqsStats {
  requests: number;
  byAction: Record<string, number>;
  faults: Record<string, number>;
  signatureFailures: number;
  /** Error responses sent, by code, injected faults included. */
  errors: Record<string, number>;
  duplicatesSuppressed: number;
  /** Entries per SendMessageBatch request, in arrival order. */
  batchSizes: number[];
}

export const DEFAULT_TEST_CREDENTIALS: SmithyCredentials = { accessKeyId: 'AKIDFAKESQS', secretAccessKey: 'fake-secret-for-tests-only' };

/** Mulberry32: a small seeded generator, enough for fault dice and random test data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export class FakeSqs {
  readonly store: FakeSqsStore;
  readonly stats: FakeSqsStats = { requests: 0, byAction: {}, faults: {}, signatureFailures: 0, errors: {}, duplicatesSuppressed: 0, batchSizes: [] };
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #credentials = new Map<string, SmithyCredentials>();
  readonly #verifySignatures: boolean;
  readonly #region: string;
  #random: () => number;
  #faults: FakeSqsFaults = {};
  #port = 0;
  /** Pending response delays, ended early by close() so that no timer outlives the fake. */
  readonly #delays = new Map<NodeJS.Timeout, () => void>();

  private constructor(options: FakeSqsOptions) {
    for (const credentials of options.credentials ?? [DEFAULT_TEST_CREDENTIALS]) this.#credentials.set(credentials.accessKeyId, credentials);
    this.#verifySignatures = options.verifySignatures ?? true;
    this.#region = options.region ?? 'us-east-1';
    this.#random = seededRandom(options.seed ?? 1);
    this.#faults = options.faults ?? {};
    this.store = new FakeSqsStore({ urlBase: options.queueUrlBase ?? '', maxBatchBytes: options.maxBatchBytes ?? 1_048_576 });
    this.#server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => void this.#onRequest(request, response));
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Starts a fake on 127.0.0.1 and an ephemeral port. */
  static async start(options: FakeSqsOptions = {}): Promise<FakeSqs> {
    const fake = new FakeSqs(options);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once('error', reject);
      fake.#server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.#port = (fake.#server.address() as AddressInfo).port;
    if (options.queueUrlBase === undefined) fake.store.setUrlBase(`http://127.0.0.1:${fake.#port}/000000000000`);
    return fake;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  setFaults(faults: FakeSqsFaults, seed?: number): void {
    this.#faults = faults;
    if (seed !== undefined) this.#random = seededRandom(seed);
  }

  createQueue(name: string, attributes?: Record<string, string>): FakeQueue {
    return this.store.createQueue(name, attributes);
  }

  /** Messages stored in a queue, in arrival order (received ones included until deleted). */
  messages(queueName: string): StoredMessage[] {
    return this.store.queues.get(queueName)?.messages ?? [];
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    for (const [timer, resolve] of this.#delays) {
      clearTimeout(timer);
      resolve();
    }
    this.#delays.clear();
    await closed;
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#delays.delete(timer);
        resolve();
      }, ms);
      this.#delays.set(timer, resolve);
    });
  }

  #count(record: Record<string, number>, key: string): void {
    record[key] = (record[key] ?? 0) + 1;
  }

  #rollFault(action: string): FaultKind | undefined {
    const rates = this.#faults.rates;
    if (rates === undefined) return undefined;
    if (!(this.#faults.actions ?? ['SendMessage', 'SendMessageBatch']).includes(action)) return undefined;
    let roll = this.#random();
    for (const kind of FAULT_KINDS) {
      const rate = rates[kind] ?? 0;
      if (roll < rate) return kind;
      roll -= rate;
    }
    return undefined;
  }

  async #onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.stats.requests++;
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    this.#count(this.stats.byAction, action || '(none)');

    const fault = this.#rollFault(action);
    if (fault !== undefined) this.#count(this.stats.faults, fault);
    if (fault === 'resetBefore') {
      request.socket.destroy();
      return;
    }

    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);

    try {
      if (this.#verifySignatures) await this.#verify(request, body);
      if (action === '') throw new FakeSqsFault(400, 'InvalidAction', `X-Amz-Target ${JSON.stringify(target)} does not name an SQS action`);
      if (request.headers['content-type'] !== 'application/x-amz-json-1.0') {
        throw new FakeSqsFault(400, 'InvalidParameterValue', `Content-Type must be application/x-amz-json-1.0, got ${String(request.headers['content-type'])}`);
      }
      if (fault === 'http500') throw new FakeSqsFault(500, 'InternalError', 'Injected internal error.', 'InternalError', false);
      if (fault === 'http503') throw new FakeSqsFault(503, 'ServiceUnavailable', 'Injected temporary failure.', 'ServiceUnavailable', false);
      if (fault === 'throttle') throw new FakeSqsFault(400, 'ThrottlingException', 'Injected throttling.', 'ThrottlingException', true);

      const params = JSON.parse(body.toString('utf8') || '{}') as Json;
      const failEntries = fault === 'partial' ? this.#pickFailedEntries(params) : undefined;
      if (action === 'SendMessageBatch' && Array.isArray(params.Entries)) this.stats.batchSizes.push(params.Entries.length);
      const suppressedBefore = this.store.duplicatesSuppressed;
      const result = this.store.handle(action, params, failEntries);
      this.stats.duplicatesSuppressed += this.store.duplicatesSuppressed - suppressedBefore;

      if (fault === 'badDigest') this.#corruptDigests(result);
      if (fault === 'resetAfter') {
        request.socket.destroy();
        return;
      }
      if (fault === 'slow') await this.#delay(this.#faults.slowMs ?? 1000);
      if (this.#faults.latencyMs) await this.#delay(this.#faults.latencyMs);
      this.#reply(response, 200, result);
    } catch (error) {
      if (!(error instanceof FakeSqsFault)) throw error;
      if (error.code === 'SignatureDoesNotMatch' || error.code === 'InvalidClientTokenId') this.stats.signatureFailures++;
      this.#count(this.stats.errors, error.code);
      if (this.#faults.latencyMs) await this.#delay(this.#faults.latencyMs);
      this.#reply(response, error.statusCode, { __type: `com.amazonaws.sqs#${error.code}`, message: error.message }, `${error.queryCode};${error.sender ? 'Sender' : 'Receiver'}`);
    }
  }

  #pickFailedEntries(params: Json): Set<string> | undefined {
    if (!Array.isArray(params.Entries)) return undefined;
    const ids = new Set<string>();
    for (const entry of params.Entries as Json[]) if (this.#random() < 0.5) ids.add(String(entry.Id));
    return ids;
  }

  #corruptDigests(result: Json): void {
    const targets = Array.isArray(result.Successful) ? (result.Successful as Json[]) : [result];
    for (const target of targets) if (typeof target.MD5OfMessageBody === 'string') target.MD5OfMessageBody = '0'.repeat(32);
  }

  #reply(response: ServerResponse, statusCode: number, body: Json, queryError?: string): void {
    if (response.destroyed) return;
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': `fake-${this.stats.requests}`,
    };
    if (queryError !== undefined) headers['x-amzn-query-error'] = queryError;
    response.writeHead(statusCode, headers);
    response.end(text);
  }

  async #verify(request: IncomingMessage, body: Buffer): Promise<void> {
    const authorization = request.headers.authorization ?? '';
    const credentialMatch = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
    const signedHeadersMatch = /SignedHeaders=([a-z0-9;-]+)/.exec(authorization);
    if (credentialMatch === null || signedHeadersMatch === null) throw new FakeSqsFault(403, 'MissingAuthenticationToken', 'Authorization header is missing or malformed.', 'MissingAuthenticationToken');

    const [, accessKeyId, , region, service] = credentialMatch;
    const credentials = this.#credentials.get(accessKeyId!);
    if (credentials === undefined) throw new FakeSqsFault(403, 'InvalidClientTokenId', 'Unknown access key or wrong session token.');
    if (credentials.sessionToken !== undefined && request.headers['x-amz-security-token'] !== credentials.sessionToken) {
      throw new FakeSqsFault(403, 'InvalidClientTokenId', 'Unknown access key or wrong session token.');
    }
    if (region !== this.#region || service !== 'sqs') throw new FakeSqsFault(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region and service sqs, got ${region}/${service}`);

    const signingDate = parseAmzDate(String(request.headers['x-amz-date'] ?? ''));
    if (signingDate === undefined) throw new FakeSqsFault(403, 'IncompleteSignature', 'X-Amz-Date is missing or malformed');
    if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60 * 1000) throw new FakeSqsFault(403, 'SignatureDoesNotMatch', 'Signature expired: the request time is more than 15 minutes from the server time');

    const headers: Record<string, string> = {};
    for (const name of signedHeadersMatch[1]!.split(';')) {
      const value = request.headers[name];
      if (value === undefined) throw new FakeSqsFault(403, 'SignatureDoesNotMatch', `Signed header ${name} is missing from the request`);
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const url = request.url ?? '/';
    const questionMark = url.indexOf('?');
    const path = questionMark === -1 ? url : url.slice(0, questionMark);
    const query = Object.fromEntries(new URLSearchParams(questionMark === -1 ? '' : url.slice(questionMark + 1)));
    const expected = await signWithSmithy({ method: request.method ?? 'POST', hostname: headers.host ?? '', path, query, headers, body }, credentials, region!, service!, signingDate);
    if (signatureOf(expected.authorization) !== signatureOf(authorization)) {
      throw new FakeSqsFault(403, 'SignatureDoesNotMatch', 'Signature differs from the one smithy computed for this request.');
    }
  }
}
