import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MESSAGE_ID_LENGTH, MessageIdGenerator, MessageIndex, timeOfMessageId } from '../../src/accelerator/message-index.js';

const index = suite('MessageIndex');

index('tracks a message from pending to sent', () => {
  const statuses = new MessageIndex(10);
  statuses.accept('m1', 'orders', 1000);
  assert.equal({ ...statuses.get('m1') }, { id: 'm1', queue: 'orders', acceptedAt: 1000, state: 'pending', sqsMessageId: undefined, error: undefined });

  assert.ok(statuses.markSent('m1', 'sqs-123'));
  assert.is(statuses.get('m1')?.state, 'sent');
  assert.is(statuses.get('m1')?.sqsMessageId, 'sqs-123');
});

index('records a failure with its error', () => {
  const statuses = new MessageIndex(10);
  statuses.accept('m1', 'orders');
  assert.ok(statuses.markFailed('m1', { code: 'QueueDoesNotExist', message: 'no such queue' }));
  assert.is(statuses.get('m1')?.state, 'failed');
  assert.equal(statuses.get('m1')?.error, { code: 'QueueDoesNotExist', message: 'no such queue' });
});

index('keeps exactly its capacity and evicts the oldest', () => {
  const statuses = new MessageIndex(3);
  for (const id of ['a', 'b', 'c']) statuses.accept(id, 'q');
  assert.is(statuses.size, 3);
  assert.ok(statuses.get('a'));

  statuses.accept('d', 'q');
  assert.is(statuses.size, 3);
  assert.is(statuses.get('a'), undefined);
  assert.ok(statuses.get('b'));
  assert.ok(statuses.get('d'));
  assert.not.ok(statuses.markSent('a', 'late'));
});

index('evicts by acceptance, not by last update', () => {
  const statuses = new MessageIndex(2);
  statuses.accept('a', 'q');
  statuses.accept('b', 'q');
  statuses.markSent('a', 'x');
  statuses.accept('c', 'q');
  assert.is(statuses.get('a'), undefined);
  assert.ok(statuses.get('b'));
});

index('keeps counts per state through eviction', () => {
  const statuses = new MessageIndex(4);
  for (const id of ['a', 'b', 'c', 'd']) statuses.accept(id, 'q');
  statuses.markSent('a', 'x');
  statuses.markFailed('b', { code: 'E', message: 'm' });
  assert.equal(statuses.counts, { pending: 2, sent: 1, failed: 1 });

  statuses.accept('e', 'q');
  statuses.accept('f', 'q');
  assert.equal(statuses.counts, { pending: 4, sent: 0, failed: 0 });
});

index('replaces a repeated id without growing', () => {
  const statuses = new MessageIndex(4);
  statuses.accept('a', 'q1');
  statuses.markSent('a', 'x');
  statuses.accept('a', 'q2');
  assert.is(statuses.size, 1);
  assert.is(statuses.get('a')?.queue, 'q2');
  assert.equal(statuses.counts, { pending: 1, sent: 0, failed: 0 });
});

index('lists recent statuses newest first', () => {
  const statuses = new MessageIndex(5);
  for (const id of ['a', 'b', 'c', 'd']) statuses.accept(id, 'q');
  assert.equal(statuses.recent(2).map((status) => status.id), ['d', 'c']);
  assert.equal(statuses.recent(10).map((status) => status.id), ['d', 'c', 'b', 'a']);
});

index('keeps nothing at capacity 0', () => {
  const statuses = new MessageIndex(0);
  statuses.accept('a', 'q');
  assert.is(statuses.size, 0);
  assert.is(statuses.get('a'), undefined);
});

index('rejects an invalid capacity', () => {
  assert.throws(() => new MessageIndex(-1), /capacity/);
  assert.throws(() => new MessageIndex(1.5), /capacity/);
});

index.run();

const ids = suite('MessageIdGenerator');

ids('makes unique ids that sort in creation order', () => {
  const generator = new MessageIdGenerator();
  const made: string[] = [];
  for (let count = 0; count < 100_000; count++) made.push(generator.next());

  assert.is(new Set(made).size, made.length);
  const sorted = [...made].sort();
  assert.equal(sorted, made);
});

ids('uses only SQS batch entry id characters', () => {
  const generator = new MessageIdGenerator();
  for (let count = 0; count < 1000; count++) {
    const id = generator.next();
    assert.is(id.length, MESSAGE_ID_LENGTH);
    assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  }
});

ids('encodes the clock time', () => {
  const time = Date.UTC(2026, 11, 4, 19, 30, 0, 123);
  const generator = new MessageIdGenerator(() => time);
  assert.is(timeOfMessageId(generator.next()), time);
  assert.is(timeOfMessageId('too short'), undefined);
  assert.is(timeOfMessageId('I'.repeat(26)), undefined);
});

ids('stays ordered when the clock steps back', () => {
  let time = 1_000_000;
  const generator = new MessageIdGenerator(() => time);
  const first = generator.next();
  time = 999_000;
  const second = generator.next();
  time = 1_000_001;
  const third = generator.next();
  assert.ok(first < second, `${first} < ${second}`);
  assert.ok(second < third, `${second} < ${third}`);
  assert.is(timeOfMessageId(second), 1_000_000);
});

ids('differ between generators at the same instant', () => {
  const time = 5_000_000;
  const first = new MessageIdGenerator(() => time);
  const second = new MessageIdGenerator(() => time);
  const made = new Set<string>();
  for (let count = 0; count < 1000; count++) {
    made.add(first.next());
    made.add(second.next());
  }
  assert.is(made.size, 2000);
});

ids.run();
