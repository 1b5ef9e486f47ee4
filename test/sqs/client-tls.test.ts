// SqsClient over HTTPS to a loopback server with a certificate made by openssl for this test:
// the path that AWS endpoints take. Skips with a message where openssl is not installed.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SqsClient } from '../../src/sqs/client.js';
import { SqsError } from '../../src/sqs/errors.js';

const CREDENTIALS = { accessKeyId: 'AKIDTLS', secretAccessKey: 'tls-secret' };

function makeCertificate(): { key: Buffer; cert: Buffer } | undefined {
  const directory = mkdtempSync(join(tmpdir(), 'sqs-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem'),
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(directory, 'key.pem')), cert: readFileSync(join(directory, 'cert.pem')) };
  } catch (error) {
    console.log(`  skipped: openssl could not make a certificate (${(error as Error).message})`);
    return undefined;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test('calls succeed over HTTPS with the CA given', async () => {
  const certificate = makeCertificate();
  if (certificate === undefined) return;

  let seenTarget: string | undefined;
  const server: Server = createServer(certificate, (request, response) => {
    seenTarget = String(request.headers['x-amz-target']);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{"QueueUrls":["https://127.0.0.1/1/secure"]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const trusting = new SqsClient({ endpoint, tls: { ca: certificate.cert } });
  const untrusting = new SqsClient({ endpoint });
  try {
    const result = await trusting.listQueues({}, CREDENTIALS);
    assert.equal(result.QueueUrls, ['https://127.0.0.1/1/secure']);
    assert.is(seenTarget, 'AmazonSQS.ListQueues');

    // Without the CA the handshake fails before the request is written, so it is not ambiguous.
    try {
      await untrusting.listQueues({}, CREDENTIALS);
      assert.unreachable('expected a certificate error');
    } catch (error) {
      assert.instance(error, SqsError);
      assert.is((error as SqsError).code, 'NetworkError');
      assert.is((error as SqsError).ambiguous, false);
      assert.match((error as SqsError).message, /self[- ]signed/i);
    }
  } finally {
    await trusting.close();
    await untrusting.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test.run();
