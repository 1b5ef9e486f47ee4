import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { MessageStatus } from '../../src/accelerator/message-index.js';
import { parseMessageBody, parseMessageLines } from '../../src/accelerator/body-forms.js';
import { validateMessage } from '../../src/accelerator/validate.js';
import { LatencyHistogram } from '../../src/sqs/latency.js';
import { buildHomeData, renderError, renderHome, renderMessage, renderQueue, renderQueueList, type HomeData } from '../../src/api/html/index.js';

// A strict reader of the markup the renderers write, written for this test. Every `<` starts a
// tag, every tag and attribute must be on an allowlist, attribute values must be double-quoted,
// and every `&` must start one of the five entities the escaper writes. Injected markup
// therefore fails the reader instead of slipping through as an unknown tag or a broken attribute.

// A value that tries every way out of text and attribute context, and contains an entity
// that must survive as written.
const HOSTILE = `<script>alert("x")</script><img src=x onerror='alert(1)'>&amp; "q" 'a'`;

const TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'nav', 'a', 'h1', 'h2', 'p', 'ul', 'li', 'table', 'tr', 'th', 'td',
  'code', 'pre', 'form', 'label', 'input', 'textarea', 'button', 'time',
]);
const VOID_TAGS = new Set(['meta', 'input']);
const ATTRIBUTES = new Set([
  'lang', 'charset', 'name', 'content', 'http-equiv', 'href', 'class', 'method', 'action', 'type', 'required', 'maxlength',
  'pattern', 'value', 'min', 'max', 'step', 'datetime',
]);
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

interface Element {
  name: string;
  attributes: Map<string, string>;
  children: Node[];
}
type Node = Element | string;

function decode(text: string, where: string): string {
  return text.replace(/&[^;]*;?/g, (entity) => {
    const character = ENTITIES[entity];
    if (character === undefined) throw new Error(`unknown entity ${JSON.stringify(entity)} in ${where}`);
    return character;
  });
}

function checkText(text: string, where: string): string {
  assert.not.ok(text.includes('>'), `raw ">" in ${where}: ${JSON.stringify(text.slice(0, 80))}`);
  assert.not.ok(text.includes('"'), `raw double quote in ${where}: ${JSON.stringify(text.slice(0, 80))}`);
  assert.not.ok(text.includes("'"), `raw single quote in ${where}: ${JSON.stringify(text.slice(0, 80))}`);
  return decode(text, where);
}

/** Parses a page into a tree of elements, failing on anything outside the allowlists. */
function parsePage(html: string): Element {
  assert.ok(html.startsWith('<!DOCTYPE html>\n'), 'the page starts with the HTML5 doctype');
  const root: Element = { name: '#document', attributes: new Map(), children: [] };
  const open: Element[] = [root];
  let position = '<!DOCTYPE html>\n'.length;

  while (position < html.length) {
    const parent = open[open.length - 1];
    const next = html.indexOf('<', position);
    const textEnd = next === -1 ? html.length : next;
    if (textEnd > position) {
      const raw = html.slice(position, textEnd);
      // The stylesheet is raw text, so only its own closing tag ends it.
      parent.children.push(parent.name === 'style' ? raw : checkText(raw, `text of <${parent.name}>`));
      position = textEnd;
      continue;
    }

    const tag = /^<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/.exec(html.slice(position));
    if (tag === null) throw new Error(`malformed tag at offset ${position}: ${JSON.stringify(html.slice(position, position + 60))}`);
    const [whole, closing, name, attributeText] = tag;
    if (!TAGS.has(name)) throw new Error(`unexpected tag <${name}> at offset ${position}`);
    position += whole.length;

    if (closing === '/') {
      const current = open.pop();
      if (current?.name !== name) throw new Error(`</${name}> closes <${current?.name}> at offset ${position}`);
      continue;
    }

    const attributes = new Map<string, string>();
    for (const attribute of attributeText.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) {
      const attributeName = attribute[1];
      if (!ATTRIBUTES.has(attributeName)) throw new Error(`unexpected attribute ${attributeName} on <${name}>`);
      if (attributes.has(attributeName)) throw new Error(`duplicate attribute ${attributeName} on <${name}>`);
      attributes.set(attributeName, decode(attribute[2] ?? '', `attribute ${attributeName} of <${name}>`));
    }
    const element: Element = { name, attributes, children: [] };
    parent.children.push(element);
    if (!VOID_TAGS.has(name)) open.push(element);
  }

  assert.is(open.length, 1, `every element is closed (still open: ${open.map((element) => element.name).join(' ')})`);
  return root;
}

