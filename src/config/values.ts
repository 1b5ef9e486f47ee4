// Value types of configuration options, and their parsers. A raw value from a flag or an
// environment variable is always a string. One from the JSON config file is a string, number
// or boolean. The parser returns the typed value or throws a RangeError whose message states
// what is accepted, and the caller adds the option name and source.

export type OptionType =
  | { kind: 'string' }
  | { kind: 'path' }
  | { kind: 'url' }
  | { kind: 'region' }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  /** A whole number; with `auto`, the word "auto" is accepted too and kept as the string. */
  | { kind: 'integer'; min: number; max: number; auto?: boolean }
  /** A size in bytes: a number, or a number with B, KiB, MiB, GiB (1024-based) or KB, MB, GB (1000-based). */
  | { kind: 'bytes'; min: number; max: number }
  /** A duration in milliseconds: a number, or a number with ms, s, m or h. */
  | { kind: 'duration'; min: number; max: number };

export type OptionValue = string | number | boolean;

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
};

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Formats a byte count with the largest 1024-based unit that divides it evenly. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} B`;
}

/** Formats milliseconds with the largest unit that divides them evenly. */
export function formatDuration(milliseconds: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (milliseconds >= size && milliseconds % size === 0) return `${milliseconds / size} ${unit}`;
  }
  return `${milliseconds} ms`;
}

/** Describes the values a type accepts, for error messages and help. */
export function describeAccepted(type: OptionType): string {
  switch (type.kind) {
    case 'string':
      return 'a non-empty string';
    case 'path':
      return 'a file or directory path';
    case 'url':
      return 'an http:// or https:// URL';
    case 'region':
      return 'a region name of lower-case letters, digits and hyphens, such as us-east-1';
    case 'boolean':
      return 'true or false (also 1, 0, yes, no, on, off)';
    case 'enum':
      return `one of ${type.values.join(', ')}`;
    case 'integer':
      return `a whole number from ${type.min} to ${type.max}${type.auto ? ', or auto' : ''}`;
    case 'bytes':
      return `a size from ${formatBytes(type.min)} to ${formatBytes(type.max)}, in bytes or with a unit (KiB, MiB, GiB, KB, MB, GB)`;
    case 'duration':
      return `a duration from ${formatDuration(type.min)} to ${formatDuration(type.max)}, in milliseconds or with a unit (ms, s, m, h)`;
  }
}

function parseScaled(raw: string | number, units: Record<string, number>, defaultUnit: string): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : undefined;
  const match = /^\s*(\d+)\s*([A-Za-z]*)\s*$/.exec(raw);
  if (match === null) return undefined;
  const scale = units[(match[2] === '' ? defaultUnit : match[2]).toLowerCase()];
  if (scale === undefined) return undefined;
  const value = Number(match[1]) * scale;
  return Number.isSafeInteger(value) ? value : undefined;
}

function parseBoolean(raw: string | boolean): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  switch (raw.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
    case 'on':
      return true;
    case 'false':
    case '0':
    case 'no':
    case 'off':
      return false;
    default:
      return undefined;
  }
}

function parseUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username !== '' || url.password !== '') return undefined;
    return raw.endsWith('/') ? raw.slice(0, -1) : raw;
  } catch {
    return undefined;
  }
}

/**
 * Parses `raw` as a value of `type`. Throws a RangeError naming what is accepted when the value
 * has the wrong form or lies outside the type's range.
 */
export function parseOptionValue(type: OptionType, raw: OptionValue): OptionValue {
  const rejected = new RangeError(`expected ${describeAccepted(type)}`);

  if (type.kind === 'boolean') {
    if (typeof raw === 'number') throw rejected;
    const value = parseBoolean(raw);
    if (value === undefined) throw rejected;
    return value;
  }

  if (type.kind === 'integer' || type.kind === 'bytes' || type.kind === 'duration') {
    if (typeof raw === 'boolean') throw rejected;
    if (type.kind === 'integer' && type.auto && raw === 'auto') return 'auto';
    let value: number | undefined;
    if (type.kind === 'integer') value = parseScaled(raw, { '': 1 }, '');
    else if (type.kind === 'bytes') value = parseScaled(raw, BYTE_UNITS, 'b');
    else value = parseScaled(raw, DURATION_UNITS, 'ms');
    if (value === undefined || value < type.min || value > type.max) throw rejected;
    return value;
  }

  if (typeof raw !== 'string' || raw.trim() === '') throw rejected;
  switch (type.kind) {
    case 'enum':
      if (!type.values.includes(raw)) throw rejected;
      return raw;
    case 'url': {
      const url = parseUrl(raw);
      if (url === undefined) throw rejected;
      return url;
    }
    case 'region':
      // Loose on purpose: emulators accept region names such as `local`.
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(raw)) throw rejected;
      return raw;
    default:
      return raw;
  }
}
