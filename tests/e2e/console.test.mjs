// The playground console in a real browser: typed commands print exactly what
// redis-cli prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, servePlayground, screenshot } from '../lib/browser.mjs';

let browser;
let server;

before(async () => {
  server = await servePlayground();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openConsole() {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const started = Date.now();
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  console.log(`# page usable after ${Date.now() - started} ms`);
  return { page, errors };
}

/** Types a line, presses Enter and returns the reply block printed for it. */
async function run(page, line) {
  const before = await page.locator('#output pre.reply').count();
  await page.fill('#input', line);
  await page.press('#input', 'Enter');
  await page.waitForFunction((n) => document.querySelectorAll('#output pre.reply').length > n, before);
  return page.locator('#output pre.reply').last().textContent();
}

test('console answers like redis-cli', async () => {
  const { page, errors } = await openConsole();
  const transcript = [
    ['PING', 'PONG'],
    ['SET k "hello world"', 'OK'],
    ['GET k', '"hello world"'],
    ['ECHO', "(error) ERR wrong number of arguments for 'echo' command"],
    ['ECHO "a\\x00b"', '"a\\x00b"'],
    ['NOSUCH x "y z"', "(error) ERR unknown command 'NOSUCH', with args beginning with: 'x' 'y z' "],
    ['GET', "(error) ERR wrong number of arguments for 'get' command"],
    ['3 PING', 'PONG\nPONG\nPONG'],
  ];
  for (const [line, expected] of transcript) {
    assert.equal(await run(page, line), expected, `reply to ${line}`);
  }
  const echoed = await page.locator('#output pre.echo').first().textContent();
  assert.equal(echoed, '127.0.0.1:6379> PING');
  await screenshot(page, 'console');
  assert.deepEqual(errors, []);
  await page.close();
});

test('values are shown as text, never as HTML', async () => {
  const { page } = await openConsole();
  await run(page, 'SET x "<img src=x onerror=alert(1)>"');
  assert.equal(await run(page, 'GET x'), '"<img src=x onerror=alert(1)>"');
  assert.equal(await page.locator('#output img').count(), 0);
  await page.close();
});

test('Up and Down walk the history, which survives a reload', async () => {
  const { page } = await openConsole();
  await run(page, 'ECHO first');
  await run(page, 'ECHO second');
  await page.press('#input', 'ArrowUp');
  assert.equal(await page.inputValue('#input'), 'ECHO second');
  await page.press('#input', 'ArrowUp');
  assert.equal(await page.inputValue('#input'), 'ECHO first');
  await page.press('#input', 'ArrowDown');
  assert.equal(await page.inputValue('#input'), 'ECHO second');
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await page.press('#input', 'ArrowUp');
  assert.equal(await page.inputValue('#input'), 'ECHO second');
  await page.close();
});
