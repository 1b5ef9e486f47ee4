// Resolves a parser engine name to its factory.

import { createHandParser } from './hand-parser.js';
import type { ParserEngineName, ParserFactory } from './parser.js';

export async function loadParserEngine(name: ParserEngineName): Promise<ParserFactory> {
  if (name === 'hand') return createHandParser;

  // Loaded on demand: the llhttp engine reaches into a Node internal that the default engine never needs.
  const specifier = './llhttp-parser.js';
  const module = (await import(specifier)) as { createLlhttpParser: ParserFactory };
  return module.createLlhttpParser;
}
