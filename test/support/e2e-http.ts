// HTTP and upstream helpers for the end-to-end tests: requests to the accelerator, polling
// its counters and message statuses, fauxqs on loopback, and reading a fauxqs queue back with
// the AWS SDK.

import { buildApp } from 'fauxqs';
import {
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { sleep } from './cli-process.js';

/** Time allowed for a poll to see its condition, in milliseconds. */
export const POLL_TIMEOUT_MS = 60_000;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any;
}

/** Sends one request and reads the whole response; fails after `timeoutMs`. */
export async function request(url: string, init: RequestInit = {}, timeoutMs = 30_000): Promise<HttpAnswer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Builds the value of an HTTP Basic Authorization header for an access key id and secret. */
export function basicAuthorization(accessKeyId: string, secretAccessKey: string): string {
  return `Basic ${Buffer.from(`${accessKeyId}:${secretAccessKey}`).toString('base64')}`;
}

/** Calls `check` until it returns a value other than undefined; throws `describe()` after `timeoutMs`. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, describe: () => string, timeoutMs = POLL_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(50);
  }
}

/** Polls `/stats` until nothing is pending and returns the last counters. */
export async function waitForNoPending(baseUrl: string, timeoutMs = POLL_TIMEOUT_MS): Promise<Record<string, any>> {
  let last: Record<string, any> = {};
  return pollUntil(
    async () => {
      last = (await request(`${baseUrl}/stats`)).json as Record<string, any>;
      return last.pendingMessages === 0 ? last : undefined;
    },
    () => `messages still pending; last /stats: ${JSON.stringify(last)}`,
    timeoutMs,
  );
}

/** Polls `/messages/ID` until its state is not pending and returns that status. */
export async function waitForSettled(baseUrl: string, id: string, timeoutMs = POLL_TIMEOUT_MS): Promise<Record<string, any>> {
  let last: unknown;
  return pollUntil(
    async () => {
      const answer = await request(`${baseUrl}/messages/${id}`);
      last = answer.json;
      return answer.status === 200 && answer.json.state !== 'pending' ? (answer.json as Record<string, any>) : undefined;
    },
    () => `message ${id} still pending; last status: ${JSON.stringify(last)}`,
    timeoutMs,
  );
}

export interface Fauxqs {
  endpoint: string;
  sdk: SQSClient;
  close(): Promise<void>;
}

/** Any static credentials work with fauxqs, which checks no signatures. */
export const FAUXQS_CREDENTIALS = { accessKeyId: 'AKIDFAUXQSE2E', secretAccessKey: 'fauxqs-e2e-secret' };

/** Starts fauxqs on 127.0.0.1 and a free port, with an SDK client pointed at it. */
export async function startFauxqs(): Promise<Fauxqs> {
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fauxqs did not report its port');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const sdk = new SQSClient({ endpoint, region: 'us-east-1', credentials: FAUXQS_CREDENTIALS });
  return {
    endpoint,
    sdk,
    close: async () => {
      sdk.destroy();
      await app.close();
    },
  };
}

/**
 * Receives and deletes messages until `expected` have arrived and one more receive finds the
 * queue empty, so that extra copies are counted too. Fails after `timeoutMs`.
 */
export async function drainQueue(sdk: SQSClient, queueName: string, expected: number, timeoutMs = POLL_TIMEOUT_MS): Promise<Message[]> {
  const { QueueUrl } = await sdk.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const received: Message[] = [];
  const deadline = Date.now() + timeoutMs;

  const receiveOnce = async (): Promise<number> => {
    const answer = await sdk.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 600,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = answer.Messages ?? [];
    if (messages.length === 0) return 0;
    received.push(...messages);
    await sdk.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    return messages.length;
  };

  // Several receivers at once, because one receive returns at most 10 messages.
  const RECEIVERS = 8;
  while (received.length < expected) {
    if (Date.now() > deadline) throw new Error(`received ${received.length} of ${expected} messages from ${queueName} within ${timeoutMs} ms`);
    const counts = await Promise.all(Array.from({ length: RECEIVERS }, receiveOnce));
    if (counts.every((count) => count === 0)) await sleep(50);
  }
  while ((await receiveOnce()) > 0);
  return received;
}

/** Converts the SDK's message attributes to the API's JSON shape, with Binary values in base64. */
export function attributesOfReceived(message: Message): Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> {
  const attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    const converted: { DataType: string; StringValue?: string; BinaryValue?: string } = { DataType: value.DataType ?? '' };
    if (value.StringValue !== undefined) converted.StringValue = value.StringValue;
    if (value.BinaryValue !== undefined) converted.BinaryValue = Buffer.from(value.BinaryValue).toString('base64');
    attributes[name] = converted;
  }
  return attributes;
}
