// Builds a response for one request and hands its bytes to the connection, which writes
// responses in request order.

import { STATUS_CODES } from 'node:http';

export type ResponseHeaders = Record<string, string | number | readonly string[]>;

/** Receives finished responses; implemented by the connection. */
export interface ResponseSink {
  onResponse(slot: ResponseSlot, bytes: string | Buffer, close: boolean): void;
}

/** A place in the connection's response order, taken when a request head arrives. */
export class ResponseSlot {
  output: string | Buffer | null = null;
  close = false;
  /** Whether a `100 Continue` interim response is owed before the body is read. */
  continueOwed = false;
}

let cachedDate = '';
let cachedDateSecond = 0;

/** Returns the IMF-fixdate for the Date header, recomputed at most once per second. */
function currentDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== cachedDateSecond) {
    cachedDateSecond = second;
    cachedDate = new Date(second * 1000).toUTCString();
  }
  return cachedDate;
}

/** Serializes a complete response. Header values must not contain CR or LF. */
export function serializeResponse(options: {
  status: number;
  body: string | Buffer;
  headers: ResponseHeaders | undefined;
  headOnly: boolean;
  connection: 'close' | 'keep-alive' | '';
}): string | Buffer {
  const { status, body, headers, headOnly, connection } = options;
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\nDate: ${currentDate()}\r\n`;

  let hasContentType = false;
  if (headers !== undefined) {
    for (const name in headers) {
      const value = headers[name];
      if (name.length === 12 && name.toLowerCase() === 'content-type') hasContentType = true;
      if (Array.isArray(value)) {
        for (const item of value) head += `${name}: ${checkHeaderValue(name, item)}\r\n`;
      } else {
        head += `${name}: ${checkHeaderValue(name, String(value))}\r\n`;
      }
    }
  }
  if (!hasContentType && length > 0) head += 'Content-Type: text/plain; charset=utf-8\r\n';
  if (connection !== '') head += `Connection: ${connection}\r\n`;
  head += `Content-Length: ${length}\r\n\r\n`;

  if (headOnly || length === 0) return head;
  if (typeof body === 'string') return head + body;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

function checkHeaderValue(name: string, value: string): string {
  // A CR or LF in a value would let a caller inject headers or a whole response.
  if (/[\r\n]/.test(value)) throw new TypeError(`response header ${name} contains CR or LF`);
  return value;
}

/** The response side of one request. Exactly one send() per request. */
export class Reply {
  readonly #sink: ResponseSink;
  readonly #slot: ResponseSlot;
  readonly #headOnly: boolean;
  readonly #keepAlive: boolean;
  readonly #versionMinor: number;
  #sent = false;

  constructor(sink: ResponseSink, slot: ResponseSlot, request: { method: string; versionMinor: number; keepAlive: boolean }) {
    this.#sink = sink;
    this.#slot = slot;
    this.#headOnly = request.method === 'HEAD';
    this.#keepAlive = request.keepAlive;
    this.#versionMinor = request.versionMinor;
  }

  get sent(): boolean {
    return this.#sent;
  }

  /** Sends the response. A string body is encoded as UTF-8 and, without a Content-Type, sent as text/plain. */
  send(status: number, body: string | Buffer = '', headers?: ResponseHeaders): void {
    if (this.#sent) throw new Error(`response was already sent; cannot send status ${status}`);
    this.#sent = true;

    let connection: 'close' | 'keep-alive' | '' = '';
    if (!this.#keepAlive) connection = 'close';
    else if (this.#versionMinor === 0) connection = 'keep-alive';
    const bytes = serializeResponse({ status, body, headers, headOnly: this.#headOnly, connection });
    this.#sink.onResponse(this.#slot, bytes, !this.#keepAlive);
  }

  /** Sends `value` as a JSON body. */
  json(status: number, value: unknown, headers?: ResponseHeaders): void {
    this.send(status, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers });
  }
}