function findAll(node: Element, name: string): Element[] {
  const found: Element[] = [];
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (child.name === name) found.push(child);
    found.push(...findAll(child, name));
  }
  return found;
}

function textOf(node: Node): string {
  if (typeof node === 'string') return node;
  return node.children.map(textOf).join('');
}

function only(node: Element, name: string): Element {
  const found = findAll(node, name);
  assert.is(found.length, 1, `one <${name}>`);
  return found[0];
}

interface FormField {
  tag: string;
  type: string | undefined;
  required: boolean;
  value: string | undefined;
}

/** Returns the forms of a page by action, with their fields by name. */
function formsOf(page: Element): Map<string, { method: string | undefined; fields: Map<string, FormField> }> {
  const forms = new Map<string, { method: string | undefined; fields: Map<string, FormField> }>();
  for (const form of findAll(page, 'form')) {
    const fields = new Map<string, FormField>();
    for (const tag of ['input', 'textarea', 'button']) {
      for (const field of findAll(form, tag)) {
        const name = field.attributes.get('name');
        if (name === undefined) continue;
        fields.set(name, { tag, type: field.attributes.get('type'), required: field.attributes.has('required'), value: field.attributes.get('value') });
      }
    }
    forms.set(form.attributes.get('action') ?? '', { method: form.attributes.get('method'), fields });
  }
  return forms;
}

/** Returns the th-to-td pairs of every two-cell table row on the page. */
function rowsOf(page: Element): Map<string, string> {
  const rows = new Map<string, string>();
  for (const row of findAll(page, 'tr')) {
    const headers = findAll(row, 'th');
    const cells = findAll(row, 'td');
    if (headers.length === 1 && cells.length === 1) rows.set(textOf(headers[0]), textOf(cells[0]));
  }
  return rows;
}

function hrefsOf(page: Element): string[] {
  return findAll(page, 'a').map((link) => link.attributes.get('href') ?? '');
}

/** Checks what every page must have: charset, title, no script, and no raw hostile text. */
function checkDocument(html: string): Element {
  assert.not.ok(html.includes(HOSTILE), 'the raw hostile value never appears');
  assert.not.match(html, /<script/i);
  assert.not.match(html, /<img/i);

  const page = parsePage(html);
  const charset = findAll(page, 'meta').filter((meta) => meta.attributes.get('charset') === 'utf-8');
  assert.is(charset.length, 1, 'one <meta charset="utf-8">');
  assert.ok(textOf(only(page, 'title')).length > 0, 'the title is not empty');
  return page;
}

function makeStatus(overrides: Partial<MessageStatus>): MessageStatus {
  return { id: 'm-1', queue: 'orders', acceptedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678), state: 'pending', sqsMessageId: undefined, error: undefined, ...overrides };
}

function makeHomeData(overrides: Partial<HomeData> = {}): HomeData {
  return {
    version: '0.1.0',
    baseUrl: 'http://127.0.0.1:9292',
    endpoint: 'http://127.0.0.1:4566',
    region: 'eu-west-1',
    startedAt: 1_000_000,
    now: 1_000_000 + 3_723_000,
    accepted: 1001,
    sent: 1002,
    failed: 1003,
    retried: 1004,
    pendingMessages: 1005,
    pendingBytes: 1006,
    rejectedOverload: 1007,
    deadLettersWritten: 1008,
    deadLetterWriteFailures: 1009,
    sqsCalls: 2001,
    batches: 12,
    entriesSent: 30,
    inFlight: 2004,
    latencyCount: 4,
    latencyP50Ms: 5,
    latencyP99Ms: 30,
    latencyMaxMs: 31.25,
    ...overrides,
  };
}

