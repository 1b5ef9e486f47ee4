// The status page of one accepted message.

import type { MessageStatus } from '../../accelerator/message-index.js';
import { escapeHtml, formatTime, queueHref } from './escape.js';
import { renderDocument } from './layout.js';

/** Seconds between reloads while a message is pending, so the page shows its outcome. */
export const PENDING_REFRESH_SECONDS = 2;

function renderOutcome(status: MessageStatus): string {
  if (status.state === 'sent') {
    return `<tr><th>State</th><td>sent</td></tr>
<tr><th>SQS MessageId</th><td><code>${escapeHtml(status.sqsMessageId ?? 'not reported')}</code></td></tr>`;
  }
  if (status.state === 'failed') {
    const code = status.error?.code ?? 'unknown';
    const message = status.error?.message ?? 'no error message was recorded';
    return `<tr><th>State</th><td>failed</td></tr>
<tr><th>Error code</th><td><code>${escapeHtml(code)}</code></td></tr>
<tr><th>Error message</th><td>${escapeHtml(message)}</td></tr>`;
  }
  return '<tr><th>State</th><td>pending: accepted and not yet delivered to SQS</td></tr>';
}

/** Renders a message's status; a pending message's page reloads until the outcome is known. */
export function renderMessage(status: MessageStatus): string {
  const body = `<h1>Message <code>${escapeHtml(status.id)}</code></h1>
<table>
<tr><th>Id</th><td><code>${escapeHtml(status.id)}</code></td></tr>
<tr><th>Queue</th><td><a href="${queueHref(status.queue)}">${escapeHtml(status.queue)}</a></td></tr>
${renderOutcome(status)}
<tr><th>Accepted</th><td><time datetime="${escapeHtml(formatTime(status.acceptedAt))}">${escapeHtml(formatTime(status.acceptedAt))}</time></td></tr>
</table>
<p class="hint">Statuses are kept in memory for a bounded number of recent messages, so an old id may no longer be found.</p>`;

  const refreshSeconds = status.state === 'pending' ? PENDING_REFRESH_SECONDS : undefined;
  return renderDocument({ title: `Message ${status.id}`, body, refreshSeconds });
}
