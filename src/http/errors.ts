// One error class for every request the ingress rejects. Each code is stable (tests and logs
// match on it) and maps to exactly one HTTP status in STATUS_BY_CODE.

export type HttpErrorCode =
  | 'INVALID_METHOD'
  | 'UNSUPPORTED_METHOD'
  | 'INVALID_TARGET'
  | 'INVALID_VERSION'
  | 'UNSUPPORTED_VERSION'
  | 'INVALID_REQUEST_LINE'
  | 'INVALID_HEADER_NAME'
  | 'INVALID_HEADER_VALUE'
  | 'OBSOLETE_LINE_FOLDING'
  | 'INVALID_CONTENT_LENGTH'
  | 'CONFLICTING_CONTENT_LENGTH'
  | 'CONTENT_LENGTH_WITH_TRANSFER_ENCODING'
  | 'INVALID_TRANSFER_ENCODING'
  | 'UNSUPPORTED_TRANSFER_CODING'
  | 'INVALID_CHUNK_SIZE'
  | 'INVALID_CHUNK'
  | 'INVALID_LINE_ENDING'
  | 'INVALID_HOST'
  | 'TARGET_TOO_LONG'
  | 'HEADERS_TOO_LARGE'
  | 'BODY_TOO_LARGE'
  | 'HEADERS_TIMEOUT'
  | 'BODY_TIMEOUT'
  | 'INCOMPLETE_REQUEST';

const STATUS_BY_CODE: Record<HttpErrorCode, number> = {
  INVALID_METHOD: 400,
  UNSUPPORTED_METHOD: 501,
  INVALID_TARGET: 400,
  INVALID_VERSION: 400,
  UNSUPPORTED_VERSION: 505,
  INVALID_REQUEST_LINE: 400,
  INVALID_HEADER_NAME: 400,
  INVALID_HEADER_VALUE: 400,
  OBSOLETE_LINE_FOLDING: 400,
  INVALID_CONTENT_LENGTH: 400,
  CONFLICTING_CONTENT_LENGTH: 400,
  CONTENT_LENGTH_WITH_TRANSFER_ENCODING: 400,
  INVALID_TRANSFER_ENCODING: 400,
  UNSUPPORTED_TRANSFER_CODING: 501,
  INVALID_CHUNK_SIZE: 400,
  INVALID_CHUNK: 400,
  INVALID_LINE_ENDING: 400,
  INVALID_HOST: 400,
  TARGET_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  BODY_TOO_LARGE: 413,
  HEADERS_TIMEOUT: 408,
  BODY_TIMEOUT: 408,
  INCOMPLETE_REQUEST: 400,
};

/**
 * A request the ingress cannot serve. The connection that raised it is closed after the
 * error response, because the byte stream can no longer be trusted to frame a next request.
 */
export class HttpError extends Error {
  readonly code: HttpErrorCode;
  readonly status: number;

  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.status = STATUS_BY_CODE[code];
  }
}

export function statusForCode(code: HttpErrorCode): number {
  return STATUS_BY_CODE[code];
}
