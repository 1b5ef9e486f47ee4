// Queue management: list, create, show and delete queues, passed through to SQS with the
// request's credentials. Browsers get HTML and post forms; API clients get JSON.

import { AcceleratorError } from '../accelerator/errors.js';
import { checkCharset, checkNotMultipart, parseContentType } from '../accelerator/body-forms.js';
import { validateQueueName } from '../accelerator/validate.js';
import type { IngressRequest } from '../http/request.js';
import type { Reply } from '../http/reply.js';
import type { Router } from '../http/router.js';
import type { ApiContext } from './context.js';
import { requestCredentials } from './messages.js';
import { answering, redirect, sendHtml, wantsHtml } from './respond.js';
import { renderQueue, renderQueueList } from './html/queues.js';

/** ListQueues pages fetched at most for one listing: 10 pages of 1,000 queues. */
const MAX_LIST_PAGES = 10;

/** Queue attributes settable at creation, with SQS's ranges (CreateQueue API reference). */
const NUMERIC_ATTRIBUTES: Record<string, { attribute: string; min: number; max: number }> = {
  visibility_timeout: { attribute: 'VisibilityTimeout', min: 0, max: 43_200 },
  delay_seconds: { attribute: 'DelaySeconds', min: 0, max: 900 },
  message_retention_period: { attribute: 'MessageRetentionPeriod', min: 60, max: 1_209_600 },
  maximum_message_size: { attribute: 'MaximumMessageSize', min: 1024, max: 1_048_576 },
  receive_message_wait_time_seconds: { attribute: 'ReceiveMessageWaitTimeSeconds', min: 0, max: 20 },
};
const BOOLEAN_ATTRIBUTES: Record<string, string> = {
  fifo: 'FifoQueue',
  content_based_deduplication: 'ContentBasedDeduplication',
};

