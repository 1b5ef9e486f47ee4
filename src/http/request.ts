// One parsed request as handlers see it.

/** Splits a request-target into path and query, accepting origin-form and absolute-form (RFC 9112 section 3.2). */
function splitTarget(target: string): { path: string; query: string } {
  let pathStart = 0;
  if (target.charCodeAt(0) !== 0x2f && /^https?:\/\//i.test(target)) {
    const slash = target.indexOf('/', target.indexOf('//') + 2);
    pathStart = slash === -1 ? target.length : slash;
  }

  const question = target.indexOf('?', pathStart);
  const path = question === -1 ? target.slice(pathStart) : target.slice(pathStart, question);
  const query = question === -1 ? '' : target.slice(question + 1);
  return { path: path === '' ? '/' : path, query };
}

export class IngressRequest {
  readonly method: string;
  /** The request-target as sent. */
  readonly target: string;
  /** The path of the target, still percent-encoded; route parameters are decoded. */
  readonly path: string;
  /** The query string without its "?", still percent-encoded. */
  readonly queryString: string;
  readonly versionMinor: number;
  /** Flat list of lower-cased header names and values: [name, value, name, value, ...]. */
  readonly headers: string[];
  readonly body: Buffer;
  /** Trailer fields of a chunked body, in the same flat form as headers. */
  readonly trailers: string[];
  readonly remoteAddress: string;
  params: Record<string, string> = {};
  #query: URLSearchParams | undefined;

  constructor(init: {
    method: string;
    target: string;
    versionMinor: number;
    headers: string[];
    body: Buffer;
    trailers: string[];
    remoteAddress: string;
  }) {
    this.method = init.method;
    this.target = init.target;
    this.versionMinor = init.versionMinor;
    this.headers = init.headers;
    this.body = init.body;
    this.trailers = init.trailers;
    this.remoteAddress = init.remoteAddress;

    const { path, query } = splitTarget(init.target);
    this.path = path;
    this.queryString = query;
  }

  /** Returns the first value of header `name` (lower case), or undefined. */
  header(name: string): string | undefined {
    const headers = this.headers;
    for (let index = 0; index < headers.length; index += 2) {
      if (headers[index] === name) return headers[index + 1];
    }
    return undefined;
  }

  /** Returns every value of header `name` (lower case), in arrival order. */
  headerValues(name: string): string[] {
    const values: string[] = [];
    const headers = this.headers;
    for (let index = 0; index < headers.length; index += 2) {
      if (headers[index] === name) values.push(headers[index + 1]);
    }
    return values;
  }

  /** The decoded query parameters, parsed on first use. */
  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.queryString);
    return this.#query;
  }
}
