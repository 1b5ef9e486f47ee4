// Content negotiation and error responses shared by the route handlers.

import { AcceleratorError } from '../accelerator/errors.js';
import type { IngressRequest } from '../http/request.js';
import type { Reply, ResponseHeaders } from '../http/reply.js';
import { SqsError } from '../sqs/index.js';
import type { Logger } from '../log.js';
import type { Unrouted } from '../http/server.js';
import { renderError } from './html/error.js';

const HTML_TYPE = 'text/html; charset=utf-8';

/** True when the client asks for HTML (a browser), false for API clients such as curl or SDKs. */
export function wantsHtml(request: IngressRequest): boolean {
  const accept = request.header('accept');
  return accept !== undefined && accept.includes('text/html');
}

export function sendHtml(reply: Reply, status: number, html: string, headers: ResponseHeaders = {}): void {
  reply.send(status, html, { 'Content-Type': HTML_TYPE, 'Cache-Control': 'no-store', ...headers });
}

/** Redirects a browser's form post with 303, so that reloading the next page does not post again. */
export function redirect(reply: Reply, location: string): void {
  reply.send(303, '', { Location: location });
}

/** The status, code, field, message and headers of an error response. */
interface ErrorView {
  status: number;
  code: string;
  field: string;
  message: string;
  headers: ResponseHeaders;
}

/** Maps an SQS error onto the status an API client should see. */
function statusForSqsError(error: SqsError): number {
  switch (error.code) {
    case 'QueueDoesNotExist':
    case 'AWS.SimpleQueueService.NonExistentQueue':
      return 404;
    case 'QueueNameExists':
    case 'QueueAlreadyExists':
    case 'QueueDeletedRecently':
      return 409;
    case 'AccessDenied':
    case 'AccessDeniedException':
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
    case 'UnrecognizedClientException':
      return 403;
    default:
      break;
  }
  if (error.retryable) return error.statusCode === 0 || error.statusCode >= 500 ? 502 : 503;
  return 400;
}

function viewOf(error: unknown): ErrorView | undefined {
  if (error instanceof AcceleratorError) {
    const headers: ResponseHeaders = {};
    if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="sqs-accelerator", charset="UTF-8"';
    if (error.status === 503) headers['Retry-After'] = 1;
    return { status: error.status, code: error.code, field: error.field, message: error.message, headers };
  }
  if (error instanceof SqsError) {
    const status = statusForSqsError(error);
    const message = `SQS answered ${error.code}: ${error.message}`;
    return { status, code: error.code, field: '', message, headers: status === 503 ? { 'Retry-After': 1 } : {} };
  }
  return undefined;
}

/**
 * Sends the response for an expected error (an AcceleratorError or an SqsError) as JSON
 * `{"error": {code, field, message}}` or as an HTML page. Returns false for anything else, which
 * the caller rethrows so the server logs it and responds with 500.
 */
export function sendError(request: IngressRequest, reply: Reply, error: unknown): boolean {
  const view = viewOf(error);
  if (view === undefined) return false;

  if (wantsHtml(request)) {
    sendHtml(reply, view.status, renderError({ status: view.status, code: view.code, message: view.message, field: view.field }), view.headers);
  } else {
    reply.json(view.status, { error: { code: view.code, field: view.field, message: view.message } }, view.headers);
  }
  return true;
}

/**
 * Runs a handler body and turns expected errors into responses. Upstream failures are logged
 * as warnings; rejected input only at debug level, because the client already gets the reason.
 */
export async function answering(logger: Logger, request: IngressRequest, reply: Reply, body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!sendError(request, reply, error)) throw error;
    const fields = { method: request.method, path: request.path, code: (error as { code: string }).code, reason: (error as Error).message };
    if (error instanceof SqsError) logger.warn(fields, 'SQS request failed');
    else logger.debug(fields, 'rejected a request');
  }
}

/** Sends 404, 405 and malformed-path errors in the same JSON or HTML form as every other API error. */
export function sendUnrouted(request: IngressRequest, reply: Reply, unrouted: Unrouted): void {
  let code = 'InvalidPath';
  if (unrouted.status === 404) code = 'NotFound';
  else if (unrouted.status === 405) code = 'MethodNotAllowed';
  const headers: ResponseHeaders = unrouted.allow === undefined ? {} : { Allow: unrouted.allow.join(', ') };
  if (wantsHtml(request)) {
    sendHtml(reply, unrouted.status, renderError({ status: unrouted.status, code, message: unrouted.message, field: 'path' }), headers);
  } else {
    reply.json(unrouted.status, { error: { code, field: 'path', message: unrouted.message } }, headers);
  }
}
