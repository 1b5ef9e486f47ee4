// One client connection: feeds socket bytes to a parser engine, dispatches complete requests,
// and writes responses strictly in request order, coalescing those that are ready together
// into one socket write. Reading pauses while too many requests are unanswered or while the
// socket's write buffer is full.

import type { Socket } from 'node:net';
import { HttpError } from './errors.js';
import type { ParserHandler, RequestHead, RequestParser } from './parser.js';
import { IngressRequest } from './request.js';
import { Reply, ResponseSlot, serializeResponse, type ResponseSink } from './reply.js';
import type { IngressContext } from './context.js';

const CONTINUE_RESPONSE = 'HTTP/1.1 100 Continue\r\n\r\n';

/**
 * Bytes of finished responses that may wait for the end of a parse before they are written.
 * Past this, responses are written at once, so that write backpressure can stop the parse.
 */
const EARLY_FLUSH_BYTES = 64 * 1024;

const enum Phase {
  Idle,
  Head,
  Body,
  Closing,
}

export class Connection implements ParserHandler, ResponseSink {
  readonly socket: Socket;
  readonly #context: IngressContext;
  readonly #parser: RequestParser;
  readonly #remoteAddress: string;

  /** Requests without a response, and responses not yet written, in request order. */
  readonly #slots: ResponseSlot[] = [];
  #head: RequestHead | null = null;
  #headSlot: ResponseSlot | null = null;
  #headError: HttpError | null = null;
  #bodyChunks: Buffer[] = [];

  #phase = Phase.Idle;
  #phaseStartedAt = Date.now();
  #parsing = false;
  #flushScheduled = false;
  #readyBytes = 0;
  #held: Buffer | null = null;
  #holdingInput = false;
  #pausedForWrites = false;
  #peerEnded = false;
  #closeWhenDone = false;
  /** Set once an error response is queued: the parser is unusable and later input is discarded. */
  #rejected = false;

