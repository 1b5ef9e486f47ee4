// The embedded SQS emulator behind --local-sqs: fauxqs, bound to loopback only, so that the
// whole flow runs without an AWS account. Messages live in its memory.

import { buildApp } from 'fauxqs';

export interface LocalSqs {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts fauxqs on 127.0.0.1 with a free port and returns its endpoint URL. */
export async function startLocalSqs(region: string): Promise<LocalSqs> {
  // fauxqs's own start function binds every interface; building the app and listening here
  // keeps the emulator reachable from this machine only.
  const app = buildApp({ logger: false, defaultRegion: region });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the local SQS emulator did not report its port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => app.close(),
  };
}
