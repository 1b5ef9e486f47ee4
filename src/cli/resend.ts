// The `resend FILE` command: sends the messages of a dead-letter file again, with the
// accelerator's own credentials, and appends those that fail again to --dead-letter-file.

import { readFileSync, realpathSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadDefaultCredentials } from '../accelerator/credentials-chain.js';
import { DeadLetterWriter, readDeadLetters, type DeadLetterInput } from '../accelerator/dead-letters.js';
import type { AcceleratorOptions } from '../config/options.js';
import { createLogger } from '../log.js';
import { Delivery, SqsClient } from '../sqs/index.js';

/** Returns the exit status: 0 when every message was sent, 1 otherwise. */
export async function resendDeadLetters(file: string, options: AcceleratorOptions, environment: NodeJS.ProcessEnv): Promise<number> {
  const logger = createLogger(options.logLevel, 2);
  if (!existsSync(file)) {
    process.stderr.write(`sqs-accelerator: dead-letter file ${file} does not exist\n`);
    return 1;
  }
  const outputPath = resolve(options.deadLetterFile);
  if (existsSync(outputPath) && realpathSync(outputPath) === realpathSync(file)) {
    process.stderr.write(`sqs-accelerator: ${file} is also the --dead-letter-file; name another file for messages that fail again\n`);
    return 64;
  }
  const credentials = loadDefaultCredentials({ environment, profile: options.profile, readFile: (path) => readFileSync(path, 'utf8') });
  if (credentials === undefined) {
    process.stderr.write('sqs-accelerator: resend needs AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or use --profile\n');
    return 64;
  }

  const client = new SqsClient({ endpoint: options.endpoint, region: options.region, connections: options.connections, pipelining: options.pipelining, logger });
  // Opened on the first failure, so that a resend where everything is sent leaves no empty file.
  let failures: Promise<DeadLetterWriter> | undefined;
  const appendFailure = (input: DeadLetterInput): Promise<void> => {
    failures ??= DeadLetterWriter.open(options.deadLetterFile);
    return failures.then((writer) => writer.append(input));
  };
  const pending: Promise<void>[] = [];
  let sent = 0;
  let failed = 0;
  let unreadable = 0;
  const delivery = new Delivery({
    client,
    lingerMs: options.linger,
    maxAttempts: options.maxAttempts,
    maxAgeMs: options.maxAge,
    logger,
    onSent: () => {
      sent++;
    },
    onFailed: (id, error, message) => {
      failed++;
      logger.warn({ id, queue: message.queueName, code: error.code }, 'message failed again; appending it to the dead-letter file');
      pending.push(appendFailure({ id, queue: message.queueName, message, error, accessKeyId: credentials.accessKeyId }));
    },
  });

  let total = 0;
  for await (const entry of readDeadLetters(file)) {
    if (entry.error !== undefined) {
      unreadable++;
      logger.error({ file, line: entry.line, reason: entry.error.message }, 'skipped an unreadable dead-letter line');
      continue;
    }
    const { letter } = entry;
    total++;
    delivery.send({ id: letter.id, queueName: letter.queue, credentials, ...letter.message });
  }

  const remaining = await delivery.drain(options.drainTimeout);
  for (const message of remaining) {
    failed++;
    pending.push(appendFailure({ id: message.id, queue: message.queueName, message, error: { code: 'ShutdownDeadline', message: 'not sent within the drain timeout' }, accessKeyId: credentials.accessKeyId }));
  }
  await Promise.all(pending);
  if (failures !== undefined) await (await failures).close();
  await client.close();

  process.stdout.write(`${JSON.stringify({ file, messages: total, sent, failed, unreadableLines: unreadable, failedTo: failed > 0 ? options.deadLetterFile : undefined })}\n`);
  logger.flush();
  return failed === 0 && unreadable === 0 ? 0 : 1;
}
