// The state route handlers share: the accelerator core, the SQS client for queue management,
// credentials, settings and the logger.

import type { Accelerator } from '../accelerator/accelerator.js';
import type { CredentialsResolver } from '../accelerator/credentials.js';
import type { IngressCounters } from '../http/server.js';
import type { Logger } from '../log.js';
import type { SqsClient } from '../sqs/index.js';

export interface ApiSettings {
  /** Largest message, body plus attributes, as SQS counts it. */
  maxMessageBytes: number;
  /** Maximum number of messages in one NDJSON request. */
  maxRequestMessages: number;
  endpoint: string;
  region: string;
  version: string;
  /** Process start, milliseconds since the epoch. */
  startedAt: number;
}

export interface MetricsRenderer {
  contentType: string;
  render(): Promise<string>;
}

export interface ApiContext {
  accelerator: Accelerator;
  client: SqsClient;
  credentials: CredentialsResolver;
  settings: ApiSettings;
  logger: Logger;
  ingressCounters: () => IngressCounters;
  metrics: MetricsRenderer;
}
