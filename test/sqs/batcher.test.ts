// Batch selection rules: 10 entries, 1 MiB, queue order, and on FIFO queues one entry per
// message group with held groups skipped.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Batcher, BatcherRegistry, type Entry } from '../../src/sqs/batcher.js';
import { MAX_PAYLOAD_BYTES, payloadSize, type OutgoingMessage } from '../../src/sqs/message.js';

const CREDENTIALS = { accessKeyId: 'AKIDBATCH', secretAccessKey: 'batch-secret' };

function entry(id: string, options: { body?: string; groupId?: string; queueName?: string } = {}): Entry {
  const message: OutgoingMessage = { id, queueName: options.queueName ?? 'q', credentials: CREDENTIALS, body: options.body ?? id, groupId: options.groupId };
  return { message, size: payloadSize(message), attempts: 0, acceptedAt: 0, queuedAt: 0, deduplicationId: undefined, state: 'queued', retryTimer: undefined };
}

function ids(batch: Entry[]): string[] {
  return batch.map((item) => item.message.id);
}

const standard = suite('standard batcher');

standard('takes at most 10 in queue order', () => {
  const batcher = new Batcher('k', 'q', CREDENTIALS, false);
  for (let i = 0; i < 23; i++) batcher.push(entry(`m${i}`));

  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
  assert.is(batcher.takeBatch(10, MAX_PAYLOAD_BYTES).length, 10);
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['m20', 'm21', 'm22']);
  assert.is(batcher.queuedCount, 0);
  assert.is(batcher.queuedBytes, 0);
});

standard('stops before 1 MiB in total', () => {
  const batcher = new Batcher('k', 'q', CREDENTIALS, false);
  const quarter = 'x'.repeat(MAX_PAYLOAD_BYTES / 4);
  for (let i = 0; i < 6; i++) batcher.push(entry(`m${i}`, { body: quarter }));

  const first = batcher.takeBatch(10, MAX_PAYLOAD_BYTES);
  assert.is(first.length, 4);
  assert.ok(first.reduce((sum, item) => sum + item.size, 0) <= MAX_PAYLOAD_BYTES);
  assert.is(batcher.takeBatch(10, MAX_PAYLOAD_BYTES).length, 2);
});

standard('a message of exactly 1 MiB goes alone', () => {
  const batcher = new Batcher('k', 'q', CREDENTIALS, false);
  batcher.push(entry('small'));
  batcher.push(entry('full', { body: 'x'.repeat(MAX_PAYLOAD_BYTES) }));
  batcher.push(entry('after'));

  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['small']);
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['full']);
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['after']);
});

standard('pushFront puts a retried entry first', () => {
  const batcher = new Batcher('k', 'q', CREDENTIALS, false);
  for (let i = 0; i < 3; i++) batcher.push(entry(`m${i}`));
  const [first] = batcher.takeBatch(1, MAX_PAYLOAD_BYTES);
  batcher.pushFront(first!);
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['m0', 'm1', 'm2']);
});

standard('full batch needs 10 entries or 1 MiB', () => {
  const batcher = new Batcher('k', 'q', CREDENTIALS, false);
  for (let i = 0; i < 9; i++) batcher.push(entry(`m${i}`));
  assert.is(batcher.hasFullBatch(10, MAX_PAYLOAD_BYTES), false);
  batcher.push(entry('m9'));
  assert.is(batcher.hasFullBatch(10, MAX_PAYLOAD_BYTES), true);
});

standard.run();

const fifo = suite('FIFO batcher');

fifo('one entry per group per batch', () => {
  const batcher = new Batcher('k', 'q.fifo', CREDENTIALS, true);
  for (let i = 0; i < 6; i++) batcher.push(entry(`m${i}`, { groupId: i % 2 === 0 ? 'a' : 'b' }));

  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['m0', 'm1']);
  // Groups a and b are now held until their entries finish.
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), []);
});

fifo('released group sends its next entry in order', () => {
  const batcher = new Batcher('k', 'q.fifo', CREDENTIALS, true);
  for (let i = 0; i < 4; i++) batcher.push(entry(`m${i}`, { groupId: 'a' }));
  batcher.push(entry('other', { groupId: 'b' }));

  const first = batcher.takeBatch(10, MAX_PAYLOAD_BYTES);
  assert.equal(ids(first), ['m0', 'other']);
  batcher.releaseGroup(first[0]!);
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['m1']);
});

fifo('retried entry goes before later entries of its group', () => {
  const batcher = new Batcher('k', 'q.fifo', CREDENTIALS, true);
  for (let i = 0; i < 3; i++) batcher.push(entry(`m${i}`, { groupId: 'a' }));

  const [failed] = batcher.takeBatch(10, MAX_PAYLOAD_BYTES);
  // While the failed entry waits for its retry, the group stays held.
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), []);
  batcher.releaseGroup(failed!);
  batcher.pushFront(failed!);
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['m0']);
});

fifo('size limit skips later entries of the same group', () => {
  const batcher = new Batcher('k', 'q.fifo', CREDENTIALS, true);
  const half = 'x'.repeat(MAX_PAYLOAD_BYTES / 2);
  batcher.push(entry('a1', { groupId: 'a', body: half }));
  batcher.push(entry('b1', { groupId: 'b', body: half + 'yy' }));
  batcher.push(entry('b2', { groupId: 'b' }));
  batcher.push(entry('c1', { groupId: 'c' }));

  // b1 does not fit; b2 must not overtake it, but c1 may go.
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['a1', 'c1']);
  assert.equal(ids(batcher.takeBatch(10, MAX_PAYLOAD_BYTES)), ['b1']);
});

fifo('takes ten distinct groups', () => {
  const batcher = new Batcher('k', 'q.fifo', CREDENTIALS, true);
  for (let i = 0; i < 30; i++) batcher.push(entry(`m${i}`, { groupId: `g${i % 15}` }));
  const batch = batcher.takeBatch(10, MAX_PAYLOAD_BYTES);
  assert.is(batch.length, 10);
  assert.is(new Set(batch.map((item) => item.message.groupId)).size, 10);
});

fifo.run();

const registry = suite('batcher registry');

registry('one batcher per credentials and queue', () => {
  const batchers = new BatcherRegistry();
  const onDrop = (): void => {};
  const first = batchers.forMessage(entry('a').message, onDrop);
  assert.is(batchers.forMessage(entry('b').message, onDrop), first);
  assert.is.not(batchers.forMessage(entry('c', { queueName: 'other' }).message, onDrop), first);

  const rotated = { ...entry('d').message, credentials: { ...CREDENTIALS, sessionToken: 'next-token' } };
  assert.is.not(batchers.forMessage(rotated, onDrop), first);
});

registry('idle batchers are dropped when it fills', () => {
  const batchers = new BatcherRegistry();
  const dropped: Batcher[] = [];
  const busy = batchers.forMessage(entry('busy', { queueName: 'busy' }).message, (batcher) => dropped.push(batcher));
  busy.pendingCount = 1;
  for (let i = 0; i < 1023; i++) batchers.forMessage(entry(`m${i}`, { queueName: `q${i}` }).message, (batcher) => dropped.push(batcher));
  assert.is(dropped.length, 0);

  batchers.forMessage(entry('new', { queueName: 'new' }).message, (batcher) => dropped.push(batcher));
  assert.is(dropped.length, 1023);
  assert.not.ok(dropped.includes(busy));
  assert.equal([...batchers.all()].map((batcher) => batcher.queueName).sort(), ['busy', 'new']);
});

registry.run();
