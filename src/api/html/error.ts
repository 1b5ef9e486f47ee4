// The page shown when a browser request fails.

import { STATUS_CODES } from 'node:http';
import { escapeHtml } from './escape.js';
import { renderDocument } from './layout.js';

export interface ErrorData {
  /** The HTTP status code of the response. */
  status: number;
  /** The stable error code, such as INVALID_FIELD or QueueDoesNotExist. */
  code: string;
  message: string;
  /** The request field the error is about, when there is one. */
  field?: string;
}

/** Renders an error page with the status, code, message and field. */
export function renderError(data: ErrorData): string {
  const reason = STATUS_CODES[data.status] ?? 'Error';
  const heading = `${data.status} ${reason}`;
  const field = data.field === undefined || data.field === '' ? '' : `\n<p>Field: <code>${escapeHtml(data.field)}</code></p>`;

  const body = `<h1>${escapeHtml(heading)}</h1>
<p class="error"><code>${escapeHtml(data.code)}</code>: ${escapeHtml(data.message)}</p>${field}
<p>Go back to correct the request, or return to <a href="/">the home page</a> or <a href="/queues">the queue list</a>.</p>`;
  return renderDocument({ title: heading, body });
}
