// Assembles and runs the accelerator: SQS client, delivery engine, core, HTTP API and, with
// --local-sqs, the embedded emulator. Used by the `run` command and by tests in-process.

import { readFileSync } from 'node:fs';
import { Accelerator } from '../accelerator/accelerator.js';
import { Credentials, CredentialsResolver } from '../accelerator/credentials.js';
import { loadDefaultCredentials } from '../accelerator/credentials-chain.js';
import { DeadLetterWriter } from '../accelerator/dead-letters.js';
import { MessageIndex } from '../accelerator/message-index.js';
import { createApiRouter } from '../api/routes.js';
import { createMetrics } from '../api/metrics.js';
import { sendUnrouted } from '../api/respond.js';
import type { AcceleratorOptions } from '../config/options.js';
import { IngressServer } from '../http/server.js';
import type { Logger } from '../log.js';
import { Delivery, SqsClient } from '../sqs/index.js';
import type { LocalSqs } from './local-sqs.js';
import { claimPidFile, releasePidFile } from './pid-file.js';
import { AcceleratorError } from '../accelerator/errors.js';
import { VERSION } from './version.js';

/** Credentials the accelerator signs with when it talks to its own emulator; the emulator checks none. */
const LOCAL_CREDENTIALS = new Credentials('local', 'local-secret');

/** A queue created at start with --local-sqs, so that the first curl has somewhere to go. */
export const LOCAL_DEMO_QUEUE = 'demo';

export interface RunningDaemon {
  port: number;
  host: string;
  endpoint: string;
  accelerator: Accelerator;
  /** Stops accepting, drains, dead-letters the rest and closes everything; resolves with a summary. */
  stop(): Promise<Record<string, unknown>>;
}

/**
 * Loads and starts the emulator. It is imported only here because fauxqs is a development
 * dependency, which a production install leaves out.
 */
async function startEmulator(region: string): Promise<LocalSqs> {
  let module: typeof import('./local-sqs.js');
  try {
    module = await import('./local-sqs.js');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new AcceleratorError('LOCAL_SQS_UNAVAILABLE', 'localSqs', `--local-sqs needs the fauxqs package, which could not be loaded (${reason}): run "npm ci" with development dependencies`);
  }
  return module.startLocalSqs(region);
}

/**
 * Starts every part of the daemon. When a later step fails (a port in use, say), the parts
 * already started are stopped again, so that the process can exit.
 */
export async function startDaemon(options: AcceleratorOptions, environment: NodeJS.ProcessEnv, logger: Logger): Promise<RunningDaemon> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    return await startParts(options, environment, logger, cleanups);
  } catch (error) {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (cleanupError) {
        logger.error({ err: (cleanupError as Error).message }, 'cleanup after a failed start failed');
      }
    }
    throw error;
  }
}

async function startParts(
  options: AcceleratorOptions,
  environment: NodeJS.ProcessEnv,
  logger: Logger,
  cleanups: (() => Promise<void> | void)[],
): Promise<RunningDaemon> {
  const startedAt = Date.now();
  if (options.pidFile !== undefined) {
    const pidFile = options.pidFile;
    claimPidFile(pidFile);
    cleanups.push(() => releasePidFile(pidFile));
  }

  let localSqs: LocalSqs | undefined;
  let endpoint = options.endpoint;
  if (options.localSqs) {
    const emulator = await startEmulator(options.region);
    localSqs = emulator;
    cleanups.push(() => emulator.stop());
    endpoint = emulator.endpoint;
    logger.info({ endpoint }, 'started the embedded SQS emulator on loopback; its messages stay in memory and are lost when the accelerator stops');
  }

  let defaults = loadDefaultCredentials({ environment, profile: options.profile, readFile: (path) => readFileSync(path, 'utf8') });
  if (defaults === undefined && localSqs !== undefined) defaults = LOCAL_CREDENTIALS;
  if (defaults === undefined) logger.info('no default AWS credentials: every request must carry HTTP Basic auth (access key id and secret)');
  else logger.info({ accessKeyId: defaults.accessKeyId }, 'default AWS credentials loaded');

  const client = new SqsClient({
    endpoint,
    region: options.region,
    connections: options.connections,
    pipelining: options.pipelining,
    connectTimeoutMs: options.upstreamConnectTimeout,
    headersTimeoutMs: options.upstreamTimeout,
    bodyTimeoutMs: options.upstreamTimeout,
    logger,
  });
  cleanups.push(() => client.close());
  if (localSqs !== undefined) await client.createQueue({ QueueName: LOCAL_DEMO_QUEUE }, defaults as Credentials);

  const deadLetters = await DeadLetterWriter.open(options.deadLetterFile);
  cleanups.push(() => deadLetters.close());
  let accelerator: Accelerator | undefined;
  const delivery = new Delivery({
    client,
    lingerMs: options.linger,
    maxAttempts: options.maxAttempts,
    maxAgeMs: options.maxAge,
    logger,
    onSent: (id, sqsMessageId) => accelerator?.onSent(id, sqsMessageId),
    onFailed: (id, error, message) => accelerator?.onFailed(id, error, message),
    onRetry: (id, attempt, error) => accelerator?.onRetry(id, attempt, error),
  });
  accelerator = new Accelerator({
    delivery,
    deadLetters,
    index: new MessageIndex(options.statusIndexSize),
    limits: { maxPendingMessages: options.maxPendingMessages, maxPendingBytes: options.maxPendingBytes },
    logger,
  });
  const core = accelerator;

  let ingress: IngressServer | undefined;
  const ingressCounters = () => ingress!.counters;
  const metrics = createMetrics({ accelerator: () => core.counters, delivery: () => core.deliveryCounters, ingress: ingressCounters });
  const router = createApiRouter({
    accelerator: core,
    client,
    credentials: new CredentialsResolver(defaults),
    settings: { maxMessageBytes: options.maxMessageBytes, maxRequestMessages: options.maxRequestMessages, endpoint, region: options.region, version: VERSION, startedAt },
    logger,
    ingressCounters,
    metrics,
  });
  ingress = new IngressServer({
    router,
    onUnrouted: sendUnrouted,
    parser: options.parser,
    logger,
    limits: {
      maxHeaderBytes: options.maxHeaderBytes,
      maxTargetLength: options.maxTargetLength,
      maxBodyBytes: options.maxBodyBytes,
      maxConnections: options.maxConnections,
      maxPipelinedRequests: options.maxPipelinedRequests,
      headersTimeout: options.headersTimeout,
      bodyTimeout: options.bodyTimeout,
      keepAliveTimeout: options.keepAliveTimeout,
    },
  });
  const address = await ingress.listen(options.port, options.host);
  logger.info({ host: address.address, port: address.port, endpoint, region: options.region, version: VERSION }, 'sqs-accelerator started');

  let stopping: Promise<Record<string, unknown>> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info({ pendingMessages: core.counters.pendingMessages, drainTimeoutMs: options.drainTimeout }, 'stopping: no new messages, delivering what is pending');
      const closed = ingress.close(options.drainTimeout);
      const summary = await core.shutdown(options.drainTimeout);
      await closed;
      await client.close();
      await localSqs?.stop();
      if (options.pidFile !== undefined) releasePidFile(options.pidFile);
      const result = { ...summary, accepted: core.counters.accepted, sent: core.counters.sent, failed: core.counters.failed, deadLetterFile: options.deadLetterFile };
      logger.info(result, 'sqs-accelerator stopped');
      return result;
    })();
    return stopping;
  };

  return { port: address.port, host: address.address, endpoint, accelerator: core, stop };
}
