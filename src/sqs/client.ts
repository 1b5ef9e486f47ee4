// The SQS client: AWS JSON 1.0 protocol over an undici Pool, signed with SigV4. Every
// request goes to the configured endpoint, whatever host a queue URL names, so that one
// endpoint setting (real SQS, a local emulator) decides where messages go.

import { Pool } from 'undici';
import { silentLogger, type Logger } from '../log.js';
import { LOCAL_ERROR_CODES, SqsError, parseErrorResponse } from './errors.js';
import { LatencyHistogram, type LatencySnapshot } from './latency.js';
import { QueueCache } from './queue-cache.js';
import { SigV4Signer, type Credentials } from './signer.js';

export interface SqsClientOptions {
  /** SQS region for signing; default `AWS_REGION`, else `us-east-1`. */
  region?: string;
  /** Endpoint URL; default `https://sqs.REGION.amazonaws.com`. */
  endpoint?: string;
  /** Maximum open connections to the endpoint (default 64). */
  connections?: number;
  /** Requests sent on one connection before the first response (default 1, which AWS endpoints expect). */
  pipelining?: number;
  /** Idle time after which a kept-alive connection is closed, in milliseconds (default 60,000). */
  keepAliveTimeoutMs?: number;
  /** Time allowed to open a connection, TLS included, in milliseconds (default 10,000). */
  connectTimeoutMs?: number;
  /**
   * Time allowed between sending a request and receiving the response headers, in milliseconds
   * (default 30,000). undici 7 checks this and the body timeout with a coarse timer, so they
   * fire up to about a second late.
   */
  headersTimeoutMs?: number;
  /** Time allowed between two chunks of a response body, in milliseconds (default 30,000). */
  bodyTimeoutMs?: number;
  /** TLS settings for an https endpoint, such as a private CA; AWS endpoints need none. */
  tls?: { ca?: string | Buffer; servername?: string };
  /** How long a resolved queue URL or queue attribute stays cached, in milliseconds (default 300,000). */
  queueCacheTtlMs?: number;
  /** How long a QueueDoesNotExist response stays cached, in milliseconds (default 2,000). */
  missingQueueTtlMs?: number;
  logger?: Logger;
}

