// One error class for everything the SQS client reports, with a code and a retryable flag.
// Codes are SQS's own (from the JSON protocol's `__type`) or one of the local codes below.

/** Local codes for failures that happen before or outside an SQS error response. */
export const LOCAL_ERROR_CODES = {
  /** The connection failed, was reset or timed out; SQS may or may not have acted on the request. */
  network: 'NetworkError',
  /** The response was not the JSON SQS sends (bad status line, bad JSON, missing fields). */
  invalidResponse: 'InvalidResponse',
  /** An MD5 digest returned by SQS differs from the one computed locally. */
  md5Mismatch: 'MD5Mismatch',
  /** The message was rejected locally before any request (too large, bad delay, missing group id). */
  invalidMessage: 'InvalidMessage',
  /** The delivery engine is draining or closed and takes no new messages. */
  closed: 'DeliveryClosed',
  /** The engine gave up on a message because its deadline passed during a drain. */
  drained: 'Drained',
} as const;

// Codes worth retrying because the cause is transient. HTTP 5xx responses are retryable
// whatever their code. An MD5 mismatch is retried because a corrupted copy in the queue is
// worse than a duplicate next to it.
const RETRYABLE_CODES = new Set([
  'ThrottlingException',
  'RequestThrottled',
  'KmsThrottled',
  'KMS.ThrottlingException',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'RequestTimeout',
  'RequestExpired',
  'RequestTimeTooSkewed',
  LOCAL_ERROR_CODES.network,
  LOCAL_ERROR_CODES.invalidResponse,
  LOCAL_ERROR_CODES.md5Mismatch,
]);

// SignatureDoesNotMatch is permanent unless the clock was off. SQS then reports that in the
// message, and a retry signs with a fresh timestamp.
const CLOCK_SKEW_PATTERN = /expired|time.?skew|timestamp/i;

export interface SqsErrorOptions {
  code: string;
  message: string;
  /** HTTP status of the response, or 0 when no response arrived. */
  statusCode?: number;
  /** The legacy Query-protocol code from `x-amzn-query-error`, when SQS sent one. */
  queryCode?: string;
  /** True when SQS blamed the sender (`Sender` in `x-amzn-query-error`, or `SenderFault` in a batch entry). */
  senderFault?: boolean;
  /** True when the request may have reached SQS and taken effect even though it failed. */
  ambiguous?: boolean;
  requestId?: string;
  /** Overrides the classification by code and status, for batch entries that carry SenderFault. */
  retryable?: boolean;
  cause?: unknown;
}

/** An error from SQS or from the path to it. The message never contains credentials. */
export class SqsError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly statusCode: number;
  readonly queryCode: string | undefined;
  readonly senderFault: boolean;
  readonly ambiguous: boolean;
  readonly requestId: string | undefined;

  constructor(options: SqsErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SqsError';
    this.code = options.code;
    this.statusCode = options.statusCode ?? 0;
    this.queryCode = options.queryCode;
    this.senderFault = options.senderFault ?? false;
    this.ambiguous = options.ambiguous ?? false;
    this.requestId = options.requestId;
    this.retryable = options.retryable ?? classifyRetryable(this.code, this.statusCode, options.message);
  }
}

/** Decides whether a failure with this code, HTTP status and message is worth retrying. */
export function classifyRetryable(code: string, statusCode: number, message: string): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  if (statusCode >= 500) return true;
  if (code === 'SignatureDoesNotMatch' || code === 'InvalidSignatureException') return CLOCK_SKEW_PATTERN.test(message);
  return false;
}

/** Strips the namespace from a JSON-protocol `__type` such as `com.amazonaws.sqs#QueueDoesNotExist`. */
export function codeFromType(type: string): string {
  const hash = type.lastIndexOf('#');
  const code = hash === -1 ? type : type.slice(hash + 1);

  // Some services append `:http://internal.amazon.com/...` to the type.
  const colon = code.indexOf(':');
  return colon === -1 ? code : code.slice(0, colon);
}

/**
 * Builds the error for a non-2xx JSON-protocol response from its status, the
 * `x-amzn-query-error` header (`Code;Sender` or `Code;Receiver`) and the body text.
 */
export function parseErrorResponse(statusCode: number, queryErrorHeader: string | undefined, bodyText: string, requestId?: string): SqsError {
  let type: string | undefined;
  let message: string | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed !== null && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      if (typeof record.__type === 'string') type = record.__type;
      const text = record.message ?? record.Message;
      if (typeof text === 'string') message = text;
    }
  } catch {
    // Not JSON: a proxy or load balancer page. The status decides below.
  }

  let queryCode: string | undefined;
  let senderFault = statusCode >= 400 && statusCode < 500;
  if (queryErrorHeader !== undefined && queryErrorHeader !== '') {
    const semicolon = queryErrorHeader.indexOf(';');
    queryCode = semicolon === -1 ? queryErrorHeader : queryErrorHeader.slice(0, semicolon);
    senderFault = semicolon !== -1 && queryErrorHeader.slice(semicolon + 1) === 'Sender';
  }

  const code = type !== undefined ? codeFromType(type) : queryCode ?? (statusCode >= 500 ? 'InternalError' : `Http${statusCode}`);
  return new SqsError({
    code,
    message: message ?? `SQS returned HTTP ${statusCode} without an error message`,
    statusCode,
    queryCode,
    senderFault,
    requestId,
  });
}

/** Returns the error itself when it is an SqsError, else wraps it with code InvalidResponse. */
export function toSqsError(error: unknown): SqsError {
  if (error instanceof SqsError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new SqsError({ code: LOCAL_ERROR_CODES.invalidResponse, message: detail, cause: error });
}