const escaping = suite('escaping');

escaping('home page escapes its strings', () => {
  const html = renderHome(makeHomeData({ version: HOSTILE, baseUrl: HOSTILE, endpoint: HOSTILE, region: HOSTILE }));
  const page = checkDocument(html);

  assert.ok(textOf(only(page, 'h1')).includes(HOSTILE), 'version in the heading');
  const text = textOf(page);
  assert.ok(text.includes(`Endpoint ${HOSTILE}, region ${HOSTILE}.`), 'endpoint and region');
  assert.ok(textOf(only(page, 'pre')).includes(`${HOSTILE}/queues/my-queue`), 'base URL in the examples');
});

escaping('queue list escapes names and error', () => {
  const html = renderQueueList({ queues: [HOSTILE, 'plain'], error: HOSTILE });
  const page = checkDocument(html);

  const items = findAll(page, 'li').map(textOf);
  assert.equal(items, [HOSTILE, 'plain']);
  assert.ok(findAll(page, 'p').some((paragraph) => textOf(paragraph) === HOSTILE), 'error message shown');
  assert.ok(hrefsOf(page).includes(`/queues/${encodeURIComponent(HOSTILE)}`), 'link percent-encodes the name');
});

escaping('queue page escapes every value', () => {
  const html = renderQueue({
    name: HOSTILE,
    attributes: { [HOSTILE]: HOSTILE, VisibilityTimeout: '30' },
    recent: [makeStatus({ id: HOSTILE, queue: HOSTILE, state: 'failed', error: { code: HOSTILE, message: 'x' } })],
  });
  const page = checkDocument(html);

  assert.is(textOf(only(page, 'h1')), HOSTILE);
  assert.ok(textOf(only(page, 'title')).includes(HOSTILE), 'name in the title');
  const rows = rowsOf(page);
  assert.is(rows.get(HOSTILE), HOSTILE, 'attribute name and value');
  assert.is(rows.get('VisibilityTimeout'), '30');

  const encoded = `/queues/${encodeURIComponent(HOSTILE)}`;
  const forms = formsOf(page);
  assert.ok(forms.has(encoded), 'send form action percent-encodes the name');
  assert.ok(forms.has(`${encoded}/delete`), 'delete form action percent-encodes the name');
  assert.ok(textOf(page).includes(`delete ${HOSTILE} and`), 'name in the delete confirmation');

  const recentCells = findAll(page, 'td').map(textOf);
  assert.ok(recentCells.includes(HOSTILE), 'recent message id');
  assert.ok(recentCells.includes(`failed: ${HOSTILE}`), 'recent message error code');
  assert.ok(hrefsOf(page).includes(`/messages/${encodeURIComponent(HOSTILE)}`), 'recent message link');
});

escaping('message page escapes every value', () => {
  const sent = checkDocument(renderMessage(makeStatus({ id: HOSTILE, queue: HOSTILE, state: 'sent', sqsMessageId: HOSTILE })));
  const sentRows = rowsOf(sent);
  assert.is(sentRows.get('Id'), HOSTILE);
  assert.is(sentRows.get('Queue'), HOSTILE);
  assert.is(sentRows.get('SQS MessageId'), HOSTILE);
  assert.ok(hrefsOf(sent).includes(`/queues/${encodeURIComponent(HOSTILE)}`), 'queue link percent-encodes the name');
  assert.ok(textOf(only(sent, 'title')).includes(HOSTILE), 'id in the title');

  const failed = checkDocument(renderMessage(makeStatus({ state: 'failed', error: { code: HOSTILE, message: HOSTILE } })));
  const failedRows = rowsOf(failed);
  assert.is(failedRows.get('Error code'), HOSTILE);
  assert.is(failedRows.get('Error message'), HOSTILE);
});

