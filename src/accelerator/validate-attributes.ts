// Message attribute rules from the SQS developer guide ("Amazon SQS message attributes") and
// the MessageAttributeValue API reference. A message has at most 10 attributes. A name has 1 to
// 256 characters `[A-Za-z0-9_.-]`, must not start with `AWS.` or `Amazon.` in any case, must not
// start or end with a period, and must not contain `..`. A data type is `String`, `Number` or
// `Binary` with an optional `.label`, at most 256 characters. Values must not be empty.
// Every part counts towards the message size: name, data type and string value in UTF-8
// bytes, a binary value in decoded bytes.

import { AcceleratorError, previewValue } from './errors.js';
import { describeCharacterAt, measureMessageText, type MessageAttribute } from './message.js';

export const MAX_ATTRIBUTES = 10;
const MAX_ATTRIBUTE_NAME_LENGTH = 256;
const MAX_DATA_TYPE_LENGTH = 256;
const MAX_NUMBER_DIGITS = 38;
const MIN_NUMBER_EXPONENT = -128;
const MAX_NUMBER_EXPONENT = 126;
const KNOWN_ATTRIBUTE_KEYS = new Set(['DataType', 'StringValue', 'BinaryValue']);

function isNameCharacter(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2d ||
    code === 0x2e ||
    code === 0x5f
  );
}

/** Returns why `name` is not a valid attribute name, or undefined when it is valid. */
function describeNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_ATTRIBUTE_NAME_LENGTH) {
    return `is ${name.length} characters long, longer than the maximum of ${MAX_ATTRIBUTE_NAME_LENGTH}`;
  }
  for (let index = 0; index < name.length; index++) {
    if (!isNameCharacter(name.charCodeAt(index))) return `contains ${describeCharacterAt(name, index)}`;
  }

  const lower = name.toLowerCase();
  if (lower.startsWith('aws.') || lower.startsWith('amazon.')) return 'starts with a prefix that AWS reserves ("AWS." or "Amazon.")';
  if (name.startsWith('.') || name.endsWith('.')) return 'starts or ends with a period';
  if (name.includes('..')) return 'contains two periods in a row';
  return undefined;
}

/**
 * Returns why `text` is not a number SQS accepts, or undefined when it is one. SQS numbers have
 * up to 38 significant digits, and a value other than zero must have a magnitude from 10^-128
 * to 10^126.
 *
 * NOTE: SQS documents only those limits. The accepted spellings here (a leading "+", ".5",
 * "5.", exponents) and the exact edges were not checked against SQS itself.
 */
export function describeNumberProblem(text: string): string | undefined {
  const match = /^[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return 'is not a decimal number such as 42, -1.5 or 6.02e23';

  const integerDigits = match[1] ?? '';
  const digits = integerDigits + (match[2] ?? match[3] ?? '');
  const exponent = match[4] === undefined ? 0 : Number(match[4]);

  const first = digits.search(/[1-9]/);
  if (first === -1) return undefined;
  let last = digits.length - 1;
  while (digits.charCodeAt(last) === 0x30) last--;

  const significantDigits = last - first + 1;
  if (significantDigits > MAX_NUMBER_DIGITS) {
    return `has ${significantDigits} significant digits, more than the maximum of ${MAX_NUMBER_DIGITS}`;
  }

  // The power of ten of the leading digit: 123.4 has 2, 0.05 has -2.
  const magnitude = exponent + integerDigits.length - first - 1;
  const exactlyMaximum = magnitude === MAX_NUMBER_EXPONENT && significantDigits === 1 && digits[first] === '1';
  if (magnitude < MIN_NUMBER_EXPONENT || (magnitude >= MAX_NUMBER_EXPONENT && !exactlyMaximum)) {
    return `is outside the range SQS accepts: a magnitude from 10^${MIN_NUMBER_EXPONENT} to 10^${MAX_NUMBER_EXPONENT}, or zero`;
  }
  return undefined;
}

/** Returns the decoded length of standard padded base64 text, or -1 when it is not such text. */
export function measureBase64(text: string): number {
  const length = text.length;
  if (length % 4 !== 0) return -1;

  let padding = 0;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x3d) {
      // "=" may only fill the last one or two places.
      if (index < length - 2) return -1;
      padding++;
      continue;
    }
    if (padding > 0) return -1;
    const alphabet =
      (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2f;
    if (!alphabet) return -1;
  }
  return (length / 4) * 3 - padding;
}

/** Checks a data type and returns its UTF-8 size, or -1 after recording a problem. */
function measureDataType(field: string, dataType: unknown, problems: AcceleratorError[]): number {
  const advice = 'use "String", "Number" or "Binary", optionally followed by ".label"';
  if (typeof dataType !== 'string' || dataType.length === 0) {
    problems.push(new AcceleratorError('INVALID_ATTRIBUTE_TYPE', field, `DataType is missing or not a string (${previewValue(dataType)}): ${advice}`));
    return -1;
  }

  const dot = dataType.indexOf('.');
  const base = dot === -1 ? dataType : dataType.slice(0, dot);
  const bytes = measureMessageText(dataType);
  let problem: string | undefined;
  if (base !== 'String' && base !== 'Number' && base !== 'Binary') problem = 'is not a type SQS knows';
  else if (dot === dataType.length - 1) problem = 'has an empty label after the period';
  else if (dataType.length > MAX_DATA_TYPE_LENGTH) problem = `is longer than the maximum of ${MAX_DATA_TYPE_LENGTH} characters`;
  else if (bytes < 0) problem = `contains ${describeCharacterAt(dataType, -bytes - 1)}`;

  if (problem !== undefined) {
    problems.push(new AcceleratorError('INVALID_ATTRIBUTE_TYPE', field, `DataType ${previewValue(dataType)} ${problem}: ${advice}`));
    return -1;
  }
  return bytes;
}

