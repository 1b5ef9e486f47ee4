// The route table on its own: matching, parameters, 405 details and the lookup cache.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Router } from '../../src/http/router.js';

const noop = () => undefined;

const routes = suite('router');

routes('parameters are decoded', () => {
  const router = new Router().add('POST', '/queues/:name', noop);
  const match = router.lookup('POST', '/queues/a%20b');
  assert.is(match.kind, 'found');
  assert.equal(match.kind === 'found' && match.params, { name: 'a b' });
});

routes('repeated lookups return separate parameters', () => {
  const router = new Router().add('GET', '/queues/:name', noop);
  const first = router.lookup('GET', '/queues/orders');
  if (first.kind !== 'found') throw new Error('expected a match');
  first.params.name = 'changed by a handler';
  const second = router.lookup('GET', '/queues/orders');
  assert.equal(second.kind === 'found' && second.params, { name: 'orders' });
});

routes('adding a route clears remembered lookups', () => {
  const router = new Router();
  assert.is(router.lookup('GET', '/late').kind, 'not-found');
  router.add('GET', '/late', noop);
  assert.is(router.lookup('GET', '/late').kind, 'found');
});

routes('other method lists the allowed ones', () => {
  const router = new Router().add('GET', '/queues', noop).add('POST', '/queues', noop);
  const match = router.lookup('DELETE', '/queues');
  assert.equal(match, { kind: 'method-not-allowed', allow: ['GET', 'HEAD', 'POST'] });
});

routes('wildcard and any method match the rest', () => {
  const router = new Router().add('*', '/static/*', noop);
  assert.is(router.lookup('PUT', '/static/a/b/c').kind, 'found');
  assert.is(router.lookup('PUT', '/other').kind, 'not-found');
});

routes('invalid percent-encoding is reported', () => {
  const router = new Router().add('GET', '/queues/:name', noop);
  const match = router.lookup('GET', '/queues/%E0%A4');
  assert.is(match.kind, 'bad-path');
});

routes.run();
