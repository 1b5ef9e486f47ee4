// Server behavior over real sockets: routing, HEAD, Expect, timeouts, connection limits,
// isolation between connections, graceful close, and a person typing into ncat.

import { spawn, spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IngressServer } from '../../src/http/server.js';
import { Router } from '../../src/http/router.js';
import type { IngressLimits } from '../../src/http/context.js';
import type { Reply } from '../../src/http/reply.js';
import { exchange, openSocket, parseResponses } from '../support/raw-http.js';

async function withServer(
  router: Router,
  limits: Partial<IngressLimits>,
  body: (port: number, server: IngressServer) => Promise<void>,
): Promise<void> {
  const server = new IngressServer({ router, limits });
  const { port } = await server.listen(0);
  try {
    await body(port, server);
  } finally {
    await server.close(500);
  }
}

function sampleRouter(): Router {
  const router = new Router();
  router.add('GET', '/queues', (_request, reply) => reply.send(200, 'queue list'));
  router.add('POST', '/queues', (_request, reply) => reply.send(201, 'created'));
  router.add('GET', '/queues/:name', (request, reply) => reply.json(200, { name: request.params.name, page: request.query.get('page') }));
  router.add('DELETE', '/queues/:name', (_request, reply) => reply.send(204));
  router.add('GET', '/throws', () => {
    throw new Error('handler bug');
  });
  router.add('GET', '/rejects', async () => {
    throw new Error('async handler bug');
  });
  return router;
}

const routing = suite('routing');

routing('parameters are percent-decoded and the query is readable', async () => {
  await withServer(sampleRouter(), {}, async (port) => {
    const { bytes } = await exchange(port, 'GET /queues/caf%C3%A9%20q?page=2&x=y HTTP/1.1\r\nHost: a\r\n\r\n');
    const [response] = parseResponses(bytes);
    assert.is(response.status, 200);
    assert.equal(JSON.parse(response.body.toString()), { name: 'café q', page: '2' });
  });
});

routing('unknown path is 404, known path with another method is 405 with Allow', async () => {
  await withServer(sampleRouter(), {}, async (port) => {
    const { bytes } = await exchange(port, 'GET /nothing HTTP/1.1\r\nHost: a\r\n\r\nPUT /queues HTTP/1.1\r\nHost: a\r\n\r\n');
    const [notFound, notAllowed] = parseResponses(bytes);
    assert.is(notFound.status, 404);
    assert.is(notAllowed.status, 405);
    assert.is(notAllowed.headers['allow'], 'GET, HEAD, POST');
  });
});

routing('malformed percent-encoding in a parameter is 400', async () => {
  await withServer(sampleRouter(), {}, async (port) => {
    const { bytes } = await exchange(port, 'GET /queues/bad%E0%A4 HTTP/1.1\r\nHost: a\r\n\r\n');
    const [response] = parseResponses(bytes);
    assert.is(response.status, 400);
    assert.match(response.body.toString(), /percent-encoding/);
  });
});

routing('HEAD is served by GET routes without a body', async () => {
  await withServer(sampleRouter(), {}, async (port) => {
    const request = 'HEAD /queues HTTP/1.1\r\nHost: a\r\n\r\nGET /queues HTTP/1.1\r\nHost: a\r\n\r\n';
    const { bytes } = await exchange(port, request);
    const [head, get] = parseResponses(bytes, (index) => index === 0);
    assert.is(head.status, 200);
    assert.is(head.headers['content-length'], String('queue list'.length));
    assert.is(head.body.length, 0);
    assert.is(get.body.toString(), 'queue list', 'the next response starts right after the bodiless HEAD response');
  });
});

routing('a failing handler gets 500 and the connection goes on', async () => {
  await withServer(sampleRouter(), {}, async (port) => {
    const request = 'GET /throws HTTP/1.1\r\nHost: a\r\n\r\nGET /rejects HTTP/1.1\r\nHost: a\r\n\r\nGET /queues HTTP/1.1\r\nHost: a\r\n\r\n';
    const { bytes } = await exchange(port, request);
    assert.equal(parseResponses(bytes).map((response) => response.status), [500, 500, 200]);
  });
});

routing.run();

const flow = suite('connection handling');