export type JsonObject = Record<string, unknown>;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`SqsClient: ${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegativeNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`SqsClient: ${name} must be a number of milliseconds >= 0, got ${value}`);
  return value;
}

// Connect and TLS handshake failures happen before any byte of the request is sent, so SQS
// cannot have acted on the request.
const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function networkError(action: string, error: unknown): SqsError {
  const code = (error as { code?: unknown }).code;
  const detail = error instanceof Error ? error.message : String(error);
  const ambiguous = !(typeof code === 'string' && CONNECT_ERROR_CODES.has(code));
  return new SqsError({
    code: LOCAL_ERROR_CODES.network,
    message: `${action} request failed: ${detail}${typeof code === 'string' ? ` (${code})` : ''}`,
    ambiguous,
    cause: error,
  });
}

export class SqsClient {
  readonly region: string;
  readonly endpoint: URL;
  readonly connections: number;
  readonly pipelining: number;
  readonly #signer: SigV4Signer;
  readonly #pool: Pool;
  readonly #host: string;
  readonly #logger: Logger;
  readonly #latency = new LatencyHistogram();
  readonly #queues: QueueCache;
  #calls = 0;
  #failedCalls = 0;
  #inFlight = 0;
  #closing: Promise<void> | undefined;

  constructor(options: SqsClientOptions = {}) {
    this.region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
    const endpointText = options.endpoint ?? `https://sqs.${this.region}.amazonaws.com`;
    try {
      this.endpoint = new URL(endpointText);
    } catch {
      throw new TypeError(`SqsClient: endpoint ${JSON.stringify(endpointText)} is not a valid URL; expected e.g. https://sqs.us-east-1.amazonaws.com`);
    }
    if (this.endpoint.protocol !== 'https:' && this.endpoint.protocol !== 'http:') {
      throw new TypeError(`SqsClient: endpoint ${JSON.stringify(endpointText)} must use http or https`);
    }

    this.connections = positiveInteger('connections', options.connections, 64);
    this.pipelining = positiveInteger('pipelining', options.pipelining, 1);
    this.#host = this.endpoint.host;
    this.#logger = options.logger ?? silentLogger;
    this.#signer = new SigV4Signer({ region: this.region, service: 'sqs' });
    this.#pool = new Pool(this.endpoint.origin, {
      connections: this.connections,
      pipelining: this.pipelining,
      keepAliveTimeout: nonNegativeNumber('keepAliveTimeoutMs', options.keepAliveTimeoutMs, 60_000),
      connectTimeout: nonNegativeNumber('connectTimeoutMs', options.connectTimeoutMs, 10_000),
      headersTimeout: nonNegativeNumber('headersTimeoutMs', options.headersTimeoutMs, 30_000),
      bodyTimeout: nonNegativeNumber('bodyTimeoutMs', options.bodyTimeoutMs, 30_000),
      ...(options.tls === undefined ? {} : { connect: { ...options.tls } }),
    });
    this.#queues = new QueueCache(this, {
      ttlMs: nonNegativeNumber('queueCacheTtlMs', options.queueCacheTtlMs, 300_000),
      missingTtlMs: nonNegativeNumber('missingQueueTtlMs', options.missingQueueTtlMs, 2_000),
    });
  }

  /** Requests that may run at once without queueing inside the pool: connections times pipelining. */
  get capacity(): number {
    return this.connections * this.pipelining;
  }

  get stats(): { calls: number; failedCalls: number; inFlight: number; latency: LatencySnapshot } {
    return { calls: this.#calls, failedCalls: this.#failedCalls, inFlight: this.#inFlight, latency: this.#latency.snapshot() };
  }

  /**
   * Sends one action with its JSON parameters and returns the parsed response body.
   * Throws SqsError: SQS's code for an error response, NetworkError for a failed exchange,
   * InvalidResponse for a reply that is not JSON.
   */
  async call(action: string, params: JsonObject, credentials: Credentials): Promise<JsonObject> {
    const body = Buffer.from(JSON.stringify(params), 'utf8');
    const target = `AmazonSQS.${action}`;
    const signed = this.#signer.sign(
      {
        method: 'POST',
        path: '/',
        query: '',
        headers: [
          ['content-type', 'application/x-amz-json-1.0'],
          ['host', this.#host],
          ['x-amz-target', target],
        ],
        body,
      },
      credentials,
    );

    const headers: Record<string, string> = {
      ...signed.headers,
      'content-type': 'application/x-amz-json-1.0',
      host: this.#host,
      'x-amz-target': target,
    };

    const started = performance.now();
    this.#calls++;
    this.#inFlight++;
    try {
      return await this.#exchange(action, headers, body);
    } catch (error) {
      this.#failedCalls++;
      throw error;
    } finally {
      this.#inFlight--;
      this.#latency.record(performance.now() - started);
    }
  }

  async #exchange(action: string, headers: Record<string, string>, body: Buffer): Promise<JsonObject> {
    let statusCode: number;
    let responseHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const response = await this.#pool.request({ method: 'POST', path: '/', headers, body });
      statusCode = response.statusCode;
      responseHeaders = response.headers;
      text = await response.body.text();
    } catch (error) {
      throw networkError(action, error);
    }

    const requestId = headerValue(responseHeaders['x-amzn-requestid']);
    if (statusCode < 200 || statusCode >= 300) {
      throw parseErrorResponse(statusCode, headerValue(responseHeaders['x-amzn-query-error']), text, requestId);
    }
    if (text === '') return {};

    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonObject;
    } catch {
      // Reported below with the status.
    }
    throw new SqsError({
      code: LOCAL_ERROR_CODES.invalidResponse,
      message: `${action} returned HTTP ${statusCode} with a body that is not a JSON object (${text.length} bytes)`,
      statusCode,
      ambiguous: true,
      requestId,
    });
  }

  /** Returns the queue URL for a name, cached per access key; a missing queue is cached briefly too. */
  getQueueUrl(queueName: string, credentials: Credentials): Promise<string> {
    return this.#queues.queueUrl(queueName, credentials);
  }

  /** Returns whether a FIFO queue has content-based deduplication on, cached like queue URLs. */
  usesContentBasedDeduplication(queueName: string, credentials: Credentials): Promise<boolean> {
    return this.#queues.contentBasedDeduplication(queueName, credentials);
  }

  /** Drops cached facts about a queue, for example after DeleteQueue. */
  forgetQueue(queueName: string, credentials: Credentials): void {
    this.#queues.forget(queueName, credentials);
  }

  sendMessage(params: JsonObject, credentials: Credentials): Promise<JsonObject> {
    return this.call('SendMessage', params, credentials);
  }

  sendMessageBatch(params: JsonObject, credentials: Credentials): Promise<JsonObject> {
    return this.call('SendMessageBatch', params, credentials);
  }

  createQueue(params: JsonObject, credentials: Credentials): Promise<JsonObject> {
    return this.call('CreateQueue', params, credentials);
  }

  async deleteQueue(params: { QueueUrl: string } & JsonObject, credentials: Credentials, queueName?: string): Promise<JsonObject> {
    const result = await this.call('DeleteQueue', params, credentials);
    if (queueName !== undefined) this.forgetQueue(queueName, credentials);
    return result;
  }

  listQueues(params: JsonObject, credentials: Credentials): Promise<JsonObject> {
    return this.call('ListQueues', params, credentials);
  }

  getQueueAttributes(params: JsonObject, credentials: Credentials): Promise<JsonObject> {
    return this.call('GetQueueAttributes', params, credentials);
  }

  receiveMessage(params: JsonObject, credentials: Credentials): Promise<JsonObject> {
    return this.call('ReceiveMessage', params, credentials);
  }

  deleteMessage(params: JsonObject, credentials: Credentials): Promise<JsonObject> {
    return this.call('DeleteMessage', params, credentials);
  }

  /** Closes every connection once the requests in flight have completed; later calls do nothing. */
  async close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#logger.debug({ endpoint: this.endpoint.origin }, 'closing SQS connection pool');
    this.#closing = this.#pool.close();
    return this.#closing;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
