// Client-side helpers for wire-level tests: send exact bytes over a real socket and split what
// comes back into responses.

import { connect, type Socket } from 'node:net';

export interface ParsedResponse {
  status: number;
  /** Lower-cased header names mapped to their values, repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** Opens a connection to 127.0.0.1:`port` and resolves once it is established. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Writes `request` (each element is one write), half-closes the socket unless `keepOpen`, and
 * collects everything the server sends until it closes the connection or `timeoutMs` passes.
 */
export async function exchange(
  port: number,
  request: string | Buffer | (string | Buffer)[],
  options: { keepOpen?: boolean; timeoutMs?: number } = {},
): Promise<{ bytes: Buffer; closed: boolean }> {
  const socket = await openSocket(port);
  const chunks: Buffer[] = [];
  const writes = Array.isArray(request) ? request : [request];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish(true));
    socket.on('error', () => finish(true));
    for (const part of writes) socket.write(part);
    if (!options.keepOpen) socket.end();
  });
}

/**
 * Splits a byte stream into responses, using Content-Length (every response of ours carries it).
 * `headOnly(index)` returns whether a response is to a HEAD request and so carry no body.
 */
export function parseResponses(bytes: Buffer, headOnly: (index: number) => boolean = () => false): ParsedResponse[] {
  const responses: ParsedResponse[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const headEnd = bytes.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) throw new Error(`incomplete response head at byte ${offset}: ${JSON.stringify(bytes.subarray(offset).toString('latin1'))}`);

    const lines = bytes.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const statusMatch = /^HTTP\/1\.1 (\d{3}) /.exec(lines[0]);
    if (statusMatch === null) throw new Error(`invalid status line ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }

    const status = Number(statusMatch[1]);
    const interim = status >= 100 && status < 200;
    const length = interim || headOnly(responses.length) ? 0 : Number(headers['content-length'] ?? 0);
    const bodyStart = headEnd + 4;
    responses.push({ status, headers, body: bytes.subarray(bodyStart, bodyStart + length) });
    offset = bodyStart + length;
  }
  return responses;
}
