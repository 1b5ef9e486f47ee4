// Runs a parser engine over byte pieces and records everything it reported, with the error's
// message, so the differential test can compare engines and name a deliberate difference.

import { HttpError } from '../../src/http/errors.js';
import type { ParserFactory, ParserLimits, RequestHead } from '../../src/http/parser.js';

export interface EngineRequest {
  head: RequestHead;
  /** The body as latin1 text, so every byte value compares exactly. */
  body: string;
  trailers: string[];
}

export interface EngineOutcome {
  requests: EngineRequest[];
  /** The rejection, or null when the engine accepted every byte and finish() found no cut-off request. */
  error: { code: string; status: number; message: string } | null;
}

/** Feeds `pieces` to a new parser in order, then calls finish(). */
export function runEngine(factory: ParserFactory, pieces: Buffer[], limits: ParserLimits): EngineOutcome {
  const requests: EngineRequest[] = [];
  let head: RequestHead | null = null;
  let body: Buffer[] = [];
  const parser = factory(
    {
      onHead(received) {
        head = received;
        body = [];
      },
      onBody(chunk) {
        body.push(Buffer.from(chunk));
      },
      onComplete(trailers) {
        if (head === null) throw new Error('onComplete was called without onHead');
        requests.push({ head, body: Buffer.concat(body).toString('latin1'), trailers });
        head = null;
        return true;
      },
    },
    limits,
  );

  try {
    for (const piece of pieces) {
      const consumed = parser.execute(piece);
      if (consumed !== piece.length) throw new Error(`execute() consumed ${consumed} of ${piece.length} bytes without being asked to stop`);
    }
    parser.finish();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { requests, error: { code: error.code, status: error.status, message: error.message } };
  }
  return { requests, error: null };
}

/** Drops the error message, which differs between engines by design, for comparisons within one engine. */
export function withoutMessage(outcome: EngineOutcome): unknown {
  return { requests: outcome.requests, error: outcome.error === null ? null : outcome.error.code };
}
