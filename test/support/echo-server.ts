// An ingress server whose only route echoes what the parser produced, so wire tests can check
// method, target, headers, body and trailers exactly.

import { IngressServer } from '../../src/http/server.js';
import { Router } from '../../src/http/router.js';
import type { IngressLimits } from '../../src/http/context.js';
import type { ParserEngineName } from '../../src/http/parser.js';

export interface EchoDump {
  method: string;
  target: string;
  versionMinor: number;
  headers: string[];
  /** The body as latin1 text, so every byte value survives the round trip. */
  body: string;
  trailers: string[];
}

export interface EchoServer {
  server: IngressServer;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts an echo server on 127.0.0.1. A query `delay=N` delays the response by N milliseconds, so tests
 * can make handlers finish out of order.
 */
export async function startEchoServer(parser: ParserEngineName, limits: Partial<IngressLimits> = {}): Promise<EchoServer> {
  const router = new Router();
  router.add('*', '/*', (request, reply) => {
    const dump: EchoDump = {
      method: request.method,
      target: request.target,
      versionMinor: request.versionMinor,
      headers: request.headers,
      body: request.body.toString('latin1'),
      trailers: request.trailers,
    };
    const delay = Number(request.query.get('delay') ?? 0);
    if (delay > 0) setTimeout(() => reply.json(200, dump), delay);
    else reply.json(200, dump);
  });

  const server = new IngressServer({ router, parser, limits });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, close: () => server.close(1000) };
}
