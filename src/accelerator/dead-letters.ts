// Dead letters: messages the accelerator acknowledged but could not deliver. They are appended
// to a JSON lines file, one object per line:
//
//   {"id", "queue", "message": {"body", "attributes", "delaySeconds", "groupId",
//    "deduplicationId"}, "error": {"code", "message"}, "time", "accessKeyId"}
//
// `time` is ISO 8601 in UTC. Of the credentials only the access key id is written, never the
// secret or session token. `sqs-accelerator resend FILE` reads the file back with
// `readDeadLetters`.

import { createReadStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readJsonMessage } from './body-forms.js';
import { AcceleratorError } from './errors.js';
import { setOwnProperty, type MessageAttribute, type MessageInput } from './message.js';

export interface DeadLetter {
  id: string;
  queue: string;
  message: MessageInput;
  error: { code: string; message: string };
  /** When the message was given up, ISO 8601 in UTC. */
  time: string;
  accessKeyId?: string;
}

/** The input of `DeadLetterWriter.append`. Fields not listed here, such as credentials, are never written. */
export interface DeadLetterInput {
  id: string;
  queue: string;
  message: {
    body: string;
    attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string | Uint8Array }>;
    delaySeconds?: number;
    groupId?: string;
    deduplicationId?: string;
  };
  error: { code: string; message: string };
  time?: Date;
  accessKeyId?: string;
}

function fileError(action: string, path: string, error: unknown): AcceleratorError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new AcceleratorError('DEAD_LETTER_FILE_FAILED', 'deadLetterFile', `cannot ${action} ${path} (${code}): choose a writable path with --dead-letter-file`);
}

/** Copies the fields of a dead letter that belong in the file, picking each one by name. */
export function toDeadLetter(input: DeadLetterInput): DeadLetter {
  const source = input.message;
  const message: MessageInput = { body: source.body };

  if (source.attributes !== undefined) {
    const attributes: Record<string, MessageAttribute> = {};
    for (const [name, attribute] of Object.entries(source.attributes)) {
      const copy: MessageAttribute = { DataType: attribute.DataType };
      if (attribute.StringValue !== undefined) copy.StringValue = attribute.StringValue;
      if (attribute.BinaryValue !== undefined) {
        const binary = attribute.BinaryValue;
        copy.BinaryValue = typeof binary === 'string' ? binary : Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength).toString('base64');
      }
      setOwnProperty(attributes, name, copy);
    }
    message.attributes = attributes;
  }
  if (source.delaySeconds !== undefined) message.delaySeconds = source.delaySeconds;
  if (source.groupId !== undefined) message.groupId = source.groupId;
  if (source.deduplicationId !== undefined) message.deduplicationId = source.deduplicationId;

  const letter: DeadLetter = {
    id: input.id,
    queue: input.queue,
    message,
    error: { code: input.error.code, message: input.error.message },
    time: (input.time ?? new Date()).toISOString(),
  };
  if (input.accessKeyId !== undefined) letter.accessKeyId = input.accessKeyId;
  return letter;
}

/**
 * Appends dead letters to a file opened in append mode. Each letter is one write of one line,
 * and appends run one at a time in call order, so lines never interleave within this process.
 * `close` waits for pending appends and syncs the file to disk.
 */
export class DeadLetterWriter {
  readonly path: string;
  #handle: FileHandle | undefined;
  #tail: Promise<void> = Promise.resolve();
  #written = 0;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  /** Opens `path` for appending, creating missing parent directories. Throws DEAD_LETTER_FILE_FAILED naming the path and the system error. */
  static async open(path: string): Promise<DeadLetterWriter> {
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      throw fileError('create the directory of dead-letter file', path, error);
    }

