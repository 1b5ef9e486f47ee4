// Small steps the browser tests share: reading table cells, posting a form the way a browser
// does, and checking the accelerator and its SQS emulator over plain HTTP.

import { suite, type Test } from 'uvu';
import type { Browser, Page, Response } from 'playwright-core';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { chromiumInstalled, CHROMIUM_PATH, launchChromium, recordDialogs, startCliDaemon, type CliDaemon } from '../support/browser-harness.js';

export interface BrowserContext {
  daemon: CliDaemon;
  browser: Browser;
  /** A fresh page for each test, closed after it. */
  page: Page;
  /** The JavaScript dialogs the page opened; the pages have no scripts, so any entry is a bug. */
  dialogs: string[];
}

/** Creates a uvu suite that starts one CLI and one Chromium for all its tests and gives each test a new page. */
export function browserSuite(name: string): Test<BrowserContext> {
  const tests = suite<BrowserContext>(name);

  tests.before(async (context) => {
    context.daemon = await startCliDaemon();
    context.browser = await launchChromium();
  });
  tests.after(async (context) => {
    await context.browser?.close();
    await context.daemon?.stop();
  });
  tests.before.each(async (context) => {
    context.page = await context.browser.newPage();
    context.dialogs = recordDialogs(context.page);
  });
  tests.after.each(async (context) => {
    await context.page.close();
  });
  return tests;
}

/** Runs `tests`, or, where Debian's Chromium is missing, prints why and runs none. */
export function runBrowserSuite(tests: Test<BrowserContext>): void {
  if (chromiumInstalled()) tests.run();
  else console.log(`browser tests skipped: ${CHROMIUM_PATH} is missing; "make test-deps" installs Debian's chromium`);
}

/** Time allowed for the accelerator to deliver what it accepted, in milliseconds. */
const DELIVERY_TIMEOUT_MS = 20_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Returns the text of the cell beside the row header `label` (the first such row), trimmed. */
export async function cellText(page: Page, label: string): Promise<string> {
  const row = page.locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) }).first();
  return (await row.locator('td').first().innerText()).trim();
}

/**
 * Clicks the button named `buttonName` in the form matched by `formSelector` and returns the
 * response to the POST. With `skipValidation` the browser's own input checks are turned off
 * first, as a developer would to see how the server handles input the form does not allow.
 */
export async function submitForm(page: Page, formSelector: string, buttonName: string, options: { skipValidation?: boolean } = {}): Promise<Response> {
  const form = page.locator(formSelector);
  if (options.skipValidation) {
    // Runs in the page; the element is an HTMLFormElement, which the Node type library lacks.
    await form.evaluate((element) => {
      (element as unknown as { noValidate: boolean }).noValidate = true;
    });
  }
  const responded = page.waitForResponse((response) => response.request().method() === 'POST' && response.request().resourceType() === 'document');
  await form.getByRole('button', { name: buttonName }).click();
  const response = await responded;
  await page.waitForLoadState();
  return response;
}

/** GETs `url` as an API client (no text/html in Accept) and returns the parsed JSON body. */
export async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error(`GET ${url} returned status ${response.status}; expected 200`);
  return response.json();
}

export interface Stats {
  accepted: number;
  sent: number;
  failed: number;
  pendingMessages: number;
}

/** Polls /stats until nothing is pending and returns the counters, or throws after DELIVERY_TIMEOUT_MS. */
export async function waitUntilIdle(baseUrl: string): Promise<Stats> {
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  for (;;) {
    const stats = (await fetchJson(`${baseUrl}/stats`)) as Stats;
    if (stats.pendingMessages === 0) return stats;
    if (Date.now() > deadline) throw new Error(`timed out: ${stats.pendingMessages} messages still pending after ${DELIVERY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Receives and deletes every message waiting in `queueName` on the SQS emulator, and returns
 * their bodies keyed by SQS MessageId. The emulator checks no signatures, so any key works.
 */
export async function receiveBodies(sqsEndpoint: string, queueName: string): Promise<Map<string, string>> {
  const client = new SQSClient({ endpoint: sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret' }, maxAttempts: 1 });
  const bodies = new Map<string, string>();
  try {
    const { QueueUrl: queueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName }));
    // Stops at the first empty receive; ten rounds of ten messages bound the loop.
    for (let round = 0; round < 10; round++) {
      const { Messages: messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (messages.length === 0) break;
      for (const message of messages) {
        bodies.set(message.MessageId!, message.Body!);
        await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  } finally {
    client.destroy();
  }
  return bodies;
}
