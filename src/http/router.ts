// A route table: method plus path pattern with named parameters (`/queues/:name`) and an
// optional trailing wildcard (`/static/*`). Lookups split the path once and compare segments;
// with a few dozen routes a linear scan beats anything cleverer.

import type { IngressRequest } from './request.js';
import type { Reply } from './reply.js';

export type Handler = (request: IngressRequest, reply: Reply) => void | Promise<void>;

interface Route {
  method: string;
  segments: string[];
  wildcard: boolean;
  handler: Handler;
}

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' }
  | { kind: 'bad-path'; message: string };

/** Splits a path into segments: "/queues/a/" gives ["queues", "a", ""]. */
function splitPath(path: string): string[] {
  return path.length <= 1 ? [] : path.slice(1).split('/');
}

/** Lookups remembered per method and path: enough for an application's queues and pages. */
const CACHE_SIZE = 1024;

export class Router {
  readonly #routes: Route[] = [];
  // Most requests repeat a few paths (one per queue), so a remembered match skips the split
  // and the scan. Cleared whenever a route is added.
  readonly #cache = new Map<string, RouteMatch>();

  /**
   * Adds a route. `method` is an HTTP method or `*` for any; a GET route also serves HEAD.
   * Pattern segments starting with `:` are parameters; a final `*` matches any rest of the path.
   */
  add(method: string, pattern: string, handler: Handler): this {
    if (!pattern.startsWith('/')) {
      throw new TypeError(`route pattern ${JSON.stringify(pattern)} must start with "/"`);
    }
    const segments = splitPath(pattern);
    const wildcard = segments[segments.length - 1] === '*';
    if (wildcard) segments.pop();
    this.#routes.push({ method, segments, wildcard, handler });
    this.#cache.clear();
    return this;
  }

  /**
   * Finds the route for `method` and `path` (the target without its query string). A found
   * match carries its own copy of the parameters, which the caller may change.
   */
  lookup(method: string, path: string): RouteMatch {
    const key = `${method} ${path}`;
    let match = this.#cache.get(key);
    if (match === undefined) {
      match = this.#match(method, path);
      if (this.#cache.size >= CACHE_SIZE) this.#cache.clear();
      this.#cache.set(key, match);
    }
    return match.kind === 'found' ? { kind: 'found', handler: match.handler, params: { ...match.params } } : match;
  }

  #match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    const allow = new Set<string>();
    for (const route of this.#routes) {
      const params = matchSegments(route, segments);
      if (params === undefined) continue;
      if (typeof params === 'string') return { kind: 'bad-path', message: params };

      const serves = route.method === '*' || route.method === method || (method === 'HEAD' && route.method === 'GET');
      if (serves) return { kind: 'found', handler: route.handler, params };
      allow.add(route.method);
      if (route.method === 'GET') allow.add('HEAD');
    }
    if (allow.size === 0) return { kind: 'not-found' };
    return { kind: 'method-not-allowed', allow: [...allow].sort() };
  }
}

/**
 * Returns the decoded parameters when `segments` match the route, undefined when they do not,
 * and an error message when a parameter is not valid percent-encoding.
 */
function matchSegments(route: Route, segments: string[]): Record<string, string> | string | undefined {
  const expected = route.segments;
  if (route.wildcard ? segments.length < expected.length : segments.length !== expected.length) return undefined;

  let params: Record<string, string> | undefined;
  for (let index = 0; index < expected.length; index++) {
    const pattern = expected[index];
    const segment = segments[index];
    if (pattern.charCodeAt(0) === 0x3a) {
      if (segment.length === 0) return undefined;
      params ??= {};
      try {
        params[pattern.slice(1)] = segment.includes('%') ? decodeURIComponent(segment) : segment;
      } catch {
        return `path segment ${JSON.stringify(segment.slice(0, 64))} is not valid percent-encoding`;
      }
    } else if (pattern !== segment) {
      return undefined;
    }
  }
  return params ?? {};
}
