// Pipelining and flow control: response order, write coalescing, the bound on unanswered
// requests, and pausing under write backpressure.

import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Connection } from '../../src/http/connection.js';
import { IngressServer } from '../../src/http/server.js';
import { Router } from '../../src/http/router.js';
import type { Reply } from '../../src/http/reply.js';
import { startEchoServer } from '../support/echo-server.js';
import { exchange, openSocket, parseResponses } from '../support/raw-http.js';

function get(target: string): string {
  return `GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`;
}

/** Resolves when `condition` holds, polling every 10 ms, or rejects after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A socket stand-in that records writes, so write coalescing can be counted exactly. */
class RecordingSocket extends EventEmitter {
  writes: string[] = [];
  remoteAddress = '127.0.0.1';
  destroyed = false;
  write(data: string | Buffer): boolean {
    this.writes.push(data.toString());
    return true;
  }
  setNoDelay(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
}

const order = suite('pipelining order');

order('responses follow request order when handlers finish out of order', async () => {
  const echo = await startEchoServer('hand');
  try {
    const request = get('/1?delay=80') + get('/2') + get('/3?delay=30') + get('/4');
    const { bytes } = await exchange(echo.port, request);
    const targets = parseResponses(bytes).map((response) => JSON.parse(response.body.toString()).target);
    assert.equal(targets, ['/1?delay=80', '/2', '/3?delay=30', '/4']);
  } finally {
    await echo.close();
  }
});

order('ready responses leave in one socket write', async () => {
  const router = new Router().add('GET', '/sync', (_request, reply) => reply.send(200, 'ok'));
  router.add('GET', '/async', async (_request, reply) => {
    await Promise.resolve();
    reply.send(200, 'later');
  });
  const server = new IngressServer({ router });
  const socket = new RecordingSocket();
  new Connection(socket as unknown as Socket, server);

  socket.emit('data', Buffer.from(get('/sync').repeat(10)));
  assert.is(socket.writes.length, 1, 'ten synchronous replies, one write');
  assert.is(socket.writes[0].split('HTTP/1.1 200 OK').length - 1, 10);

  socket.emit('data', Buffer.from(get('/async').repeat(5)));
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(socket.writes.length, 2, 'five replies finished in one tick, one more write');
  assert.is(socket.writes[1].split('later').length - 1, 5);
});

order.run();

const bounds = suite('pipelining bounds');

bounds('unanswered requests stop reading at the limit', async () => {
  const held: Reply[] = [];
  const router = new Router().add('GET', '/hold/:n', (_request, reply) => {
    held.push(reply);
  });
  const server = new IngressServer({ router, limits: { maxPipelinedRequests: 4 } });
  const { port } = await server.listen(0);
  try {
    const socket = await openSocket(port);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    let request = '';
    for (let index = 0; index < 10; index++) request += get(`/hold/${index}`);
    socket.write(request);

    await waitFor(() => held.length === 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.is(held.length, 4, 'no fifth request is dispatched while four are unanswered');

    let answered = 0;
    while (answered < 10) {
      await waitFor(() => held.length > answered);
      held[answered].send(200, `answer ${answered}`);
      answered++;
    }
    await waitFor(() => Buffer.concat(received).toString().split('HTTP/1.1 200').length - 1 === 10);
    const bodies = parseResponses(Buffer.concat(received)).map((response) => response.body.toString());
    assert.equal(bodies, Array.from({ length: 10 }, (_, index) => `answer ${index}`));
    socket.destroy();
  } finally {
    await server.close(500);
  }
});

bounds('a client that does not read pauses request dispatch', async () => {
  let handled = 0;
  const large = Buffer.alloc(256 * 1024, 0x61);
  const router = new Router().add('GET', '/large', (_request, reply) => {
    handled++;
    reply.send(200, large);
  });
  const server = new IngressServer({ router, limits: { maxPipelinedRequests: 1000 } });
  const { port } = await server.listen(0);
  try {
    const socket = await openSocket(port);
    socket.pause();
    socket.write(get('/large').repeat(200));
    await waitFor(() => handled > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(handled < 200, `dispatch paused under backpressure (handled ${handled} of 200)`);

    let bytes = 0;
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    socket.resume();
    await waitFor(() => handled === 200 && bytes >= 200 * large.length, 20_000);
    socket.destroy();
  } finally {
    await server.close(500);
  }
});

bounds('input after a rejected request is discarded', async () => {
  const held: Reply[] = [];
  const router = new Router().add('GET', '/hold/:n', (_request, reply) => {
    held.push(reply);
  });
  const server = new IngressServer({ router });
  const { port } = await server.listen(0);
  try {
    const socket = await openSocket(port);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(get('/hold/1') + 'GET / HTTP/9.9\r\nHost: a\r\n\r\n');
    await waitFor(() => held.length === 1);
    socket.write(get('/hold/2'));
    await new Promise((resolve) => setTimeout(resolve, 50));

    held[0].send(200, 'first');
    await closed;
    const statuses = parseResponses(Buffer.concat(received)).map((response) => response.status);
    assert.equal(statuses, [200, 505], 'one answer, one rejection, nothing for the later input');
    assert.is(held.length, 1, 'the request after the rejection was not dispatched');
  } finally {
    await server.close(500);
  }
});

bounds.run();
