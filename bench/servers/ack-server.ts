// A benchmark target in its own process: the ingress server (either engine) or a plain
// node:http server, each returning 202 and a small JSON body for `POST /queues/:name` after
// reading the whole request. Prints the bound port on stdout.
//   node build/bench/servers/ack-server.js ingress-hand | ingress-llhttp | node-http

import { createServer } from 'node:http';
import { IngressServer } from '../../src/http/server.js';
import { Router } from '../../src/http/router.js';

const ACK_BODY = '{"id":"0","queue":"bench"}';

async function startIngress(parser: 'hand' | 'llhttp'): Promise<number> {
  const router = new Router().add('POST', '/queues/:name', (_request, reply) => {
    reply.send(202, ACK_BODY, { 'Content-Type': 'application/json' });
  });
  const server = new IngressServer({ router, parser, limits: { maxConnections: 100_000 } });
  const { port } = await server.listen(0, '127.0.0.1');
  return port;
}

async function startNodeHttp(): Promise<number> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const isQueueRoute = request.method === 'POST' && request.url !== undefined && request.url.startsWith('/queues/');
      response.writeHead(isQueueRoute ? 202 : 404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(ACK_BODY) });
      response.end(ACK_BODY);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('node:http server has no port');
  return address.port;
}

const kind = process.argv[2];
let port: number;
if (kind === 'ingress-hand') port = await startIngress('hand');
else if (kind === 'ingress-llhttp') port = await startIngress('llhttp');
else if (kind === 'node-http') port = await startNodeHttp();
else throw new Error(`unknown server kind ${JSON.stringify(kind)}; use ingress-hand, ingress-llhttp or node-http`);
process.stdout.write(`${port}\n`);

// Exit through process.exit so that --cpu-prof can write its profile.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
