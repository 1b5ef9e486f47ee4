// Sending messages: one per request (form, raw body or JSON) or many as NDJSON. Everything is
// validated before the 202, so a client learns about a bad message at once, with the field named.

import { checkCharset, checkNotMultipart, parseContentType, parseMessageBody, parseMessageLines } from '../accelerator/body-forms.js';
import { validateMessage, validateMessageLines, validateQueueName } from '../accelerator/validate.js';
import type { Credentials } from '../accelerator/credentials.js';
import { AcceleratorError } from '../accelerator/errors.js';
import type { IngressRequest } from '../http/request.js';
import type { Reply } from '../http/reply.js';
import type { Router } from '../http/router.js';
import type { ApiContext } from './context.js';
import { answering, redirect, wantsHtml } from './respond.js';

/** Returns the request's own credentials (Basic auth, optional X-Amz-Security-Token) or the accelerator's. */
export function requestCredentials(context: ApiContext, request: IngressRequest): Credentials {
  return context.credentials.resolve(request.header('authorization'), request.header('x-amz-security-token'));
}

/**
 * Rejects an empty request that declared no body length: typed by hand, its body would
 * otherwise be read as the next request.
 */
function checkBodyFraming(request: IngressRequest): void {
  if (request.body.length > 0 || request.header('content-length') !== undefined || request.header('transfer-encoding') !== undefined) return;
  throw new AcceleratorError('MISSING_BODY', 'body', 'request has no body: send the message with a Content-Length header (or Transfer-Encoding: chunked)');
}

/** The form field that carries each message field, as the 2009 prototype named them. */
const FORM_FIELD_NAMES: Record<string, string> = {
  body: 'message_body',
  delaySeconds: 'delay_seconds',
  groupId: 'group_id',
  deduplicationId: 'deduplication_id',
};

/** Restates a validation error of a form post with the form's field names, which the sender used. */
function inFormTerms(error: AcceleratorError): AcceleratorError {
  const field = FORM_FIELD_NAMES[error.field];
  if (field === undefined) return error;
  const message = error.message.replace(new RegExp(`^${error.field}\\b`), field);
  return new AcceleratorError(error.code, field, message);
}

function sendOne(context: ApiContext, request: IngressRequest, reply: Reply): Promise<void> {
  return answering(context.logger, request, reply, () => {
    const queue = request.params.name;
    validateQueueName(queue);
    const credentials = requestCredentials(context, request);
    checkBodyFraming(request);
    const contentType = request.header('content-type');
    const message = parseMessageBody(contentType, request.body);
    let size: number;
    try {
      size = validateMessage(queue, message, { maxMessageBytes: context.settings.maxMessageBytes });
    } catch (error) {
      const isForm = parseContentType(contentType).mediaType === 'application/x-www-form-urlencoded';
      throw isForm && error instanceof AcceleratorError ? inFormTerms(error) : error;
    }
    const [id] = context.accelerator.accept(queue, [{ message, size }], credentials);

    const location = `/messages/${id}`;
    if (wantsHtml(request)) redirect(reply, location);
    else reply.json(202, { id, queue }, { Location: location });
  });
}

function sendMany(context: ApiContext, request: IngressRequest, reply: Reply): Promise<void> {
  return answering(context.logger, request, reply, () => {
    const queue = request.params.name;
    validateQueueName(queue);
    const credentials = requestCredentials(context, request);
    const { mediaType, charset } = parseContentType(request.header('content-type'));
    checkNotMultipart(mediaType);
    checkCharset(charset);
    const lines = parseMessageLines(request.body, { maxMessages: context.settings.maxRequestMessages });
    const sizes = validateMessageLines(queue, lines, { maxMessageBytes: context.settings.maxMessageBytes });
    const ids = context.accelerator.accept(
      queue,
      lines.map((line, index) => ({ message: line.message, size: sizes[index] })),
      credentials,
    );
    reply.json(202, { queue, ids });
  });
}

export function addMessageRoutes(router: Router, context: ApiContext): void {
  router.add('POST', '/queues/:name', (request, reply) => sendOne(context, request, reply));
  router.add('POST', '/queues/:name/messages', (request, reply) => sendMany(context, request, reply));
}