    try {
      return new DeadLetterWriter(path, await open(path, 'a', 0o600));
    } catch (error) {
      throw fileError('open dead-letter file', path, error);
    }
  }

  /** The number of letters written so far. */
  get written(): number {
    return this.#written;
  }

  /** Appends one letter; resolves once its line is written, or rejects with DEAD_LETTER_FILE_FAILED. */
  append(input: DeadLetterInput): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(toDeadLetter(input))}\n`, 'utf8');
    const result = this.#tail.then(() => this.#writeLine(line));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  async #writeLine(line: Buffer): Promise<void> {
    const handle = this.#handle;
    if (handle === undefined) {
      throw new AcceleratorError('DEAD_LETTER_FILE_FAILED', 'deadLetterFile', `dead-letter file ${this.path} is already closed, so the letter was not written: append before close`);
    }

    try {
      let offset = 0;
      // A write to a regular file normally takes the whole line. The loop covers a short write,
      // which a full disk can cause.
      while (offset < line.length) {
        const { bytesWritten } = await handle.write(line, offset, line.length - offset);
        offset += bytesWritten;
      }
    } catch (error) {
      throw fileError('append to dead-letter file', this.path, error);
    }
    this.#written++;
  }

  /** Waits for pending appends, syncs the file to disk and closes it. Closing twice is harmless. */
  async close(): Promise<void> {
    await this.#tail;
    const handle = this.#handle;
    if (handle === undefined) return;
    this.#handle = undefined;

    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** One line of a dead-letter file: the letter, or the reason the line was skipped. */
export type DeadLetterLine = { line: number; letter: DeadLetter; error?: undefined } | { line: number; letter?: undefined; error: AcceleratorError };

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function readStringField(object: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const value = object[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new AcceleratorError('INVALID_DEAD_LETTER', key, `field ${key} must be a non-empty string`);
  }
  return value;
}

/** Parses one line of a dead-letter file, throwing INVALID_DEAD_LETTER or a message error for a bad line. */
export function parseDeadLetter(text: string): DeadLetter {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AcceleratorError('INVALID_DEAD_LETTER', '', `line is not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AcceleratorError('INVALID_DEAD_LETTER', '', 'line is not a JSON object with id, queue and message');
  }

  const object = value as Record<string, unknown>;
  const id = readStringField(object, 'id', true) as string;
  const queue = readStringField(object, 'queue', true) as string;
  const time = readStringField(object, 'time', false) ?? '';
  const accessKeyId = readStringField(object, 'accessKeyId', false);

  let message: MessageInput;
  try {
    message = readJsonMessage(object.message);
  } catch (error) {
    if (!(error instanceof AcceleratorError)) throw error;
    throw new AcceleratorError(error.code, error.field === '' ? 'message' : `message.${error.field}`, error.message);
  }

  const rawError = object.error as { code?: unknown; message?: unknown } | undefined;
  const letter: DeadLetter = {
    id,
    queue,
    message,
    error: { code: String(rawError?.code ?? ''), message: String(rawError?.message ?? '') },
    time,
  };
  if (accessKeyId !== undefined) letter.accessKeyId = accessKeyId;
  return letter;
}

/**
 * Reads a dead-letter file line by line without loading it whole. Yields each letter, and for
 * a bad line (invalid UTF-8 or JSON, a missing field) an error with its 1-based line number, so
 * that the good lines can still be resent. Blank lines are skipped. Throws
 * DEAD_LETTER_FILE_FAILED when the file cannot be read.
 */
export async function* readDeadLetters(path: string): AsyncGenerator<DeadLetterLine> {
  const stream = createReadStream(path);
  let pending: Buffer = Buffer.alloc(0);
  let line = 0;

  function* takeLines(final: boolean): Generator<DeadLetterLine> {
    let start = 0;
    for (;;) {
      let end = pending.indexOf(0x0a, start);
      if (end === -1) {
        if (!final || start >= pending.length) break;
        end = pending.length;
      }
      line++;
      const bytes = pending.subarray(start, end);
      start = end + 1;
      const result = parseLine(bytes, line);
      if (result !== undefined) yield result;
    }
    pending = pending.subarray(Math.min(start, pending.length));
  }

  try {
    for await (const chunk of stream) {
      pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
      yield* takeLines(false);
    }
  } catch (error) {
    if (error instanceof AcceleratorError) throw error;
    throw fileError('read dead-letter file', path, error);
  } finally {
    stream.destroy();
  }
  yield* takeLines(true);
}

function parseLine(bytes: Buffer, line: number): DeadLetterLine | undefined {
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    return { line, error: new AcceleratorError('INVALID_UTF8', '', 'line is not valid UTF-8').atLine(line) };
  }
  if (text.trim() === '') return undefined;

  try {
    return { line, letter: parseDeadLetter(text) };
  } catch (error) {
    if (!(error instanceof AcceleratorError)) throw error;
    return { line, error: error.atLine(line) };
  }
}
