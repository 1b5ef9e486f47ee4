// A small HTTP/1.1 client over node:net for pipelining tests: it writes many requests on one
// connection, in one write or in small pieces, and reads the responses back in order. It
// understands Content-Length and chunked bodies, which is all the accelerator sends.

import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Map<string, string>;
  body: Buffer;
}

/** Formats one request with Content-Length; `headers` are added as given. */
export function formatRequest(method: string, path: string, headers: Record<string, string>, body: Buffer | string = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `Content-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

/** Parses one response at the start of `buffer`; returns undefined until it is complete. */
function parseResponse(buffer: Buffer): { response: RawResponse; length: number } | undefined {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;

  const lines = buffer.toString('latin1', 0, headEnd).split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }

  const bodyStart = headEnd + 4;
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') return parseChunked(buffer, bodyStart, status, headers);

  const length = Number(headers.get('content-length') ?? '0');
  if (buffer.length < bodyStart + length) return undefined;
  return { response: { status, headers, body: buffer.subarray(bodyStart, bodyStart + length) }, length: bodyStart + length };
}

function parseChunked(buffer: Buffer, start: number, status: number, headers: Map<string, string>): { response: RawResponse; length: number } | undefined {
  const chunks: Buffer[] = [];
  let offset = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', offset);
    if (lineEnd === -1) return undefined;
    const size = parseInt(buffer.toString('latin1', offset, lineEnd), 16);
    if (size === 0) {
      // No trailers are expected: the last chunk is followed by an empty line.
      if (buffer.length < lineEnd + 4) return undefined;
      return { response: { status, headers, body: Buffer.concat(chunks) }, length: lineEnd + 4 };
    }
    if (buffer.length < lineEnd + 2 + size + 2) return undefined;
    chunks.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

async function writePieces(socket: Socket, bytes: Buffer, pieceBytes: number): Promise<void> {
  for (let offset = 0; offset < bytes.length && !socket.destroyed; offset += pieceBytes) {
    socket.write(bytes.subarray(offset, offset + pieceBytes));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface PipelineOptions {
  /** Bytes per write; the whole request stream goes in one write when absent. */
  pieceBytes?: number;
  /** Time allowed for all responses, in milliseconds. */
  timeoutMs?: number;
}

/**
 * Writes `requests` on one new connection to 127.0.0.1:`port` without waiting for responses,
 * and resolves with `expected` responses in the order received. Rejects when the connection
 * closes early or `timeoutMs` passes. `closed` becomes true when the server closes the
 * connection, and false when this client closes it, one second after the last response.
 */
export function exchangePipelined(port: number, requests: Buffer, expected: number, options: PipelineOptions = {}): Promise<{ responses: RawResponse[]; closed: Promise<boolean> }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const responses: RawResponse[] = [];
    let buffer = Buffer.alloc(0);
    let settled = false;
    // The server closing its side sends FIN ('end'); a socket destroyed here only emits 'close'.
    const closed = new Promise<boolean>((resolveClosed) => {
      socket.once('end', () => resolveClosed(true));
      socket.once('close', () => resolveClosed(false));
    });

    const timer = setTimeout(() => finish(new Error(`received ${responses.length} of ${expected} responses within ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) {
        socket.destroy();
        reject(error);
        return;
      }
      // A connection the server keeps open is closed here, so that no socket outlives the test.
      const closeSoon = setTimeout(() => socket.destroy(), 1_000);
      socket.once('close', () => clearTimeout(closeSoon));
      resolve({ responses, closed });
    };

    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        const parsed = parseResponse(buffer);
        if (parsed === undefined) break;
        responses.push(parsed.response);
        buffer = buffer.subarray(parsed.length);
      }
      if (responses.length >= expected) finish();
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`the connection closed after ${responses.length} of ${expected} responses`)));

    socket.once('connect', () => {
      if (options.pieceBytes === undefined) {
        socket.write(requests);
        return;
      }
      // Yielding between pieces, with Nagle's algorithm off, lets each piece leave as its own
      // segment, so that the server's reads end inside request lines, headers and bodies.
      socket.setNoDelay(true);
      void writePieces(socket, requests, options.pieceBytes);
    });
  });
}
