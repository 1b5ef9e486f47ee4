// Drives a parser engine directly and records what it produced, so tests can compare feeds
// split at different points, and engines with each other.

import { HttpError } from '../../src/http/errors.js';
import type { ParserFactory, RequestHead } from '../../src/http/parser.js';
import type { IngressLimits } from '../../src/http/context.js';
import { DEFAULT_LIMITS } from '../../src/http/context.js';

export interface ParsedRequest {
  head: RequestHead;
  body: string;
  trailers: string[];
}

export interface ParseOutcome {
  requests: ParsedRequest[];
  /** Error code of the rejection, or null when every byte was accepted. */
  error: string | null;
}

/** Feeds `pieces` in order to a new parser and records requests and the first error. */
export function runParser(factory: ParserFactory, pieces: Buffer[], limits: Partial<IngressLimits> = {}): ParseOutcome {
  const requests: ParsedRequest[] = [];
  let current: { head: RequestHead; body: Buffer[] } | null = null;
  const parser = factory(
    {
      onHead(head) {
        current = { head, body: [] };
      },
      onBody(chunk) {
        current?.body.push(Buffer.from(chunk));
      },
      onComplete(trailers) {
        if (current === null) throw new Error('onComplete without onHead');
        requests.push({ head: current.head, body: Buffer.concat(current.body).toString('latin1'), trailers });
        current = null;
        return true;
      },
    },
    { ...DEFAULT_LIMITS, ...limits },
  );

  try {
    for (const piece of pieces) parser.execute(piece);
    parser.finish();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { requests, error: error.code };
  }
  return { requests, error: null };
}

/** Splits `bytes` into two pieces at `position`. */
export function splitAt(bytes: Buffer, position: number): Buffer[] {
  return [bytes.subarray(0, position), bytes.subarray(position)];
}

/** Splits `bytes` into one-byte pieces. */
export function splitEveryByte(bytes: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  for (let index = 0; index < bytes.length; index++) pieces.push(bytes.subarray(index, index + 1));
  return pieces;
}
