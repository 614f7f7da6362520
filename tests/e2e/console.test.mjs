// The playground console in a real browser: typed commands print exactly what
// redis-cli prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from '../lib/browser.mjs';
import { startBrowser, openConsole, run, inputOf, outputOf, repliesOf } from '../lib/console.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

test('console answers like redis-cli', async () => {
  const { page, errors } = await openConsole(env);
  const transcript = [
    ['PING', 'PONG'],
    ['SET k "hello world"', 'OK'],
    ['GET k', '"hello world"'],
    ['ECHO', "(error) ERR wrong number of arguments for 'echo' command"],
    ['ECHO "a\\x00b"', '"a\\x00b"'],
    ['SET bin "\\x00\\xff"', 'OK'],
    ['GET bin', '"\\x00\\xff"'],
    ['NOSUCH x "y z"', "(error) ERR unknown command 'NOSUCH', with args beginning with: 'x' 'y z' "],
    ['GET', "(error) ERR wrong number of arguments for 'get' command"],
    ['ECHO "unbalanced', 'Invalid argument(s)'],
  ];
  for (const [line, expected] of transcript) {
    assert.equal(await run(page, line), expected, `reply to ${line}`);
  }
  const echoed = await page.locator(`${outputOf()} pre.echo`).first().textContent();
  assert.equal(echoed, '127.0.0.1:6379> PING');
  await screenshot(page, 'console');
  assert.deepEqual(errors, []);
  await page.close();
});

test('N COMMAND repeats the command N times', async () => {
  const { page } = await openConsole(env);
  assert.equal(await run(page, '3 PING'), 'PONG\nPONG\nPONG');
  assert.equal(await run(page, '2 INCR n'), '(integer) 1\n(integer) 2');
  assert.equal(await run(page, '0 PING'), 'Invalid redis-cli repeat command option value.');
  await page.close();
});

test('values are shown as text, never as HTML', async () => {
  const { page } = await openConsole(env);
  await page.evaluate(() => {
    window.alerted = false;
    window.alert = () => {
      window.alerted = true;
    };
  });
  await run(page, 'SET x "<img src=x onerror=alert(1)>"');
  assert.equal(await run(page, 'GET x'), '"<img src=x onerror=alert(1)>"');
  assert.equal(await page.locator(`${outputOf()} img`).count(), 0);
  assert.equal(await page.evaluate(() => window.alerted), false);
  await page.close();
});

test('Up and Down walk the history, which survives a reload', async () => {
  const { page } = await openConsole(env);
  await run(page, 'ECHO first');
  await run(page, 'ECHO second');
  await page.press(inputOf(), 'ArrowUp');
  assert.equal(await page.inputValue(inputOf()), 'ECHO second');
  await page.press(inputOf(), 'ArrowUp');
  assert.equal(await page.inputValue(inputOf()), 'ECHO first');
  await page.press(inputOf(), 'ArrowDown');
  assert.equal(await page.inputValue(inputOf()), 'ECHO second');
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await page.press(inputOf(), 'ArrowUp');
  assert.equal(await page.inputValue(inputOf()), 'ECHO second');
  await page.close();
});

test('Ctrl-R finds an earlier line; Enter runs it', async () => {
  const { page } = await openConsole(env);
  await run(page, 'SET fruit apple');
  await run(page, 'ECHO banana');
  await run(page, 'GET fruit');
  await page.press(inputOf(), 'Control+r');
  await page.keyboard.type('fru');
  assert.match(await page.locator('.pane[data-pane="1"] .prompt').textContent(), /reverse-i-search/);
  assert.equal(await page.locator('.pane[data-pane="1"] .shadow .hint').textContent(), "': GET fruit");
  await page.press(inputOf(), 'Control+r');
  assert.equal(await page.locator('.pane[data-pane="1"] .shadow .hint').textContent(), "': SET fruit apple");
  const count = await page.locator(repliesOf()).count();
  await page.press(inputOf(), 'Enter');
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length > n, [repliesOf(), count]);
  assert.equal(await page.locator(repliesOf()).last().textContent(), 'OK');
  assert.equal(await page.locator('.pane[data-pane="1"] .prompt').textContent(), '127.0.0.1:6379> ');
  await page.close();
});