flow('Expect: 100-continue answers before the body is sent', async () => {
  const router = new Router().add('POST', '/upload', (request, reply) => reply.send(200, `got ${request.body.length}`));
  await withServer(router, {}, async (port) => {
    const socket = await openSocket(port);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    socket.write('POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    await waitFor(() => received.includes('100 Continue'));
    assert.not.match(received, /200 OK/, 'no final response before the body');
    socket.write('hello');
    await waitFor(() => received.includes('got 5'));
    socket.destroy();
  });
});

flow('Expect: 100-continue with a body over the limit gets 413 without waiting for it', async () => {
  const router = new Router().add('POST', '/upload', (_request, reply) => reply.send(200));
  await withServer(router, { maxBodyBytes: 10 }, async (port) => {
    const { bytes } = await exchange(port, 'POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n', { keepOpen: true });
    const statuses = parseResponses(bytes).map((response) => response.status);
    assert.equal(statuses, [413]);
  });
});

flow('a bad request on one connection leaves another untouched', async () => {
  await withServer(sampleRouter(), {}, async (port) => {
    const healthy = await openSocket(port);
    let healthyBytes = '';
    healthy.on('data', (chunk: Buffer) => {
      healthyBytes += chunk.toString();
    });
    healthy.write('GET /queues HTTP/1.1\r\nHo');

    const broken = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n');
    assert.is(parseResponses(broken.bytes)[0].status, 400);

    healthy.write('st: a\r\n\r\n');
    await waitFor(() => healthyBytes.includes('queue list'));
    assert.match(healthyBytes, /^HTTP\/1\.1 200 OK/);
    healthy.destroy();
  });
});

flow('connections over the limit get 503', async () => {
  await withServer(sampleRouter(), { maxConnections: 2 }, async (port, server) => {
    const first = await openSocket(port);
    const second = await openSocket(port);
    await waitFor(() => server.connectionCount === 2);
    const { bytes } = await exchange(port, 'GET /queues HTTP/1.1\r\nHost: a\r\n\r\n', { keepOpen: true });
    const [response] = parseResponses(bytes);
    assert.is(response.status, 503);
    assert.ok(response.headers['retry-after'] !== undefined, 'Retry-After tells the client when to retry');
    first.destroy();
    second.destroy();
  });
});

flow('graceful close answers the request in progress', async () => {
  const held: Reply[] = [];
  const router = new Router().add('GET', '/slow', (_request, reply) => {
    held.push(reply);
  });
  const server = new IngressServer({ router });
  const { port } = await server.listen(0);
  const pending = exchange(port, 'GET /slow HTTP/1.1\r\nHost: a\r\n\r\n', { keepOpen: true });
  await waitFor(() => held.length === 1);
  const closed = server.close(5000);
  held[0].send(200, 'finished');
  await closed;
  const { bytes, closed: connectionClosed } = await pending;
  assert.is(parseResponses(bytes)[0].body.toString(), 'finished');
  assert.ok(connectionClosed, 'the server closed the connection after the answer');
});

flow('graceful close lets a half-received request finish', async () => {
  const server = new IngressServer({ router: sampleRouter() });
  const { port } = await server.listen(0);
  const socket = await openSocket(port);
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString();
  });
  const ended = new Promise((resolve) => socket.on('end', resolve));
  socket.write('GET /queues HTTP/1.1\r\nHo');
  await waitFor(() => server.connectionCount === 1);
  // Give the server time to read the partial head before close() starts.
  await new Promise((resolve) => setTimeout(resolve, 100));

  const closed = server.close(5000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.write('st: a\r\n\r\nGET /queues HTTP/1.1\r\nHost: a\r\n\r\n');
  await ended;
  await closed;
  assert.is(received.split('HTTP/1.1 200 OK').length - 1, 1, 'the started request is answered, the next one is not');
  assert.match(received, /queue list$/);
  socket.destroy();
});

flow.run();

const timeouts = suite('timeouts');

timeouts('a head that never ends gets 408', async () => {
  await withServer(sampleRouter(), { headersTimeout: 200 }, async (port) => {
    const { bytes, closed } = await exchange(port, 'GET /queues HTTP/1.1\r\nHost: a\r\n', { keepOpen: true, timeoutMs: 5000 });
    assert.is(parseResponses(bytes)[0].status, 408);
    assert.ok(closed);
  });
});

timeouts('a body that never ends gets 408', async () => {
  await withServer(sampleRouter(), { bodyTimeout: 200 }, async (port) => {
    const { bytes, closed } = await exchange(port, 'POST /queues HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc', { keepOpen: true, timeoutMs: 5000 });
    assert.is(parseResponses(bytes)[0].status, 408);
    assert.ok(closed);
  });
});

timeouts('an idle keep-alive connection is closed', async () => {
  await withServer(sampleRouter(), { keepAliveTimeout: 200 }, async (port) => {
    const { bytes, closed } = await exchange(port, 'GET /queues HTTP/1.1\r\nHost: a\r\n\r\n', { keepOpen: true, timeoutMs: 5000 });
    assert.equal(parseResponses(bytes).map((response) => response.status), [200]);
    assert.ok(closed, 'closed by the server after the idle timeout');
  });
});

timeouts.run();

const typed = suite('typed requests');

typed('a person can type a request into ncat', async () => {
  if (spawnSync('ncat', ['--version']).error !== undefined) {
    console.log('  skipped: ncat is not installed (make test-deps installs it)');
    return;
  }
  await withServer(sampleRouter(), {}, async (port) => {
    const child = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    for (const line of ['GET /queues/typed HTTP/1.1', 'Host: localhost', 'Connection: close', '']) {
      child.stdin.write(`${line}\n`);
    }
    // ncat keeps running after the server closes until its input ends, as when a person presses Ctrl-D.
    child.stdin.end();
    await exited;
    assert.match(output, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(output, /"name":"typed"/);
  });
});

typed.run();

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
