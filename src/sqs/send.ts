// One send call for a batch of entries: SendMessageBatch (or SendMessage for a single entry
// when batching is off), decoded into one outcome per entry with the MD5 digests checked.

import type { SqsClient, JsonObject } from './client.js';
import type { Batcher, Entry } from './batcher.js';
import { LOCAL_ERROR_CODES, SqsError, classifyRetryable } from './errors.js';
import { md5OfAttributes, md5OfBody } from './md5.js';
import { encodeMessageFields } from './message.js';

export interface SendOutcome {
  entry: Entry;
  messageId?: string;
  error?: SqsError;
}

/** Returns an MD5Mismatch error when a digest SQS returned differs from the local one. */
export function checkDigests(entry: Entry, md5OfBodyReturned: unknown, md5OfAttributesReturned: unknown): SqsError | undefined {
  const { message } = entry;
  if (typeof md5OfBodyReturned === 'string' && md5OfBodyReturned !== md5OfBody(message.body)) {
    return new SqsError({
      code: LOCAL_ERROR_CODES.md5Mismatch,
      message: `SQS returned MD5OfMessageBody ${md5OfBodyReturned} for message ${JSON.stringify(message.id)}, which differs from the body sent`,
    });
  }

  const expected = md5OfAttributes(message.attributes);
  if (expected !== undefined && typeof md5OfAttributesReturned === 'string' && md5OfAttributesReturned !== expected) {
    return new SqsError({
      code: LOCAL_ERROR_CODES.md5Mismatch,
      message: `SQS returned MD5OfMessageAttributes ${md5OfAttributesReturned} for message ${JSON.stringify(message.id)}, expected ${expected}`,
    });
  }
  return undefined;
}

function missingEntry(entry: Entry, action: string): SqsError {
  return new SqsError({
    code: LOCAL_ERROR_CODES.invalidResponse,
    message: `${action} response lists message ${JSON.stringify(entry.message.id)} neither as successful nor as failed`,
    ambiguous: true,
  });
}

/** Encodes the SendMessageBatch request; entry ids are the positions 0 to 9, which are unique and valid. */
export function encodeBatch(queueUrl: string, batch: readonly Entry[]): JsonObject {
  const entries = batch.map((entry, index) => ({ Id: String(index), ...encodeMessageFields(entry.message, entry.deduplicationId) }));
  return { QueueUrl: queueUrl, Entries: entries };
}

/**
 * Sends the entries in one call and returns one outcome per entry. Throws SqsError when the
 * whole call failed.
 */
export async function sendEntries(client: SqsClient, batcher: Batcher, batch: readonly Entry[], batching: boolean): Promise<SendOutcome[]> {
  if (!batching) {
    const entry = batch[0]!;
    const params = { QueueUrl: batcher.queueUrl, ...encodeMessageFields(entry.message, entry.deduplicationId) };
    const result = await client.call('SendMessage', params, batcher.credentials);
    if (typeof result.MessageId !== 'string') return [{ entry, error: missingEntry(entry, 'SendMessage') }];
    const mismatch = checkDigests(entry, result.MD5OfMessageBody, result.MD5OfMessageAttributes);
    return [mismatch === undefined ? { entry, messageId: result.MessageId } : { entry, error: mismatch }];
  }

  const result = await client.call('SendMessageBatch', encodeBatch(batcher.queueUrl, batch), batcher.credentials);
  const outcomes: Array<SendOutcome | undefined> = new Array(batch.length);

  const successful = Array.isArray(result.Successful) ? (result.Successful as JsonObject[]) : [];
  for (const item of successful) {
    const entry = batch[Number(item.Id)];
    if (entry === undefined || typeof item.MessageId !== 'string') continue;
    const mismatch = checkDigests(entry, item.MD5OfMessageBody, item.MD5OfMessageAttributes);
    outcomes[Number(item.Id)] = mismatch === undefined ? { entry, messageId: item.MessageId } : { entry, error: mismatch };
  }

  const failed = Array.isArray(result.Failed) ? (result.Failed as JsonObject[]) : [];
  for (const item of failed) {
    const entry = batch[Number(item.Id)];
    if (entry === undefined) continue;
    const code = typeof item.Code === 'string' ? item.Code : 'InternalError';
    const message = typeof item.Message === 'string' ? item.Message : `SendMessageBatch entry failed with ${code}`;
    const senderFault = item.SenderFault === true;
    // An entry SQS did not blame on the sender is worth another try whatever its code.
    const retryable = !senderFault || classifyRetryable(code, 0, message);
    outcomes[Number(item.Id)] = { entry, error: new SqsError({ code, message, senderFault, retryable }) };
  }

  return batch.map((entry, index) => outcomes[index] ?? { entry, error: missingEntry(entry, 'SendMessageBatch') });
}
