// HTML escaping and the links the pages share. Every value a page shows passes through
// escapeHtml, so a queue name, attribute or error message cannot add markup.

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `& < > " '`, so the result is safe both as text and inside a quoted attribute. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/** Builds the escaped href of a queue page: the name is percent-encoded first, then HTML-escaped. */
export function queueHref(name: string, suffix = ''): string {
  return escapeHtml(`/queues/${encodeURIComponent(name)}${suffix}`);
}

/** Builds the escaped href of a message status page. */
export function messageHref(id: string): string {
  return escapeHtml(`/messages/${encodeURIComponent(id)}`);
}

/** Formats milliseconds since the epoch as ISO 8601 in UTC, or "invalid time" for a bad value. */
export function formatTime(epochMs: number): string {
  const time = new Date(epochMs);
  return Number.isNaN(time.getTime()) ? 'invalid time' : time.toISOString();
}
