// One error class for everything the accelerator core rejects: a message that breaks an SQS
// rule, a request body it cannot read, missing or malformed credentials, and dead-letter file
// failures. Each code is stable (tests, logs and API clients match on it) and maps to exactly
// one HTTP status in STATUS_BY_CODE.

export type AcceleratorErrorCode =
  | 'INVALID_QUEUE_NAME'
  | 'MISSING_BODY'
  | 'INVALID_CHARACTERS'
  | 'MESSAGE_TOO_LARGE'
  | 'TOO_MANY_ATTRIBUTES'
  | 'INVALID_ATTRIBUTE_NAME'
  | 'INVALID_ATTRIBUTE_TYPE'
  | 'INVALID_ATTRIBUTE_VALUE'
  | 'INVALID_DELAY_SECONDS'
  | 'DELAY_SECONDS_ON_FIFO'
  | 'MISSING_GROUP_ID'
  | 'INVALID_GROUP_ID'
  | 'INVALID_DEDUPLICATION_ID'
  | 'DEDUPLICATION_ID_ON_STANDARD'
  | 'INVALID_JSON'
  | 'INVALID_FORM'
  | 'INVALID_FIELD'
  | 'UNKNOWN_FIELD'
  | 'INVALID_UTF8'
  | 'UNSUPPORTED_CHARSET'
  | 'TOO_MANY_MESSAGES'
  | 'MISSING_CREDENTIALS'
  | 'INVALID_AUTHORIZATION'
  | 'INVALID_CREDENTIALS_SOURCE'
  | 'DEAD_LETTER_FILE_FAILED'
  | 'INVALID_DEAD_LETTER'
  | 'OVERLOADED'
  | 'SHUTTING_DOWN'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PID_FILE_IN_USE'
  | 'LOCAL_SQS_UNAVAILABLE';

const STATUS_BY_CODE: Record<AcceleratorErrorCode, number> = {
  INVALID_QUEUE_NAME: 400,
  MISSING_BODY: 400,
  INVALID_CHARACTERS: 400,
  MESSAGE_TOO_LARGE: 413,
  TOO_MANY_ATTRIBUTES: 400,
  INVALID_ATTRIBUTE_NAME: 400,
  INVALID_ATTRIBUTE_TYPE: 400,
  INVALID_ATTRIBUTE_VALUE: 400,
  INVALID_DELAY_SECONDS: 400,
  DELAY_SECONDS_ON_FIFO: 400,
  MISSING_GROUP_ID: 400,
  INVALID_GROUP_ID: 400,
  INVALID_DEDUPLICATION_ID: 400,
  DEDUPLICATION_ID_ON_STANDARD: 400,
  INVALID_JSON: 400,
  INVALID_FORM: 400,
  INVALID_FIELD: 400,
  UNKNOWN_FIELD: 400,
  INVALID_UTF8: 400,
  UNSUPPORTED_CHARSET: 415,
  TOO_MANY_MESSAGES: 413,
  MISSING_CREDENTIALS: 401,
  INVALID_AUTHORIZATION: 401,
  INVALID_CREDENTIALS_SOURCE: 500,
  DEAD_LETTER_FILE_FAILED: 500,
  INVALID_DEAD_LETTER: 400,
  OVERLOADED: 503,
  SHUTTING_DOWN: 503,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PID_FILE_IN_USE: 500,
  LOCAL_SQS_UNAVAILABLE: 500,
};

/**
 * A rejected message, request body or credential, or a failed dead-letter file operation.
 * `field` names the offending part (`body`, `delaySeconds`, `attributes.color.StringValue`,
 * `line 3: body`), or is empty when the error concerns the whole request.
 */
export class AcceleratorError extends Error {
  readonly code: AcceleratorErrorCode;
  readonly status: number;
  readonly field: string;

  constructor(code: AcceleratorErrorCode, field: string, message: string) {
    super(message);
    this.name = 'AcceleratorError';
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.field = field;
  }

  /** Returns a copy whose field and message are prefixed with a line number of a multi-line body. */
  atLine(line: number): AcceleratorError {
    const field = this.field === '' ? `line ${line}` : `line ${line}: ${this.field}`;
    return new AcceleratorError(this.code, field, `line ${line}: ${this.message}`);
  }

  /** Converts the error to the JSON the API sends to clients: code, field and message. */
  toJSON(): { code: AcceleratorErrorCode; field: string; message: string } {
    return { code: this.code, field: this.field, message: this.message };
  }
}

export function statusForAcceleratorCode(code: AcceleratorErrorCode): number {
  return STATUS_BY_CODE[code];
}

const PREVIEW_CHARACTERS = 40;

/**
 * Quotes a value for an error message, cut to its first 40 characters so that an error never
 * echoes a whole message body. A cut preview ends with the number of characters left out.
 */
export function previewValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  if (text.length <= PREVIEW_CHARACTERS) return typeof value === 'string' ? JSON.stringify(text) : text;

  // Cutting between the halves of a surrogate pair would print a lone surrogate.
  let end = PREVIEW_CHARACTERS;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  const excerpt = typeof value === 'string' ? JSON.stringify(text.slice(0, end)) : text.slice(0, end);
  return `${excerpt}... (${text.length - end} more characters)`;
}
