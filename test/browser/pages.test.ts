// The HTML pages as a developer uses them in a browser: headless Chromium against the CLI with
// its embedded SQS emulator. Home page, queue list, queue creation (standard and FIFO), sending
// a message and following its status to "sent", and deleting a queue behind its confirm box.
// Escaping and error pages are in errors.test.ts. Without /usr/bin/chromium the file passes
// no tests and prints why.

import * as assert from 'uvu/assert';
import { PACKAGE_VERSION, reloadUntil } from '../support/browser-harness.js';
import { browserSuite, cellText, fetchJson, receiveBodies, runBrowserSuite, submitForm, waitUntilIdle } from './page-helpers.js';

const HOME_SCREENSHOT = '/tmp/sqs-accelerator-home.png';
const QUEUE_SCREENSHOT = '/tmp/sqs-accelerator-queue.png';
const STANDARD_QUEUE = 'browser-orders';
const FIFO_QUEUE = 'browser-events.fifo';

const pages = browserSuite('pages');

pages('home page counters match /stats', async ({ daemon, page }) => {
  const posted = await fetch(`${daemon.baseUrl}/queues/demo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'home page counter check' });
  assert.is(posted.status, 202);
  const stats = await waitUntilIdle(daemon.baseUrl);

  const response = await page.goto(`${daemon.baseUrl}/`);
  assert.is(response?.status(), 200);
  assert.match(await page.title(), 'sqs-accelerator');
  assert.ok(await page.getByRole('link', { name: 'Queues' }).first().isVisible(), 'a link to the queue list is visible');
  assert.is(await cellText(page, 'Accepted'), String(stats.accepted));
  assert.is(await cellText(page, 'Sent'), String(stats.sent));
  assert.is(await cellText(page, 'Failed'), String(stats.failed));
  assert.is(await cellText(page, 'Pending messages'), '0');
  assert.ok(await page.locator('td', { hasText: /^\d+$/ }).first().isVisible(), 'counter cells are visible');

  await page.screenshot({ path: HOME_SCREENSHOT, fullPage: true });
});

pages('home page shows version and endpoint', async ({ daemon, page }) => {
  await page.goto(`${daemon.baseUrl}/`);
  const heading = await page.locator('h1').innerText();
  const text = await page.locator('body').innerText();

  assert.is(heading, `sqs-accelerator ${PACKAGE_VERSION}`);
  assert.ok(text.includes(daemon.sqsEndpoint), `the page names the SQS endpoint ${daemon.sqsEndpoint}`);
  assert.ok(text.includes('us-east-1'), 'the page names the region');
  assert.ok(text.includes(`${daemon.baseUrl}/queues/my-queue`), `the curl examples use the accelerator's address ${daemon.baseUrl}`);
  assert.not.match(text, /\bundefined\b/);
  assert.not.match(text, /\bNaN\b/);
});

pages('navigation reaches queue list', async ({ daemon, page }) => {
  await page.goto(`${daemon.baseUrl}/`);
  await page.locator('nav').getByRole('link', { name: 'Queues' }).click();
  await page.waitForURL(`${daemon.baseUrl}/queues`);
  assert.is(await page.locator('h1').innerText(), 'Queues');

  await page.getByRole('link', { name: 'demo', exact: true }).click();
  await page.waitForURL(`${daemon.baseUrl}/queues/demo`);
  assert.is(await page.locator('h1').innerText(), 'demo');
  assert.is(await page.title(), 'demo - sqs-accelerator');

  await page.locator('nav').getByRole('link', { name: 'Stats' }).click();
  await page.waitForURL(`${daemon.baseUrl}/stats`);
  const stats = JSON.parse(await page.locator('body').innerText()) as { accepted?: unknown };
  assert.type(stats.accepted, 'number');
});

pages('form creates standard queue', async ({ daemon, page }) => {
  await page.goto(`${daemon.baseUrl}/queues`);
  await page.fill('input[name=queue_name]', STANDARD_QUEUE);
  await page.fill('input[name=visibility_timeout]', '45');
  await page.getByRole('button', { name: 'Create queue' }).click();
  await page.waitForURL(`${daemon.baseUrl}/queues/${STANDARD_QUEUE}`);

  assert.is(await page.locator('h1').innerText(), STANDARD_QUEUE);
  assert.match(await page.locator('body').innerText(), 'Standard queue');
  assert.is(await cellText(page, 'VisibilityTimeout'), '45');
  assert.is(await page.locator('input[name=group_id]').count(), 0);

  await page.getByRole('link', { name: 'All queues' }).click();
  await page.waitForURL(`${daemon.baseUrl}/queues`);
  assert.ok(await page.getByRole('link', { name: STANDARD_QUEUE, exact: true }).isVisible(), 'the new queue is in the list');
});

pages('form creates FIFO queue', async ({ daemon, page }) => {
  await page.goto(`${daemon.baseUrl}/queues`);
  await page.fill('input[name=queue_name]', FIFO_QUEUE);
  await page.check('input[name=fifo]');
  await page.check('input[name=content_based_deduplication]');
  await page.getByRole('button', { name: 'Create queue' }).click();
  await page.waitForURL(`${daemon.baseUrl}/queues/${FIFO_QUEUE}`);

  assert.is(await page.locator('h1').innerText(), FIFO_QUEUE);
  assert.match(await page.locator('body').innerText(), 'FIFO queue');
  assert.is(await cellText(page, 'FifoQueue'), 'true');
  assert.is(await cellText(page, 'ContentBasedDeduplication'), 'true');
  assert.ok(await page.locator('input[name=group_id]').isVisible(), 'the send form asks for a message group id');
  assert.is(await page.locator('input[name=delay_seconds]').count(), 0);
});

pages('sent message reaches status sent', async ({ daemon, page, dialogs }) => {
  const body = `hello from the browser test, ${Date.now()}`;
  await page.goto(`${daemon.baseUrl}/queues/${STANDARD_QUEUE}`);
  await page.fill('textarea[name=message_body]', body);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForURL(/\/messages\/[^/]+$/);
  const id = decodeURIComponent(page.url().slice(page.url().lastIndexOf('/') + 1));

  assert.ok(await page.locator('h1', { hasText: id }).isVisible(), 'the status page names the message id');
  assert.is(await cellText(page, 'Queue'), STANDARD_QUEUE);
  const sent = await reloadUntil(page, async () => (await cellText(page, 'State')) === 'sent');
  assert.ok(sent, `message ${id} reached the state "sent"; last state: ${await cellText(page, 'State')}`);
  const sqsMessageId = await cellText(page, 'SQS MessageId');
  assert.match(sqsMessageId, /^[0-9a-f-]{36}$/);

  // Back skips the POST, which the server redirected, and lands on the queue page.
  await page.goBack();
  assert.is(page.url(), `${daemon.baseUrl}/queues/${STANDARD_QUEUE}`);
  const row = page.locator('tr', { has: page.getByRole('link', { name: id }) });
  assert.is(await row.count(), 1);
  assert.match(await row.innerText(), 'sent');
  await page.screenshot({ path: QUEUE_SCREENSHOT, fullPage: true });

  const received = await receiveBodies(daemon.sqsEndpoint, STANDARD_QUEUE);
  assert.equal(received.get(sqsMessageId), body);
  assert.equal(dialogs, []);
});

pages('FIFO message sent with group id', async ({ daemon, page }) => {
  const body = `fifo message from the browser test, ${Date.now()}`;
  await page.goto(`${daemon.baseUrl}/queues/${FIFO_QUEUE}`);
  await page.fill('textarea[name=message_body]', body);
  await page.fill('input[name=group_id]', 'order-42');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForURL(/\/messages\/[^/]+$/);

  const sent = await reloadUntil(page, async () => (await cellText(page, 'State')) === 'sent');
  assert.ok(sent, `the FIFO message reached the state "sent"; last state: ${await cellText(page, 'State')}`);
  const received = await receiveBodies(daemon.sqsEndpoint, FIFO_QUEUE);
  assert.equal(received.get(await cellText(page, 'SQS MessageId')), body);
});

pages('delete needs the confirm box', async ({ daemon, page }) => {
  const name = 'browser-doomed';
  await page.goto(`${daemon.baseUrl}/queues`);
  await page.fill('input[name=queue_name]', name);
  await page.getByRole('button', { name: 'Create queue' }).click();
  await page.waitForURL(`${daemon.baseUrl}/queues/${name}`);

  // Unticked, the browser's own check of the required box keeps the form from being posted.
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') posts.push(request.url());
  });
  await page.getByRole('button', { name: 'Delete queue' }).click();
  assert.equal(posts, []);
  assert.is(page.url(), `${daemon.baseUrl}/queues/${name}`);

  // Posted unticked anyway, the server rejects it too and keeps the queue.
  const rejected = await submitForm(page, `form[action="/queues/${name}/delete"]`, 'Delete queue', { skipValidation: true });
  assert.is(rejected.status(), 400);
  assert.match(await page.locator('.error').innerText(), 'confirmation box');
  const afterRejected = (await fetchJson(`${daemon.baseUrl}/queues`)) as { queues: { name: string }[] };
  assert.ok(afterRejected.queues.some((queue) => queue.name === name), `${name} still exists after the rejected delete`);

  await page.goto(`${daemon.baseUrl}/queues/${name}`);
  await page.check('input[name=confirm]');
  await page.getByRole('button', { name: 'Delete queue' }).click();
  await page.waitForURL(`${daemon.baseUrl}/queues`);
  assert.is(await page.getByRole('link', { name, exact: true }).count(), 0);
  const remaining = (await fetchJson(`${daemon.baseUrl}/queues`)) as { queues: { name: string }[] };
  assert.not.ok(remaining.queues.some((queue) => queue.name === name), `${name} is gone from GET /queues`);
});

pages('CLI stops cleanly on SIGTERM', async ({ daemon }) => {
  const code = await daemon.stop();

  assert.is(code, 0);
  assert.ok(daemon.logLines.some((line) => line.includes('"sqs-accelerator stopped"')), 'the CLI logged "sqs-accelerator stopped"');
  const errors = daemon.logLines.filter((line) => /"level":(50|60)/.test(line));
  assert.equal(errors, []);
});

runBrowserSuite(pages);
