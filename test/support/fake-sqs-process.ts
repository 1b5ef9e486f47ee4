// Runs the fake SQS in a child process, so that a benchmark's process.cpuUsage() counts only
// the client. Started with child_process.fork and the FakeSqsOptions as JSON in argv[2].
// Messages from the parent: { type: 'stats' } and { type: 'close' }. Messages to the parent:
// { type: 'ready', endpoint }, { type: 'stats', stats, stored }.

import { FakeSqs, type FakeSqsOptions } from './fake-sqs.js';

interface ParentMessage {
  type: 'stats' | 'close';
  queues?: string[];
}

async function main(): Promise<void> {
  if (process.send === undefined) throw new Error('fake-sqs-process must be started with child_process.fork');
  const options = JSON.parse(process.argv[2] ?? '{}') as FakeSqsOptions & { queues?: string[] };
  const fake = await FakeSqs.start(options);
  for (const name of options.queues ?? []) fake.createQueue(name);

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') {
      const stored = Object.fromEntries((options.queues ?? []).map((name) => [name, fake.messages(name).length]));
      // Batch sizes are summarized here so that the reply stays small.
      const sizes = fake.stats.batchSizes;
      process.send!({ type: 'stats', stats: { ...fake.stats, batchSizes: [], batchCount: sizes.length, batchEntries: sizes.reduce((sum, size) => sum + size, 0) }, stored });
    } else if (message.type === 'close') {
      void fake.close().then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
  process.send({ type: 'ready', endpoint: fake.endpoint });
}

void main();
