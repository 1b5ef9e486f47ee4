// The independent SigV4 signer used to check ours: @smithy/signature-v4 (the AWS SDK's own
// signer) with SHA-256 from node:crypto rather than @noble/hashes.

import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

type Bytes = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: Bytes): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 or HMAC-SHA256 in the shape smithy expects: constructed with an optional key. */
export class NodeSha256 {
  readonly #state: Hash | Hmac;

  constructor(secret?: Bytes) {
    this.#state = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }

  update(data: Bytes): void {
    this.#state.update(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#state.digest());
  }
}

export interface SmithyCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SmithyRequest {
  method: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

/** Signs with smithy at `signingDate` and returns the headers it produced, lower-cased. */
export async function signWithSmithy(
  request: SmithyRequest,
  credentials: SmithyCredentials,
  region: string,
  service: string,
  signingDate: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region, service, sha256: NodeSha256, uriEscapePath: true, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: request.hostname,
      port: request.port,
      path: request.path,
      query: request.query ?? {},
      headers: { ...request.headers },
      body: request.body,
    },
    { signingDate },
  );

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
  return headers;
}

/** Extracts the hex signature from an Authorization header value. */
export function signatureOf(authorization: string | undefined): string | undefined {
  const match = /Signature=([0-9a-f]{64})/.exec(authorization ?? '');
  return match?.[1];
}

/** Parses `YYYYMMDDTHHMMSSZ` into a Date, or returns undefined. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  return new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)));
}
