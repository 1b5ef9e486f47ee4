// The queue pages: the list with a create form, and one queue with its attributes, a send form,
// a delete form and its recent messages. Form field names match what the routes parse.

import type { MessageStatus } from '../../accelerator/message-index.js';
import { escapeHtml, formatTime, messageHref, queueHref } from './escape.js';
import { renderDocument } from './layout.js';

/** SQS limits the forms state as input bounds; the server checks them again. */
const MAX_DELAY_SECONDS = 900;
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

export interface QueueListData {
  queues: string[];
  /** An error message shown above the list, such as the reason listing the queues failed. */
  error?: string;
}

export interface QueueData {
  name: string;
  /** The queue's SQS attributes, such as VisibilityTimeout or FifoQueue. */
  attributes: Record<string, string>;
  /** Recent messages; entries of other queues are left out. */
  recent: MessageStatus[];
}

function renderErrorBox(message: string | undefined): string {
  return message === undefined ? '' : `<p class="error">${escapeHtml(message)}</p>\n`;
}

function renderCreateForm(): string {
  return `<h2>Create a queue</h2>
<form method="post" action="/queues">
<label>Name <input type="text" name="queue_name" required maxlength="80" pattern="[A-Za-z0-9_\\-]{1,75}(\\.fifo)?|[A-Za-z0-9_\\-]{1,80}"></label>
<p class="hint">1 to 80 letters, digits, hyphens and underscores; FIFO queue names end in .fifo, counted in the 80.</p>
<label><input type="checkbox" name="fifo" value="true"> FIFO queue</label>
<label><input type="checkbox" name="content_based_deduplication" value="true"> Content-based deduplication (FIFO only)</label>
<label>Visibility timeout, seconds <input type="number" name="visibility_timeout" min="0" max="${MAX_VISIBILITY_TIMEOUT_SECONDS}" step="1"></label>
<label>Delivery delay, seconds <input type="number" name="delay_seconds" min="0" max="${MAX_DELAY_SECONDS}" step="1"></label>
<button type="submit">Create queue</button>
</form>`;
}

/** Renders the list of queues, each linking to its page, and the form that creates a queue. */
export function renderQueueList(data: QueueListData): string {
  const items = data.queues.map((name) => `<li><a href="${queueHref(name)}">${escapeHtml(name)}</a></li>`);
  const list = items.length > 0 ? `<ul>\n${items.join('\n')}\n</ul>` : '<p>No queues found for these credentials in this region.</p>';

  const body = `<h1>Queues</h1>
${renderErrorBox(data.error)}${list}
${renderCreateForm()}`;
  return renderDocument({ title: 'Queues', body });
}

function renderAttributes(attributes: Record<string, string>): string {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return '<p>No attributes available.</p>';

  const rows = names.map((name) => `<tr><th>${escapeHtml(name)}</th><td><code>${escapeHtml(attributes[name]!)}</code></td></tr>`);
  return `<table>\n${rows.join('\n')}\n</table>`;
}

/**
 * Renders the send form. Its field names are those the form body parser accepts, and the submit
 * button has no name because that parser rejects unknown fields.
 */
function renderSendForm(data: QueueData): string {
  const fifo = data.name.endsWith('.fifo');
  const contentBasedDeduplication = data.attributes.ContentBasedDeduplication === 'true';

  // A FIFO queue without content-based deduplication needs a deduplication id for every message;
  // when the attribute is unknown the field stays optional and SQS decides.
  const deduplicationRequired = data.attributes.ContentBasedDeduplication === 'false' ? ' required' : '';
  const fifoFields = `<label>Message group id <input type="text" name="group_id" required maxlength="128"></label>
<label>Deduplication id <input type="text" name="deduplication_id" maxlength="128"${deduplicationRequired}></label>
<p class="hint">${contentBasedDeduplication ? 'Content-based deduplication is on, so the deduplication id is optional.' : 'Give a deduplication id unless the queue has content-based deduplication.'}</p>`;
  const standardFields = `<label>Delay, seconds <input type="number" name="delay_seconds" min="0" max="${MAX_DELAY_SECONDS}" step="1"></label>`;

  return `<h2>Send a message</h2>
<form method="post" action="${queueHref(data.name)}">
<label>Message body <textarea name="message_body" required></textarea></label>
${fifo ? fifoFields : standardFields}
<button type="submit">Send</button>
</form>`;
}

function renderDeleteForm(name: string): string {
  return `<h2>Delete this queue</h2>
<form method="post" action="${queueHref(name, '/delete')}">
<label><input type="checkbox" name="confirm" value="yes" required> Yes, delete ${escapeHtml(name)} and every message in it</label>
<button type="submit">Delete queue</button>
</form>`;
}

function describeState(status: MessageStatus): string {
  if (status.state === 'failed' && status.error !== undefined) return `failed: ${status.error.code}`;
  return status.state;
}

function renderRecent(name: string, recent: MessageStatus[]): string {
  const mine = recent.filter((status) => status.queue === name);
  if (mine.length === 0) return '<p>No recent messages for this queue.</p>';

  const rows = mine.map(
    (status) =>
      `<tr><td><a href="${messageHref(status.id)}"><code>${escapeHtml(status.id)}</code></a></td><td>${escapeHtml(describeState(status))}</td><td>${escapeHtml(formatTime(status.acceptedAt))}</td></tr>`,
  );
  return `<table>
<tr><th>Message id</th><th>State</th><th>Accepted</th></tr>
${rows.join('\n')}
</table>`;
}

/** Renders one queue: attributes, send form, delete form and the recent messages sent to it. */
export function renderQueue(data: QueueData): string {
  const kind = data.name.endsWith('.fifo') ? 'FIFO queue' : 'Standard queue';

  const body = `<h1>${escapeHtml(data.name)}</h1>
<p>${kind}. <a href="/queues">All queues</a></p>
${renderSendForm(data)}
<h2>Recent messages</h2>
${renderRecent(data.name, data.recent)}
<h2>Attributes</h2>
${renderAttributes(data.attributes)}
${renderDeleteForm(data.name)}`;
  return renderDocument({ title: data.name, body });
}
