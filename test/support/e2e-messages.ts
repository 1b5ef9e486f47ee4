// Test messages for the end-to-end runs and a pipelining sender. Each message carries a unique
// tag at the start of its body, so that what arrives upstream can be matched to what was sent
// and compared byte for byte. Bodies mix emoji, CJK, right-to-left text and every control
// character SQS allows (tab, line feed, carriage return).

import { Pool } from 'undici';

export type BodyForm = 'form' | 'raw' | 'json' | 'ndjson';

export interface SentAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface TestMessage {
  tag: string;
  form: BodyForm;
  body: string;
  /** Only JSON and NDJSON messages carry attributes: forms and raw bodies cannot. */
  attributes?: Record<string, SentAttribute>;
}

const BMP_PIECES = [
  'symbols ☃★♥ and dingbats ✂✈',
  'CJK 漢字かなカナ 한국어',
  'RTL שלום עולם مرحبا بالعالم',
  'tab\tline feed\ncarriage return\r\nend',
  'BMP edges \uE000\uFFFD\uD7FF',
  'Latin é ß ø and combining é',
];

// Characters from U+10000, which UTF-16 stores as surrogate pairs. SQS allows them, but
// fauxqs 1.9.2 rejects them in bodies (its character check has no `u` flag).
const ASTRAL_PIECES = ['emoji 🚀🎉👩‍💻 and a flag 🇳🇴', 'music 𝄞 and the last code point \u{10FFFF}'];

/** Returns the tag at the start of a test message body, or undefined for other bodies. */
export function tagOf(body: string): string | undefined {
  const end = body.indexOf('|');
  return end > 0 ? body.slice(0, end) : undefined;
}

function binaryValue(index: number): string {
  const bytes = Buffer.alloc(8 + (index % 24));
  for (let offset = 0; offset < bytes.length; offset++) bytes[offset] = (index * 31 + offset * 7) & 0xff;
  bytes[0] = 0x00;
  bytes[bytes.length - 1] = 0xff;
  return bytes.toString('base64');
}

export interface MessageOptions {
  /** Tag prefix; tags are PREFIX + index. */
  prefix?: string;
  /** Put characters from U+10000 in bodies (attributes always get them). */
  astral?: boolean;
}

/** Builds message `index` in `form`, with attributes of every type for JSON and NDJSON. */
export function makeMessage(index: number, form: BodyForm, options: MessageOptions = {}): TestMessage {
  const tag = `${options.prefix ?? 'm'}${index}`;
  const pieces = options.astral === true ? [...BMP_PIECES, ...ASTRAL_PIECES] : BMP_PIECES;
  const body = `${tag}|${pieces[index % pieces.length]}|${pieces[(index + 3) % pieces.length]}\n`;
  const message: TestMessage = { tag, form, body };
  if (form === 'json' || form === 'ndjson') {
    message.attributes = {
      text: { DataType: 'String', StringValue: `名前 ${index} 🚀 שלום\t` },
      amount: { DataType: 'Number', StringValue: `${index}.25` },
      negative: { DataType: 'Number.float', StringValue: `-${index % 97}e3` },
      blob: { DataType: 'Binary', BinaryValue: binaryValue(index) },
    };
  }
  return message;
}

export interface EncodedRequest {
  path: string;
  contentType: string;
  body: string;
  /** The messages this request carries, in order. */
  messages: TestMessage[];
}

/** Encodes one message as a request to POST /queues/QUEUE in its body form. */
export function encodeSingle(queue: string, message: TestMessage): EncodedRequest {
  const path = `/queues/${queue}`;
  if (message.form === 'form') {
    return { path, contentType: 'application/x-www-form-urlencoded', body: `message_body=${encodeURIComponent(message.body)}`, messages: [message] };
  }
  if (message.form === 'raw') return { path, contentType: 'text/plain; charset=utf-8', body: message.body, messages: [message] };
  return { path, contentType: 'application/json', body: JSON.stringify({ body: message.body, attributes: message.attributes }), messages: [message] };
}

/** Encodes messages as one NDJSON request to POST /queues/QUEUE/messages. */
export function encodeLines(queue: string, messages: TestMessage[]): EncodedRequest {
  const body = messages.map((message) => JSON.stringify({ body: message.body, attributes: message.attributes })).join('\n');
  return { path: `/queues/${queue}/messages`, contentType: 'application/x-ndjson', body: `${body}\n`, messages };
}

/**
 * Builds `count` messages for `queue`, a quarter in each body form, with the NDJSON quarter
 * in requests of `linesPerRequest` messages, and the requests in an interleaved order.
 */
export function buildWorkload(queue: string, count: number, options: MessageOptions = {}, linesPerRequest = 20): EncodedRequest[] {
  const requests: EncodedRequest[] = [];
  const lines: TestMessage[] = [];
  const forms: BodyForm[] = ['form', 'raw', 'json', 'ndjson'];
  for (let index = 0; index < count; index++) {
    const message = makeMessage(index, forms[index % forms.length], options);
    if (message.form !== 'ndjson') {
      requests.push(encodeSingle(queue, message));
      continue;
    }
    lines.push(message);
    if (lines.length === linesPerRequest) requests.push(encodeLines(queue, lines.splice(0)));
  }
  if (lines.length > 0) requests.push(encodeLines(queue, lines.splice(0)));
  return requests;
}

export interface SendResult {
  request: EncodedRequest;
  status: number;
  location: string | undefined;
  retryAfter: string | undefined;
  json: any;
}

/**
 * Sends requests over `connections` keep-alive connections with up to `pipelining` requests in
 * flight on each. POSTs are marked idempotent because undici sends a non-idempotent request
 * only after the ones before it have their responses, which would defeat pipelining.
 */
export async function sendPipelined(
  baseUrl: string,
  requests: EncodedRequest[],
  options: { connections?: number; pipelining?: number; headers?: Record<string, string> } = {},
): Promise<SendResult[]> {
  const pool = new Pool(baseUrl, { connections: options.connections ?? 8, pipelining: options.pipelining ?? 16 });
  try {
    return await Promise.all(
      requests.map(async (request) => {
        const answer = await pool.request({
          method: 'POST',
          path: request.path,
          idempotent: true,
          headers: { 'content-type': request.contentType, ...options.headers },
          body: request.body,
          headersTimeout: 60_000,
          bodyTimeout: 60_000,
        });
        const text = await answer.body.text();
        const location = answer.headers.location;
        const retryAfter = answer.headers['retry-after'];
        return {
          request,
          status: answer.statusCode,
          location: typeof location === 'string' ? location : undefined,
          retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
          json: text.startsWith('{') ? JSON.parse(text) : undefined,
        };
      }),
    );
  } finally {
    await pool.close();
  }
}