  constructor(socket: Socket, context: IngressContext) {
    this.socket = socket;
    this.#context = context;
    this.#remoteAddress = socket.remoteAddress ?? '';
    this.#parser = context.createParser(this, context.limits);

    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('drain', () => this.#onDrain());
    socket.on('error', (error: NodeJS.ErrnoException) => context.onSocketError(error, this.#remoteAddress));
    socket.on('close', () => context.onClose(this));
  }

  /** Number of unanswered (or unwritten) requests on this connection. */
  get pendingResponses(): number {
    return this.#slots.length;
  }

  // ParserHandler: called by the engine while it parses.

  onHead(head: RequestHead): void {
    const slot = new ResponseSlot();
    this.#slots.push(slot);
    this.#head = head;
    this.#headSlot = slot;
    this.#headError = checkHost(head);
    this.#bodyChunks = [];
    this.#setPhase(Phase.Body);

    if (head.expectContinue && this.#headError === null) {
      // RFC 9110 section 10.1.1: the client may wait for this before sending the body. It must
      // still follow every earlier response, so flush() writes it when its turn comes.
      slot.continueOwed = true;
      if (this.#slots.length === 1) this.#writeContinue(slot);
    }
  }

  onBody(chunk: Buffer): void {
    // Socket chunks are fresh buffers that Node never reuses, so keeping views is safe.
    this.#bodyChunks.push(chunk);
  }

  onComplete(trailers: string[]): boolean {
    const head = this.#head as RequestHead;
    const slot = this.#headSlot as ResponseSlot;
    const chunks = this.#bodyChunks;
    this.#head = null;
    this.#headSlot = null;
    this.#bodyChunks = [];
    this.#setPhase(Phase.Idle);
    slot.continueOwed = false;

    if (this.#headError !== null) {
      this.#reject(this.#headError, slot);
      return false;
    }

    const request = new IngressRequest({
      method: head.method,
      target: head.target,
      versionMinor: head.versionMinor,
      headers: head.headers,
      body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      trailers,
      remoteAddress: this.#remoteAddress,
    });
    if (!head.keepAlive) this.#closeWhenDone = true;
    this.#context.dispatch(request, new Reply(this, slot, head));

    if (this.#readyBytes >= EARLY_FLUSH_BYTES) this.flush();
    return !this.#closeWhenDone && !this.#pausedForWrites && this.#slots.length < this.#context.limits.maxPipelinedRequests;
  }

  // ResponseSink: called by Reply.send().

  onResponse(slot: ResponseSlot, bytes: string | Buffer, close: boolean): void {
    slot.output = bytes;
    slot.close = close;
    this.#readyBytes += bytes.length;
    if (this.#parsing || this.#flushScheduled) return;

    // Replies that finish in the same tick leave in one write.
    this.#flushScheduled = true;
    process.nextTick(flushConnection, this);
  }

  /** Writes every response that is ready in order, then resumes reading if it was paused. */
  flush(): void {
    this.#flushScheduled = false;
    const slots = this.#slots;
    if (slots.length === 0 || this.socket.destroyed) return;

    let output: string | Buffer | (string | Buffer)[] | null = null;
    let close = false;
    let count = 0;
    while (count < slots.length && slots[count].output !== null) {
      const bytes = slots[count].output as string | Buffer;
      if (output === null) output = bytes;
      else if (Array.isArray(output)) output.push(bytes);
      else output = [output, bytes];
      close = slots[count].close;
      count++;
      if (close) break;
    }
    slots.splice(0, count);
    this.#readyBytes = 0;
    for (const slot of slots) this.#readyBytes += slot.output === null ? 0 : slot.output.length;
    if (slots.length === 0 && this.#phase === Phase.Idle) this.#phaseStartedAt = Date.now();

    if (output !== null) this.#write(output);
    if (close) {
      this.#closeAfterWrite();
      return;
    }
    if (slots.length > 0 && slots[0].continueOwed) this.#writeContinue(slots[0]);
    this.#resumeIfPossible();
  }

  /** Rejects the request in progress (or the next one) and closes after the error response. */
  fail(error: HttpError): void {
    if (this.#phase === Phase.Closing) return;
    this.#context.onProtocolError(error, this.#remoteAddress);
    const slot = this.#headSlot ?? new ResponseSlot();
    if (this.#headSlot === null) this.#slots.push(slot);
    this.#headSlot = null;
    this.#reject(error, slot);
    this.#flushNow();
  }

  /** Applies the timeouts; called about once a second by the server with the current time. */
  checkTimeouts(now: number): void {
    const limits = this.#context.limits;
    const elapsed = now - this.#phaseStartedAt;
    if (this.#phase === Phase.Head && elapsed > limits.headersTimeout) {
      this.fail(new HttpError('HEADERS_TIMEOUT', `request head was not received within ${limits.headersTimeout} ms`));
    } else if (this.#phase === Phase.Body && elapsed > limits.bodyTimeout) {
      this.fail(new HttpError('BODY_TIMEOUT', `request body was not received within ${limits.bodyTimeout} ms`));
    } else if (this.#phase === Phase.Idle && this.#slots.length === 0 && elapsed > limits.keepAliveTimeout) {
      this.socket.end();
      this.#setPhase(Phase.Closing);
    } else if (this.#phase === Phase.Closing && elapsed > limits.closeLingerTimeout) {
      this.socket.destroy();
    }
  }

  /** Stops reading new requests, lets the unanswered ones finish, then closes. */
  shutdown(): void {
    this.#closeWhenDone = true;
    if (this.#readyToClose) this.#closeAfterWrite();
  }

  /** True when every response is written and no request is half received. */
  get #readyToClose(): boolean {
    return this.#slots.length === 0 && (this.#rejected || this.#parser.idle);
  }

  #onData(chunk: Buffer): void {
    if (this.#phase === Phase.Closing || this.#rejected) return;
    // After Connection: close or a server shutdown, a request already under way may finish, but
    // no new one starts.
    if (this.#closeWhenDone && this.#parser.idle) return;
    if (this.#held !== null) {
      this.#held = Buffer.concat([this.#held, chunk]);
      return;
    }
    if (this.#phase === Phase.Idle && this.#parser.idle) this.#setPhase(Phase.Head);
    this.#parse(chunk);
  }

  #parse(chunk: Buffer): void {
    this.#parsing = true;
    let consumed = chunk.length;
    try {
      consumed = this.#parser.execute(chunk);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.#parsing = false;
      this.fail(error);
      return;
    }
    this.#parsing = false;

    if (this.#phase === Phase.Idle && !this.#parser.idle) this.#setPhase(this.#parser.inBody ? Phase.Body : Phase.Head);
    if (consumed < chunk.length && !this.#closeWhenDone) {
      this.#held = chunk.subarray(consumed);
      this.#holdingInput = true;
      this.socket.pause();
    }
    this.#flushNow();
  }

  #flushNow(): void {
    if (this.#flushScheduled) return;
    this.flush();
  }

  #resumeIfPossible(): void {
    if (this.#pausedForWrites || this.#phase === Phase.Closing) return;
    if (this.#closeWhenDone) {
      if (this.#readyToClose) this.#closeAfterWrite();
      return;
    }
    if (!this.#holdingInput || this.#slots.length >= this.#context.limits.maxPipelinedRequests) return;
    if (this.#parsing) return;

    this.#holdingInput = false;
    const held = this.#held;
    this.#held = null;
    if (held !== null) {
      if (this.#phase === Phase.Idle && this.#parser.idle) this.#setPhase(Phase.Head);
      this.#parse(held);
    }
    if (!this.#holdingInput && !this.#pausedForWrites && !this.#closing) {
      this.socket.resume();
      if (this.#peerEnded) this.#onEnd();
    }
  }

  #write(output: string | Buffer | (string | Buffer)[]): void {
    let writable: boolean;
    if (!Array.isArray(output)) {
      writable = this.socket.write(output);
    } else if (output.every((part) => typeof part === 'string')) {
      writable = this.socket.write(output.join(''));
    } else {
      writable = this.socket.write(Buffer.concat(output.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : part))));
    }
    if (!writable && !this.#pausedForWrites) {
      this.#pausedForWrites = true;
      this.socket.pause();
    }
  }

  #onDrain(): void {
    if (!this.#pausedForWrites) return;
    this.#pausedForWrites = false;
    if (!this.#holdingInput && this.#phase !== Phase.Closing) this.socket.resume();
    this.#resumeIfPossible();
  }

  #onEnd(): void {
    this.#peerEnded = true;
    if (this.#phase === Phase.Closing || this.#held !== null) return;
    try {
      this.#parser.finish();
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.fail(error);
      return;
    }
    // The client sent its last request, so respond to what is pending, then close our side too.
    this.#closeWhenDone = true;
    if (this.#slots.length === 0) this.#closeAfterWrite();
  }

  #writeContinue(slot: ResponseSlot): void {
    slot.continueOwed = false;
    this.socket.write(CONTINUE_RESPONSE);
  }

  #reject(error: HttpError, slot: ResponseSlot): void {
    slot.output = serializeResponse({
      status: error.status,
      body: `${error.message}\n`,
      headers: undefined,
      headOnly: false,
      connection: 'close',
    });
    slot.close = true;
    this.#closeWhenDone = true;
    this.#rejected = true;
  }

  #closeAfterWrite(): void {
    this.#setPhase(Phase.Closing);
    // Half-close and keep draining input for a moment, so that the kernel does not meet unread
    // bytes with a reset that could discard the response before the client reads it.
    this.socket.end();
    this.socket.resume();
  }

  get #closing(): boolean {
    return this.#phase === Phase.Closing;
  }

  #setPhase(phase: Phase): void {
    if (this.#phase === Phase.Closing) return;
    this.#phase = phase;
    this.#phaseStartedAt = Date.now();
  }
}

function flushConnection(connection: Connection): void {
  connection.flush();
}

/** RFC 9112 section 3.2: an HTTP/1.1 request must carry exactly one Host header. */
function checkHost(head: RequestHead): HttpError | null {
  let count = 0;
  for (let index = 0; index < head.headers.length; index += 2) {
    if (head.headers[index] === 'host') count++;
  }
  if (count > 1) return new HttpError('INVALID_HOST', 'request has more than one Host header; send exactly one');
  if (count === 0 && head.versionMinor === 1) {
    return new HttpError('INVALID_HOST', 'HTTP/1.1 request is missing the Host header; add e.g. "Host: localhost"');
  }
  return null;
}