/** Checks the value matching a valid data type and returns its size in bytes, or -1 after recording a problem. */
function measureValue(prefix: string, attribute: MessageAttribute, problems: AcceleratorError[]): number {
  const binary = attribute.DataType.startsWith('Binary');
  const expected = binary ? 'BinaryValue' : 'StringValue';
  const unexpected = binary ? 'StringValue' : 'BinaryValue';
  const value: unknown = attribute[expected];

  if (attribute[unexpected] !== undefined) {
    problems.push(
      new AcceleratorError('INVALID_ATTRIBUTE_VALUE', `${prefix}.${unexpected}`, `a ${attribute.DataType} attribute takes ${expected}, not ${unexpected}: remove ${unexpected}`),
    );
    return -1;
  }
  if (typeof value !== 'string' || value.length === 0) {
    problems.push(
      new AcceleratorError('INVALID_ATTRIBUTE_VALUE', `${prefix}.${expected}`, `${expected} is missing or empty (${previewValue(value)}): SQS requires a value for every attribute`),
    );
    return -1;
  }

  if (binary) {
    const bytes = measureBase64(value);
    if (bytes < 0) {
      problems.push(
        new AcceleratorError('INVALID_ATTRIBUTE_VALUE', `${prefix}.BinaryValue`, `BinaryValue ${previewValue(value)} is not standard base64: encode the bytes with the alphabet A-Z a-z 0-9 + / and "=" padding`),
      );
    }
    return bytes;
  }

  const bytes = measureMessageText(value);
  if (bytes < 0) {
    const where = describeCharacterAt(value, -bytes - 1);
    problems.push(new AcceleratorError('INVALID_CHARACTERS', `${prefix}.StringValue`, `StringValue contains ${where}, which SQS rejects as it does in bodies`));
    return -1;
  }
  if (attribute.DataType.startsWith('Number')) {
    const problem = describeNumberProblem(value);
    if (problem !== undefined) {
      problems.push(new AcceleratorError('INVALID_ATTRIBUTE_VALUE', `${prefix}.StringValue`, `Number value ${previewValue(value)} ${problem}`));
      return -1;
    }
  }
  return bytes;
}

/**
 * Checks every attribute, records each problem in `problems`, and returns the size in bytes of
 * the attributes as SQS counts it (attributes with problems add nothing).
 */
export function measureAttributes(attributes: unknown, problems: AcceleratorError[]): number {
  if (attributes === undefined) return 0;
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
    problems.push(new AcceleratorError('INVALID_FIELD', 'attributes', `attributes must be an object of name to value, not ${previewValue(attributes)}`));
    return 0;
  }

  const names = Object.keys(attributes);
  if (names.length > MAX_ATTRIBUTES) {
    problems.push(
      new AcceleratorError('TOO_MANY_ATTRIBUTES', 'attributes', `message has ${names.length} attributes, more than the maximum of ${MAX_ATTRIBUTES}: merge some into the body or into one attribute`),
    );
  }

  let total = 0;
  for (const name of names) {
    const prefix = `attributes.${name.length > 64 ? `${name.slice(0, 64)}...` : name}`;
    const nameProblem = describeNameProblem(name);
    if (nameProblem !== undefined) {
      problems.push(
        new AcceleratorError('INVALID_ATTRIBUTE_NAME', prefix, `attribute name ${previewValue(name)} ${nameProblem}: use 1 to 256 letters, digits, "_", "-" or single periods inside the name`),
      );
      continue;
    }

    const attribute: unknown = (attributes as Record<string, unknown>)[name];
    if (attribute === null || typeof attribute !== 'object' || Array.isArray(attribute)) {
      problems.push(new AcceleratorError('INVALID_ATTRIBUTE_VALUE', prefix, `attribute ${name} must be an object with DataType and StringValue or BinaryValue, not ${previewValue(attribute)}`));
      continue;
    }
    const unknownKey = Object.keys(attribute).find((key) => !KNOWN_ATTRIBUTE_KEYS.has(key));
    if (unknownKey !== undefined) {
      problems.push(new AcceleratorError('INVALID_ATTRIBUTE_VALUE', `${prefix}.${unknownKey}`, `attribute field ${previewValue(unknownKey)} is not supported: use DataType with StringValue or BinaryValue`));
      continue;
    }

    const typeBytes = measureDataType(`${prefix}.DataType`, (attribute as MessageAttribute).DataType, problems);
    if (typeBytes < 0) continue;
    const valueBytes = measureValue(prefix, attribute as MessageAttribute, problems);
    if (valueBytes < 0) continue;
    // A valid name is ASCII, so its length is its size in bytes.
    total += name.length + typeBytes + valueBytes;
  }
  return total;
}