// The words the command line accepts for booleans; an HTML checkbox sends "on" or its value.
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/** Converts a camelCase JSON key to the form field's snake_case name: `queueName` to `queue_name`. */
function snakeCaseOf(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Reads the fields of a create request, sent as a form or as a JSON object. JSON keys may be
 * snake_case like the form fields or camelCase like the message JSON.
 */
function readCreateFields(request: IngressRequest): Map<string, unknown> {
  const { mediaType, charset } = parseContentType(request.header('content-type'));
  checkNotMultipart(mediaType);
  checkCharset(charset);
  const fields = new Map<string, unknown>();

  if (mediaType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body.toString('utf8'));
    } catch (error) {
      throw new AcceleratorError('INVALID_JSON', 'body', `request body is not valid JSON (${(error as Error).message}); send {"queue_name": "..."}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AcceleratorError('INVALID_JSON', 'body', 'request body must be a JSON object such as {"queue_name": "orders"}');
    }
    for (const [name, value] of Object.entries(parsed)) fields.set(snakeCaseOf(name), value);
    return fields;
  }

  if (mediaType !== '' && mediaType !== 'application/x-www-form-urlencoded') {
    throw new AcceleratorError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type', `Content-Type ${mediaType} is not accepted here: send a form (application/x-www-form-urlencoded) or JSON`);
  }
  for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) {
    if (value !== '') fields.set(name, value);
  }
  return fields;
}

/** Turns create fields into a queue name and SQS attributes, rejecting unknown fields and bad values. */
export function queueCreation(fields: Map<string, unknown>): { name: string; attributes: Record<string, string> } {
  const attributes: Record<string, string> = {};
  for (const [field, value] of fields) {
    if (field === 'queue_name') continue;
    const numeric = NUMERIC_ATTRIBUTES[field];
    const flag = BOOLEAN_ATTRIBUTES[field];
    if (numeric !== undefined) {
      const number = typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(number) || number < numeric.min || number > numeric.max) {
        throw new AcceleratorError('INVALID_FIELD', field, `${field} must be a whole number from ${numeric.min} to ${numeric.max}, got ${JSON.stringify(value)}`);
      }
      attributes[numeric.attribute] = String(number);
    } else if (flag !== undefined) {
      const text = String(value).toLowerCase();
      if (!TRUE_WORDS.has(text) && !FALSE_WORDS.has(text)) {
        throw new AcceleratorError('INVALID_FIELD', field, `${field} must be true or false (also yes, no, on, off, 1, 0), got ${JSON.stringify(value)}`);
      }
      if (TRUE_WORDS.has(text)) attributes[flag] = 'true';
    } else {
      const known = ['queue_name', ...Object.keys(NUMERIC_ATTRIBUTES), ...Object.keys(BOOLEAN_ATTRIBUTES)].join(', ');
      throw new AcceleratorError('UNKNOWN_FIELD', field, `unknown field ${JSON.stringify(field)}; known fields: ${known}`);
    }
  }

  const name = fields.get('queue_name');
  if (typeof name !== 'string' || name === '') {
    throw new AcceleratorError('INVALID_QUEUE_NAME', 'queue_name', 'queue_name is missing: send the name of the queue to create');
  }
  validateQueueName(name, 'queue_name');

  const fifoName = name.endsWith('.fifo');
  if (attributes.FifoQueue === 'true' && !fifoName) {
    throw new AcceleratorError('INVALID_QUEUE_NAME', 'queue_name', `a FIFO queue name must end in ".fifo": use ${JSON.stringify(`${name}.fifo`)}`);
  }
  if (fifoName) attributes.FifoQueue = 'true';
  if (attributes.ContentBasedDeduplication === 'true' && !fifoName) {
    throw new AcceleratorError('INVALID_FIELD', 'content_based_deduplication', 'content-based deduplication applies only to FIFO queues (names ending in ".fifo")');
  }
  return { name, attributes };
}

/** Returns the queue name in an SQS queue URL, which is its last path segment. */
function nameOfQueueUrl(url: string): string {
  return decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
}

async function listQueues(context: ApiContext, request: IngressRequest, reply: Reply): Promise<void> {
  await answering(context.logger, request, reply, async () => {
    const credentials = requestCredentials(context, request);
    const prefix = request.query.get('prefix') ?? undefined;
    const names: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const result = await context.client.listQueues({ MaxResults: 1000, QueueNamePrefix: prefix, NextToken: nextToken }, credentials);
      for (const url of (result.QueueUrls as string[] | undefined) ?? []) names.push(nameOfQueueUrl(url));
      nextToken = result.NextToken as string | undefined;
      if (nextToken === undefined) break;
    }
    names.sort();

    if (wantsHtml(request)) sendHtml(reply, 200, renderQueueList({ queues: names }));
    else reply.json(200, { queues: names.map((name) => ({ name, href: `/queues/${encodeURIComponent(name)}` })), truncated: nextToken !== undefined });
  });
}

async function createQueue(context: ApiContext, request: IngressRequest, reply: Reply): Promise<void> {
  await answering(context.logger, request, reply, async () => {
    const credentials = requestCredentials(context, request);
    const { name, attributes } = queueCreation(readCreateFields(request));
    await context.client.createQueue({ QueueName: name, Attributes: attributes }, credentials);
    context.client.forgetQueue(name, credentials);
    context.logger.info({ queue: name, accessKeyId: credentials.accessKeyId }, 'created a queue');

    const location = `/queues/${encodeURIComponent(name)}`;
    if (wantsHtml(request)) redirect(reply, location);
    else reply.json(201, { name, href: location, attributes }, { Location: location });
  });
}

async function showQueue(context: ApiContext, request: IngressRequest, reply: Reply): Promise<void> {
  await answering(context.logger, request, reply, async () => {
    const name = request.params.name;
    validateQueueName(name);
    const credentials = requestCredentials(context, request);
    const queueUrl = await context.client.getQueueUrl(name, credentials);
    const result = await context.client.getQueueAttributes({ QueueUrl: queueUrl, AttributeNames: ['All'] }, credentials);
    const attributes = (result.Attributes as Record<string, string> | undefined) ?? {};

    if (wantsHtml(request)) {
      const recent = context.accelerator.index.recent(1000).filter((status) => status.queue === name).slice(0, 50);
      sendHtml(reply, 200, renderQueue({ name, attributes, recent }));
    } else {
      reply.json(200, { name, attributes });
    }
  });
}

async function deleteQueue(context: ApiContext, request: IngressRequest, reply: Reply, fromForm: boolean): Promise<void> {
  await answering(context.logger, request, reply, async () => {
    const name = request.params.name;
    validateQueueName(name);
    if (fromForm && new URLSearchParams(request.body.toString('utf8')).get('confirm') !== 'yes') {
      throw new AcceleratorError('INVALID_FIELD', 'confirm', 'tick the confirmation box to delete the queue');
    }
    const credentials = requestCredentials(context, request);
    const queueUrl = await context.client.getQueueUrl(name, credentials);
    await context.client.deleteQueue({ QueueUrl: queueUrl }, credentials, name);
    context.logger.info({ queue: name, accessKeyId: credentials.accessKeyId }, 'deleted a queue');

    if (fromForm && wantsHtml(request)) redirect(reply, '/queues');
    else reply.send(204);
  });
}

export function addQueueRoutes(router: Router, context: ApiContext): void {
  router.add('GET', '/queues', (request, reply) => listQueues(context, request, reply));
  router.add('POST', '/queues', (request, reply) => createQueue(context, request, reply));
  router.add('GET', '/queues/:name', (request, reply) => showQueue(context, request, reply));
  router.add('DELETE', '/queues/:name', (request, reply) => deleteQueue(context, request, reply, false));
  router.add('POST', '/queues/:name/delete', (request, reply) => deleteQueue(context, request, reply, true));
}
