// The ingress server: a node:net listener whose connections parse HTTP/1.1 with the selected
// engine and dispatch requests through a Router.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { HttpError } from './errors.js';
import { Connection } from './connection.js';
import { DEFAULT_LIMITS, type IngressContext, type IngressLimits } from './context.js';
import { createHandParser } from './hand-parser.js';
import { loadParserEngine } from './engines.js';
import type { ParserEngineName, ParserFactory } from './parser.js';
import { serializeResponse, type Reply } from './reply.js';
import type { IngressRequest } from './request.js';
import type { Router } from './router.js';
import { silentLogger, type Logger } from '../log.js';
import { RateLimitedLog } from '../rate-limited-log.js';

/** A request no route serves: 404, 405 (with the allowed methods) or 400 for a malformed path. */
export interface Unrouted {
  status: 400 | 404 | 405;
  message: string;
  allow?: string[];
}

export interface IngressOptions {
  router: Router;
  /** Sends the response for an unrouted request; the default sends the message as plain text. */
  onUnrouted?: (request: IngressRequest, reply: Reply, unrouted: Unrouted) => void;
  parser?: ParserEngineName;
  limits?: Partial<IngressLimits>;
  logger?: Logger;
}

export interface IngressCounters {
  connectionsAccepted: number;
  connectionsRejected: number;
  requests: number;
  protocolErrors: number;
  handlerErrors: number;
}

/** How often idle, header and body timeouts are checked, in milliseconds. */
const TIMEOUT_CHECK_INTERVAL = 1000;

function checkLimits(limits: IngressLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`ingress limit ${name} must be a positive integer, got ${String(value)}`);
    }
  }
}

export class IngressServer implements IngressContext {
  readonly limits: IngressLimits;
  readonly counters: IngressCounters = {
    connectionsAccepted: 0,
    connectionsRejected: 0,
    requests: 0,
    protocolErrors: 0,
    handlerErrors: 0,
  };
  createParser: ParserFactory = createHandParser;
  readonly #router: Router;
  readonly #onUnrouted: (request: IngressRequest, reply: Reply, unrouted: Unrouted) => void;
  readonly #parserName: ParserEngineName;
  readonly #logger: Logger;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  readonly #protocolErrorLog: RateLimitedLog;
  #timer: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: IngressOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    checkLimits(this.limits);
    if (options.parser !== undefined && options.parser !== 'hand' && options.parser !== 'llhttp') {
      throw new RangeError(`parser must be "hand" or "llhttp", got ${JSON.stringify(options.parser)}`);
    }
    this.#router = options.router;
    this.#onUnrouted = options.onUnrouted ?? sendUnroutedText;
    this.#parserName = options.parser ?? 'hand';
    this.#logger = options.logger ?? silentLogger;
    this.#protocolErrorLog = new RateLimitedLog(this.#logger);
    this.#server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#onConnection(socket));
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Starts listening and resolves with the bound address. */
  async listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    this.createParser = await loadParserEngine(this.#parserName);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen({ port, host }, () => {
        // Errors before this point reject listen(); later ones are logged here.
        this.#server.off('error', onError);
        this.#server.on('error', (error) => this.#logger.error({ err: error }, 'ingress server error'));
        resolve();
      });
    });

    this.#timer = setInterval(checkAllTimeouts, TIMEOUT_CHECK_INTERVAL, this.#connections);
    this.#timer.unref();
    const address = this.#server.address() as AddressInfo;
    this.#logger.info({ host: address.address, port: address.port, parser: this.#parserName }, 'ingress listening');
    return address;
  }

  /**
   * Stops accepting connections, lets unanswered requests finish, closes every connection,
   * and resolves when all are gone; connections still open after `timeout` ms are destroyed.
   */
  close(timeout = 5000): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      const forceTimer = setTimeout(() => {
        for (const connection of this.#connections) connection.socket.destroy();
      }, timeout);
      this.#server.close(() => {
        clearInterval(this.#timer);
        clearTimeout(forceTimer);
        this.#logger.info({ counters: this.counters }, 'ingress stopped');
        resolve();
      });
      for (const connection of this.#connections) connection.shutdown();
    });
    return this.#closed;
  }

  dispatch(request: IngressRequest, reply: Reply): void {
    this.counters.requests++;
    const match = this.#router.lookup(request.method, request.path);
    if (match.kind === 'found') {
      request.params = match.params;
      this.#runHandler(match.handler, request, reply);
    } else if (match.kind === 'method-not-allowed') {
      const allow = match.allow.join(', ');
      this.#onUnrouted(request, reply, { status: 405, message: `method ${request.method} is not allowed on ${request.path}; allowed: ${allow}`, allow: match.allow });
    } else if (match.kind === 'bad-path') {
      this.#onUnrouted(request, reply, { status: 400, message: match.message });
    } else {
      this.#onUnrouted(request, reply, { status: 404, message: `no resource at ${request.path}` });
    }
  }

  onProtocolError(error: HttpError, remoteAddress: string): void {
    this.counters.protocolErrors++;
    this.#protocolErrorLog.warn(error.code, { code: error.code, status: error.status, remoteAddress, reason: error.message }, 'rejected a malformed request');
  }

  onSocketError(error: NodeJS.ErrnoException, remoteAddress: string): void {
    // Resets and broken pipes are how clients commonly leave; they matter only when debugging.
    this.#logger.debug({ code: error.code, remoteAddress }, 'client socket error');
  }

  onClose(connection: Connection): void {
    this.#connections.delete(connection);
  }

  #runHandler(handler: (request: IngressRequest, reply: Reply) => void | Promise<void>, request: IngressRequest, reply: Reply): void {
    try {
      const result = handler(request, reply);
      if (result !== undefined && typeof result.then === 'function') {
        result.then(undefined, (error: unknown) => this.#onHandlerError(error, request, reply));
      }
    } catch (error) {
      this.#onHandlerError(error, request, reply);
    }
  }

  #onHandlerError(error: unknown, request: IngressRequest, reply: Reply): void {
    this.counters.handlerErrors++;
    this.#logger.error({ err: error, method: request.method, path: request.path }, 'request handler failed');
    if (!reply.sent) reply.send(500, 'internal error; see the accelerator log\n');
  }

  #onConnection(socket: Socket): void {
    if (this.#connections.size >= this.limits.maxConnections) {
      this.counters.connectionsRejected++;
      this.#protocolErrorLog.warn('MAX_CONNECTIONS', { limit: this.limits.maxConnections }, 'rejected a connection over the connection limit');
      const body = `too many connections (limit ${this.limits.maxConnections}); retry later\n`;
      // Errors on a socket that only receives this 503 carry no information worth logging.
      socket.on('error', () => socket.destroy());
      socket.end(serializeResponse({ status: 503, body, headers: { 'Retry-After': 1 }, headOnly: false, connection: 'close' }));
      // Discard input so that the peer's FIN is read and the socket can close.
      socket.resume();
      setTimeout(() => socket.destroy(), this.limits.closeLingerTimeout).unref();
      return;
    }
    this.counters.connectionsAccepted++;
    this.#connections.add(new Connection(socket, this));
  }
}

function sendUnroutedText(_request: IngressRequest, reply: Reply, unrouted: Unrouted): void {
  reply.send(unrouted.status, `${unrouted.message}\n`, unrouted.allow === undefined ? undefined : { Allow: unrouted.allow.join(', ') });
}

function checkAllTimeouts(connections: Set<Connection>): void {
  const now = Date.now();
  for (const connection of connections) connection.checkTimeouts(now);
}

export { HttpError };
