// Limits and callbacks that a server shares with its connections.

import type { HttpError } from './errors.js';
import type { ParserFactory } from './parser.js';
import type { IngressRequest } from './request.js';
import type { Reply } from './reply.js';
import type { Connection } from './connection.js';

export interface IngressLimits {
  /** Maximum bytes of request line plus headers (431 past it). */
  maxHeaderBytes: number;
  /** Maximum request-target length in bytes (414 past it). */
  maxTargetLength: number;
  /** Maximum request body bytes (413 past it). */
  maxBodyBytes: number;
  /** Maximum unanswered requests per connection; reading pauses at this count. */
  maxPipelinedRequests: number;
  /** Maximum open client connections; further ones get 503 and are closed. */
  maxConnections: number;
  /** Milliseconds from the first byte of a request to the end of its head (408 past it). */
  headersTimeout: number;
  /** Milliseconds from the end of a head to the end of its body (408 past it). */
  bodyTimeout: number;
  /** Milliseconds an idle keep-alive connection stays open. */
  keepAliveTimeout: number;
  /** Milliseconds a closing connection keeps draining input before it is destroyed. */
  closeLingerTimeout: number;
}

// The body limit fits a 1 MiB SQS message sent as a form, where percent-encoding can triple
// every byte, plus 64 KiB for attributes and field names.
export const DEFAULT_LIMITS: IngressLimits = {
  maxHeaderBytes: 16 * 1024,
  maxTargetLength: 8 * 1024,
  maxBodyBytes: 3 * 1024 * 1024 + 64 * 1024,
  maxPipelinedRequests: 100,
  maxConnections: 10_000,
  headersTimeout: 10_000,
  bodyTimeout: 30_000,
  keepAliveTimeout: 5_000,
  closeLingerTimeout: 2_000,
};

export interface IngressContext {
  readonly limits: IngressLimits;
  readonly createParser: ParserFactory;
  dispatch(request: IngressRequest, reply: Reply): void;
  onProtocolError(error: HttpError, remoteAddress: string): void;
  onSocketError(error: NodeJS.ErrnoException, remoteAddress: string): void;
  onClose(connection: Connection): void;
}