escaping('error page escapes every value', () => {
  const page = checkDocument(renderError({ status: 400, code: HOSTILE, message: HOSTILE, field: HOSTILE }));
  const text = textOf(page);
  assert.ok(text.includes(`${HOSTILE}: ${HOSTILE}`), 'code and message');
  assert.ok(text.includes(`Field: ${HOSTILE}`), 'field');
});

escaping.run();

const forms = suite('forms');

forms('queue list create form', () => {
  const page = checkDocument(renderQueueList({ queues: [] }));
  const create = formsOf(page).get('/queues');
  assert.ok(create, 'a form posts to /queues');
  assert.is(create.method, 'post');

  assert.equal([...create.fields.keys()].sort(), ['content_based_deduplication', 'delay_seconds', 'fifo', 'queue_name', 'visibility_timeout']);
  assert.equal(create.fields.get('queue_name'), { tag: 'input', type: 'text', required: true, value: undefined });
  assert.equal(create.fields.get('fifo'), { tag: 'input', type: 'checkbox', required: false, value: 'true' });
  assert.equal(create.fields.get('content_based_deduplication'), { tag: 'input', type: 'checkbox', required: false, value: 'true' });
  assert.is(create.fields.get('visibility_timeout')?.type, 'number');
  assert.is(create.fields.get('delay_seconds')?.type, 'number');
});

forms('standard queue send form', () => {
  const page = checkDocument(renderQueue({ name: 'orders', attributes: {}, recent: [] }));
  const send = formsOf(page).get('/queues/orders');
  assert.ok(send, 'a form posts to the queue');
  assert.is(send.method, 'post');

  assert.equal([...send.fields.keys()].sort(), ['delay_seconds', 'message_body']);
  assert.equal(send.fields.get('message_body'), { tag: 'textarea', type: undefined, required: true, value: undefined });
  assert.is(send.fields.get('delay_seconds')?.type, 'number');
});

