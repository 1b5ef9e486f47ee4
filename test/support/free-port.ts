// A loopback port with no listener, for servers that cannot pick their own (nginx) and for
// tests that need a connection to be refused.

import { createServer } from 'node:net';

/** Returns a port on 127.0.0.1 that is free now, found by listening on port 0 and closing again. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('the probe server reported no port');
  return address.port;
}
