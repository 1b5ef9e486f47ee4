// The frame every page shares: an HTML5 document with a title, inline CSS and the navigation
// links. The pages use no JavaScript and load nothing from other origins, so they work in any
// browser and under a strict Content-Security-Policy.

import { escapeHtml } from './escape.js';

// The CSS uses no quote characters, so a page contains quotes only around attribute values.
const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 0 1rem 2rem; color: #1d1d1f; line-height: 1.45; }
nav { border-bottom: 1px solid #ccc; padding: 0.6rem 0; margin-bottom: 1rem; }
nav a { margin-right: 1rem; }
h1 { font-size: 1.5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td, code { overflow-wrap: anywhere; }
pre { background: #f4f4f4; padding: 0.6rem; overflow-x: auto; }
form { margin: 0.5rem 0; }
label { display: block; margin: 0.5rem 0; }
textarea { width: 100%; min-height: 6rem; font-family: monospace; }
.error { border: 1px solid #c00; background: #fee; padding: 0.5rem 0.8rem; }
.hint { color: #555; font-size: 0.9rem; }
`;

export interface DocumentOptions {
  /** The page title, unescaped. */
  title: string;
  /** The body markup, already escaped by the caller. */
  body: string;
  /** When set, the browser reloads the page after this many seconds. */
  refreshSeconds?: number;
}

/** Wraps escaped body markup in a complete HTML5 document. */
export function renderDocument(options: DocumentOptions): string {
  const refresh = options.refreshSeconds === undefined ? '' : `\n<meta http-equiv="refresh" content="${escapeHtml(options.refreshSeconds)}">`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${escapeHtml(options.title)} - sqs-accelerator</title>
<style>${STYLE}</style>
</head>
<body>
<nav><a href="/">Home</a><a href="/queues">Queues</a><a href="/stats">Stats</a><a href="/metrics">Metrics</a><a href="/healthz">Health</a></nav>
${options.body}
</body>
</html>
`;
}