forms('fifo queue send form', () => {
  const page = checkDocument(renderQueue({ name: 'orders.fifo', attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' }, recent: [] }));
  const send = formsOf(page).get('/queues/orders.fifo');
  assert.ok(send, 'a form posts to the queue');
  assert.is(send.method, 'post');

  assert.equal([...send.fields.keys()].sort(), ['deduplication_id', 'group_id', 'message_body']);
  assert.ok(send.fields.get('group_id')?.required, 'group id is required');
  assert.not.ok(send.fields.get('deduplication_id')?.required, 'deduplication id is optional with content-based deduplication');
});

forms('fifo without content deduplication', () => {
  const page = checkDocument(renderQueue({ name: 'orders.fifo', attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' }, recent: [] }));
  const send = formsOf(page).get('/queues/orders.fifo');
  assert.ok(send?.fields.get('deduplication_id')?.required, 'deduplication id is required');
});

forms('delete form needs confirmation', () => {
  const page = checkDocument(renderQueue({ name: 'orders', attributes: {}, recent: [] }));
  const remove = formsOf(page).get('/queues/orders/delete');
  assert.ok(remove, 'a form posts to the delete route');
  assert.is(remove.method, 'post');
  assert.equal([...remove.fields.keys()], ['confirm']);
  assert.equal(remove.fields.get('confirm'), { tag: 'input', type: 'checkbox', required: true, value: 'yes' });
});

forms('recent lists only this queue', () => {
  const recent = [makeStatus({ id: 'mine-1', queue: 'orders' }), makeStatus({ id: 'other-1', queue: 'billing' }), makeStatus({ id: 'mine-2', queue: 'orders', state: 'sent', sqsMessageId: 's' })];
  const page = checkDocument(renderQueue({ name: 'orders', attributes: {}, recent }));

  const messageLinks = hrefsOf(page).filter((href) => href.startsWith('/messages/'));
  assert.equal(messageLinks, ['/messages/mine-1', '/messages/mine-2']);
  const cells = findAll(page, 'td').map(textOf);
  assert.ok(cells.includes('2026-01-02T03:04:05.678Z'), 'accepted time in ISO 8601');
  assert.ok(cells.includes('sent'), 'state shown');
});

forms.run();

const pages = suite('pages');

pages('home shows the counters', () => {
  const page = checkDocument(renderHome(makeHomeData()));
  const rows = rowsOf(page);

  const expected: [string, string][] = [
    ['Accepted', '1001'],
    ['Sent', '1002'],
    ['Failed', '1003'],
    ['Retried', '1004'],
    ['Pending messages', '1005'],
    ['Pending bytes', '1006'],
    ['Rejected (pending limits reached)', '1007'],
    ['Dead letters written', '1008'],
    ['Dead-letter write failures', '1009'],
    ['SendMessage and SendMessageBatch calls', '2001'],
    ['Batches', '12'],
    ['Mean batch size (messages sent per batch)', '2.50'],
    ['Calls in flight', '2004'],
    ['Request latency p50, lookups included (upper-bound estimate)', '5 ms'],
    ['Request latency p99, lookups included (upper-bound estimate)', '30 ms'],
    ['Request latency max', '31.3 ms'],
  ];
  for (const [label, value] of expected) assert.is(rows.get(label), value, label);

  const text = textOf(page);
  assert.ok(text.includes('Endpoint http://127.0.0.1:4566, region eu-west-1.'), 'endpoint and region');
  assert.ok(text.includes('Up 1 h 2 min.'), 'uptime');
});

pages('home without calls says so', () => {
  const rows = rowsOf(checkDocument(renderHome(makeHomeData({ batches: 0, latencyCount: 0 }))));
  assert.is(rows.get('Mean batch size (messages sent per batch)'), 'no batches yet');
  assert.is(rows.get('Request latency p50, lookups included (upper-bound estimate)'), 'no calls yet');
  assert.is(rows.get('Request latency p99, lookups included (upper-bound estimate)'), 'no calls yet');
});

pages('home links and refresh', () => {
  const page = checkDocument(renderHome(makeHomeData()));
  const hrefs = hrefsOf(page);
  for (const href of ['/queues', '/stats', '/metrics', '/healthz', '/readyz']) assert.ok(hrefs.includes(href), `link to ${href}`);

  const refresh = findAll(page, 'meta').filter((meta) => meta.attributes.get('http-equiv') === 'refresh');
  assert.is(refresh.length, 1, 'one refresh');
  assert.is(refresh[0].attributes.get('content'), '5');
});

pages('home examples are accepted', () => {
  const examples = textOf(only(checkDocument(renderHome(makeHomeData())), 'pre'));

  // curl -d sends its data as written, with the form Content-Type; the real body parser and
  // validator must accept every example unchanged.
  const form = /curl -d message_body='([^']*)' http:\/\/127\.0\.0\.1:9292\/queues\/my-queue\n/.exec(examples);
  assert.ok(form, 'form example');
  const formMessage = parseMessageBody('application/x-www-form-urlencoded', Buffer.from(`message_body=${form[1]}`));
  assert.is(formMessage.body, form[1]);
  validateMessage('my-queue', formMessage);

  const json = [...examples.matchAll(/-H 'Content-Type: application\/json' -d '([^']*)' (\S+)/g)];
  assert.is(json.length, 2, 'two JSON examples');
  const standard = parseMessageBody('application/json', Buffer.from(json[0][1]));
  validateMessage('my-queue', standard);
  assert.ok(standard.attributes, 'standard example has attributes');
  assert.ok(Object.keys(standard.attributes).length > 0, 'standard example has at least one attribute');
  assert.type(standard.delaySeconds, 'number');
  assert.is(json[0][2], 'http://127.0.0.1:9292/queues/my-queue');
  const fifo = parseMessageBody('application/json', Buffer.from(json[1][1]));
  validateMessage('my-queue.fifo', fifo);
  assert.type(fifo.groupId, 'string');
  assert.type(fifo.deduplicationId, 'string');
  assert.ok(json[1][2].endsWith('.fifo'), 'FIFO example goes to a .fifo queue');

  assert.match(examples, /--data-binary @message\.txt http:\/\/127\.0\.0\.1:9292\/queues\/my-queue\n/);
  assert.match(examples, /application\/x-ndjson' --data-binary @messages\.ndjson http:\/\/127\.0\.0\.1:9292\/queues\/my-queue\/messages\n/);
  const ndjsonLine = /NDJSON\), such as (\{.*\})\n/.exec(examples);
  assert.ok(ndjsonLine, 'NDJSON line example');
  const lines = parseMessageLines(Buffer.from(`${ndjsonLine[1]}\n${ndjsonLine[1]}\n`));
  assert.is(lines.length, 2);
});

pages('buildHomeData maps counters', () => {
  const latency = new LatencyHistogram();
  for (const duration of [4, 4, 4, 30]) latency.record(duration);

  const data = buildHomeData({
    accelerator: { accepted: 1, sent: 2, failed: 3, retried: 4, pendingMessages: 5, pendingBytes: 6, rejectedOverload: 7, deadLettersWritten: 8, deadLetterWriteFailures: 9 },
    delivery: { calls: 10, batches: 11, entriesSent: 12, entriesFailed: 13, retries: 14, pendingCount: 15, pendingBytes: 16, inFlight: 17, latency: latency.snapshot() },
    version: '1.2.3',
    baseUrl: 'http://127.0.0.1:9292',
    endpoint: 'http://key:secret@127.0.0.1:4566/',
    region: 'us-east-1',
    startedAt: 5,
    now: 6,
  });

  assert.is(data.accepted, 1);
  assert.is(data.sent, 2);
  assert.is(data.failed, 3);
  assert.is(data.retried, 4);
  assert.is(data.pendingMessages, 5);
  assert.is(data.pendingBytes, 6);
  assert.is(data.rejectedOverload, 7);
  assert.is(data.deadLettersWritten, 8);
  assert.is(data.deadLetterWriteFailures, 9);
  assert.is(data.sqsCalls, 10);
  assert.is(data.batches, 11);
  assert.is(data.entriesSent, 12);
  assert.is(data.inFlight, 17);
  assert.is(data.latencyCount, 4);
  // Three of four calls took 4 ms, in the bucket ending at 5 ms; the slowest took 30 ms.
  assert.is(data.latencyP50Ms, 5);
  assert.is(data.latencyP99Ms, 30);
  assert.is(data.latencyMaxMs, 30);
  assert.not.ok(data.endpoint.includes('secret'), 'the endpoint password is dropped');
  assert.not.ok(data.endpoint.includes('key'), 'the endpoint user name is dropped');
  assert.is(data.endpoint, 'http://127.0.0.1:4566/');
});

pages('message states', () => {
  const pending = checkDocument(renderMessage(makeStatus({})));
  assert.match(rowsOf(pending).get('State') ?? '', /^pending/);
  assert.is(rowsOf(pending).get('Accepted'), '2026-01-02T03:04:05.678Z');
  const refresh = findAll(pending, 'meta').filter((meta) => meta.attributes.get('http-equiv') === 'refresh');
  assert.is(refresh.length, 1, 'a pending message page reloads');

  const sent = checkDocument(renderMessage(makeStatus({ state: 'sent', sqsMessageId: 'abc-123' })));
  assert.is(rowsOf(sent).get('State'), 'sent');
  assert.is(rowsOf(sent).get('SQS MessageId'), 'abc-123');
  assert.is(findAll(sent, 'meta').filter((meta) => meta.attributes.get('http-equiv') === 'refresh').length, 0, 'a sent message page does not reload');

  const failed = checkDocument(renderMessage(makeStatus({ state: 'failed', error: { code: 'QueueDoesNotExist', message: 'no such queue' } })));
  assert.is(rowsOf(failed).get('State'), 'failed');
  assert.is(rowsOf(failed).get('Error code'), 'QueueDoesNotExist');
  assert.is(rowsOf(failed).get('Error message'), 'no such queue');
});

pages('error page shows status', () => {
  const page = checkDocument(renderError({ status: 404, code: 'QueueDoesNotExist', message: 'queue orders was not found' }));
  assert.is(textOf(only(page, 'h1')), '404 Not Found');
  assert.ok(textOf(page).includes('QueueDoesNotExist: queue orders was not found'), 'code and message');
  assert.not.ok(textOf(page).includes('Field:'), 'no field line without a field');
});

pages.run();

// The pages in a real browser: forms submitted without JavaScript must produce request bodies
// that the real form parser accepts, and hostile values must not run script. The pages are
// served from a loopback server that records every POST.

const CHROMIUM_PATH = '/usr/bin/chromium';

/** Runs in the browser: whether an input's value fails its pattern attribute. */
function patternMismatch(input: unknown): boolean {
  return (input as { validity: { patternMismatch: boolean } }).validity.patternMismatch;
}

interface RecordedPost {
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

async function startPageServer(pagesByPath: Map<string, string>): Promise<{ server: Server; baseUrl: string; posts: RecordedPost[] }> {
  const posts: RecordedPost[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      if (request.method === 'POST') {
        posts.push({ path, contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><title>received</title><p>received</p>');
        return;
      }
      const page = pagesByPath.get(path);
      if (page === undefined) response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}`, posts };
}

const browserTests = suite('browser');
let browser: Browser | undefined;

browserTests.before(async () => {
  if (!existsSync(CHROMIUM_PATH)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

browserTests.after(async () => {
  await browser?.close();
});

/** Runs `body` with a fresh browser page and a loopback server for `pagesByPath`, then closes both. */
async function withPage(
  pagesByPath: Map<string, string>,
  options: { javaScriptEnabled: boolean },
  body: (page: Page, baseUrl: string, posts: RecordedPost[]) => Promise<void>,
): Promise<void> {
  if (browser === undefined) {
    console.log(`skipped: ${CHROMIUM_PATH} is not installed (apt-get install -y chromium)`);
    return;
  }
  const { server, baseUrl, posts } = await startPageServer(pagesByPath);
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled });
  try {
    await body(await context.newPage(), baseUrl, posts);
  } finally {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

browserTests('send form posts a parsable body', async () => {
  const pagesByPath = new Map([['/queue', renderQueue({ name: 'orders', attributes: {}, recent: [] })]]);
  await withPage(pagesByPath, { javaScriptEnabled: false }, async (page, baseUrl, posts) => {
    await page.goto(`${baseUrl}/queue`);
    await page.fill('textarea[name=message_body]', 'hello & goodbye = "bye"\nsecond line');
    await page.fill('input[name=delay_seconds]', '15');
    await Promise.all([page.waitForURL(`${baseUrl}/queues/orders`), page.click('form[action="/queues/orders"] button')]);

    assert.is(posts.length, 1);
    assert.is(posts[0].path, '/queues/orders');
    const message = parseMessageBody(posts[0].contentType, posts[0].body);
    // HTML form submission turns every line break of a textarea into CRLF.
    assert.is(message.body, 'hello & goodbye = "bye"\r\nsecond line');
    assert.is(message.delaySeconds, 15);
  });
});

browserTests('fifo form posts group ids', async () => {
  const pagesByPath = new Map([['/queue', renderQueue({ name: HOSTILE + '.fifo', attributes: { ContentBasedDeduplication: 'false' }, recent: [] })]]);
  await withPage(pagesByPath, { javaScriptEnabled: false }, async (page, baseUrl, posts) => {
    await page.goto(`${baseUrl}/queue`);
    await page.fill('textarea[name=message_body]', 'order 42');
    await page.fill('input[name=group_id]', 'customer-7');

    // The deduplication id is required here, so the browser does not submit without it.
    const button = page.locator('form[method=post] button').first();
    await button.click();
    assert.is(posts.length, 0, 'no request without the deduplication id');

    await page.fill('input[name=deduplication_id]', 'order-42');
    await Promise.all([page.waitForLoadState(), page.waitForURL((url) => url.pathname.startsWith('/queues/')), button.click()]);
    assert.is(posts.length, 1);
    assert.is(decodeURIComponent(posts[0].path.slice('/queues/'.length)), HOSTILE + '.fifo');
    const message = parseMessageBody(posts[0].contentType, posts[0].body);
    assert.equal({ ...message }, { body: 'order 42', groupId: 'customer-7', deduplicationId: 'order-42' });
  });
});

browserTests('create and delete forms post fields', async () => {
  const pagesByPath = new Map([
    ['/list', renderQueueList({ queues: ['orders'] })],
    ['/queue', renderQueue({ name: 'orders', attributes: {}, recent: [] })],
  ]);
  await withPage(pagesByPath, { javaScriptEnabled: false }, async (page, baseUrl, posts) => {
    await page.goto(`${baseUrl}/list`);
    const nameInput = page.locator('input[name=queue_name]');
    await nameInput.fill('bad name!');
    assert.ok(await nameInput.evaluate(patternMismatch), 'the pattern rejects an invalid name');
    await nameInput.fill('x'.repeat(76) + '.fifo');
    assert.ok(await nameInput.evaluate(patternMismatch), 'the pattern rejects 81 characters');
    await nameInput.fill('jobs.fifo');
    assert.not.ok(await nameInput.evaluate(patternMismatch), 'the pattern accepts a FIFO name');

    await page.check('input[name=fifo]');
    await page.check('input[name=content_based_deduplication]');
    await page.fill('input[name=visibility_timeout]', '45');
    await Promise.all([page.waitForURL(`${baseUrl}/queues`), page.click('form[action="/queues"] button')]);
    assert.is(posts.length, 1);
    assert.is(posts[0].contentType, 'application/x-www-form-urlencoded');
    assert.equal(Object.fromEntries(new URLSearchParams(posts[0].body.toString())), {
      queue_name: 'jobs.fifo',
      fifo: 'true',
      content_based_deduplication: 'true',
      visibility_timeout: '45',
      delay_seconds: '',
    });

    await page.goto(`${baseUrl}/queue`);
    const deleteButton = page.locator('form[action="/queues/orders/delete"] button');
    await deleteButton.click();
    assert.is(posts.length, 1, 'no delete request without the confirmation');
    await page.check('input[name=confirm]');
    await Promise.all([page.waitForURL(`${baseUrl}/queues/orders/delete`), deleteButton.click()]);
    assert.is(posts.length, 2);
    assert.is(posts[1].body.toString(), 'confirm=yes');
  });
});

browserTests('hostile values run no script', async () => {
  const pagesByPath = new Map([
    ['/home', renderHome(makeHomeData({ version: HOSTILE, endpoint: HOSTILE, region: HOSTILE, baseUrl: HOSTILE }))],
    ['/list', renderQueueList({ queues: [HOSTILE], error: HOSTILE })],
    ['/queue', renderQueue({ name: HOSTILE, attributes: { [HOSTILE]: HOSTILE }, recent: [makeStatus({ id: HOSTILE, queue: HOSTILE })] })],
    ['/message', renderMessage(makeStatus({ id: HOSTILE, queue: HOSTILE, state: 'failed', error: { code: HOSTILE, message: HOSTILE } }))],
    ['/error', renderError({ status: 400, code: HOSTILE, message: HOSTILE, field: HOSTILE })],
  ]);
  await withPage(pagesByPath, { javaScriptEnabled: true }, async (page, baseUrl) => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    for (const path of pagesByPath.keys()) {
      await page.goto(baseUrl + path);
      assert.is(await page.locator('script').count(), 0, `${path}: no script element`);
      assert.is(await page.locator('img').count(), 0, `${path}: no img element`);
      const text = await page.locator('body').textContent();
      assert.ok(text?.includes(HOSTILE), `${path}: the page shows the value as text`);
    }
    assert.equal(dialogs, [], 'no alert ran');
  });
});

browserTests.run();
