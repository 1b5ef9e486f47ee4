// Public surface of the SQS client library: the client, the delivery engine and their types.

export { SqsClient, type SqsClientOptions, type JsonObject } from './client.js';
export { Delivery, type DeliveryOptions, type DeliveryCounters, type FailureInfo } from './delivery.js';
export { SqsError, LOCAL_ERROR_CODES, classifyRetryable, parseErrorResponse } from './errors.js';
export { SigV4Signer, type Credentials, type SignableRequest, type SignedParts } from './signer.js';
export { md5OfAttributes, md5OfBody, type MessageAttributeValue, type MessageAttributes } from './md5.js';
export { MAX_BATCH_ENTRIES, MAX_PAYLOAD_BYTES, isFifoQueue, payloadSize, type OutgoingMessage } from './message.js';
export { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry.js';
export type { LatencySnapshot } from './latency.js';
