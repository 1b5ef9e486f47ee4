// Escaping and error pages in a real browser. Markup typed into a queue name or a message body
// must show as text and never run. Rejected input must land on an error page that gives the
// status and the reason. Headless Chromium runs against the CLI with its embedded SQS emulator;
// without /usr/bin/chromium the file passes no tests and prints why.

import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { reloadUntil } from '../support/browser-harness.js';
import { browserSuite, cellText, receiveBodies, runBrowserSuite, submitForm } from './page-helpers.js';

const SCRIPT = '<script>alert(1)</script>';
const QUEUE = 'browser-escaping';

const errors = browserSuite('error pages');

/** Counts the script elements in the page; the pages are built without any. */
function scriptCount(page: Page): Promise<number> {
  return page.locator('script').count();
}

errors.before(async ({ daemon }) => {
  const created = await fetch(`${daemon.baseUrl}/queues`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ queue_name: QUEUE }) });
  if (created.status !== 201) throw new Error(`creating queue ${QUEUE} returned status ${created.status}; expected 201`);
});

errors('script in queue URL shown as text', async ({ daemon, page, dialogs }) => {
  const response = await page.goto(`${daemon.baseUrl}/queues/${encodeURIComponent(SCRIPT)}`);

  assert.is(response?.status(), 400);
  assert.is(await page.locator('h1').innerText(), '400 Bad Request');
  assert.match(await page.locator('.error').innerText(), SCRIPT);
  assert.is(await scriptCount(page), 0);
  assert.equal(dialogs, []);
});

errors('script in create form shown as text', async ({ daemon, page, dialogs }) => {
  await page.goto(`${daemon.baseUrl}/queues`);
  await page.fill('input[name=queue_name]', SCRIPT);
  // The name input's pattern stops the browser from posting this name, so the form's own checks are turned off.
  const response = await submitForm(page, 'form[action="/queues"]', 'Create queue', { skipValidation: true });

  assert.is(response.status(), 400);
  assert.match(await page.locator('.error').innerText(), SCRIPT);
  assert.is(await scriptCount(page), 0);
  assert.equal(dialogs, []);
});

errors('script in message body never runs', async ({ daemon, page, dialogs }) => {
  await page.goto(`${daemon.baseUrl}/queues/${QUEUE}`);
  await page.fill('textarea[name=message_body]', SCRIPT);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForURL(/\/messages\/[^/]+$/);
  const sent = await reloadUntil(page, async () => (await cellText(page, 'State')) === 'sent');
  assert.ok(sent, `the message reached the state "sent"; last state: ${await cellText(page, 'State')}`);
  const sqsMessageId = await cellText(page, 'SQS MessageId');

  await page.getByRole('link', { name: QUEUE }).click();
  await page.waitForURL(`${daemon.baseUrl}/queues/${QUEUE}`);
  assert.is(await scriptCount(page), 0);
  assert.equal(dialogs, []);

  // The body reaches SQS byte for byte: escaping is for display only.
  const received = await receiveBodies(daemon.sqsEndpoint, QUEUE);
  assert.is(received.get(sqsMessageId), SCRIPT);
});

errors('empty body shows error page', async ({ daemon, page }) => {
  await page.goto(`${daemon.baseUrl}/queues/${QUEUE}`);
  // The textarea is required, so the browser posts an empty body only with its checks turned off.
  const response = await submitForm(page, `form[action="/queues/${QUEUE}"]`, 'Send', { skipValidation: true });

  assert.is(response.status(), 400);
  assert.is(await page.locator('h1').innerText(), '400 Bad Request');
  const reason = await page.locator('.error').innerText();
  assert.match(reason, 'MISSING_BODY');
  assert.match(reason, 'empty');
});

errors('FIFO box on standard name rejected', async ({ daemon, page }) => {
  await page.goto(`${daemon.baseUrl}/queues`);
  await page.fill('input[name=queue_name]', 'browser-not-fifo');
  await page.check('input[name=fifo]');
  const response = await submitForm(page, 'form[action="/queues"]', 'Create queue');

  assert.is(response.status(), 400);
  assert.match(await page.locator('.error').innerText(), 'browser-not-fifo.fifo');
  assert.ok(await page.getByRole('link', { name: 'the queue list' }).isVisible(), 'the error page links back to the queue list');
});

errors('unknown queue shows not found', async ({ daemon, page }) => {
  const response = await page.goto(`${daemon.baseUrl}/queues/browser-missing`);

  assert.is(response?.status(), 404);
  assert.is(await page.locator('h1').innerText(), '404 Not Found');
  assert.match(await page.locator('.error').innerText(), 'QueueDoesNotExist');
});

errors('unknown message id shows not found', async ({ daemon, page }) => {
  const response = await page.goto(`${daemon.baseUrl}/messages/01ZZZZZZZZZZZZZZZZZZZZZZZZ`);

  assert.match(await page.locator('.error').innerText(), 'no recent message has id');
  // The JSON API returns 404 for the same lookup, and a browser should see the same status.
  assert.is(response?.status(), 404);
});

runBrowserSuite(errors);
