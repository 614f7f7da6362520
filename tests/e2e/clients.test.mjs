// Several client panes side by side, each with its own connection, prompt and
// history; output that arrives later lands in the right pane; the virtual
// clock can be paused, stepped and moved ahead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from '../lib/browser.mjs';
import { startBrowser, openConsole, run, send, pane, inputOf, outputOf, repliesOf, promptOf } from '../lib/console.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

async function openPane(page, name) {
  const count = await page.locator('.pane').count();
  await page.click('#add-client');
  await page.waitForFunction((n) => document.querySelectorAll('.pane').length > n, count);
  const slot = count + 1;
  if (name) {
    await page.fill(`${pane(slot)} .pane-name`, name);
    await page.press(`${pane(slot)} .pane-name`, 'Enter');
  }
  return slot;
}

/** Virtual time shown by the clock bar, in ms of the day. */
async function clockMs(page) {
  const [h, m, s] = (await page.locator('.clock-time').textContent()).split(':');
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}

test('panes are separate connections with their own prompt and history', async () => {
  const { page, errors } = await openConsole(env);
  await page.fill(`${pane(1)} .pane-name`, 'producer');
  const second = await openPane(page, 'consumer-1');
  assert.equal(second, 2);
  assert.equal(await page.locator(`${pane(2)}`).getAttribute('aria-label'), 'client consumer-1');
  const id1 = await run(page, 'CLIENT ID', 1);
  const id2 = await run(page, 'CLIENT ID', 2);
  assert.notEqual(id1, id2);
  await run(page, 'SELECT 3', 2);
  assert.equal(await promptOf(page, 2), '127.0.0.1:6379[3]> ');
  assert.equal(await promptOf(page, 1), '127.0.0.1:6379> ');
  await run(page, 'SET shared 1', 1);
  await run(page, 'SELECT 0', 2);
  assert.equal(await run(page, 'GET shared', 2), '"1"');
  // Histories are separate.
  await page.press(inputOf(2), 'ArrowUp');
  assert.equal(await page.inputValue(inputOf(2)), 'GET shared');
  await page.press(inputOf(1), 'ArrowUp');
  assert.equal(await page.inputValue(inputOf(1)), 'SET shared 1');
  assert.match(await run(page, 'CLIENT LIST', 1), /id=\d+ .*\nid=\d+ /);
  await screenshot(page, 'two-clients');
  // Closing a pane closes its connection.
  await page.click(`${pane(2)} .pane-close`);
  assert.equal(await page.locator('.pane').count(), 1);
  assert.equal((await run(page, 'CLIENT LIST', 1)).trim().split('\n').length, 1);
  assert.equal(await page.locator(`${pane(1)} .pane-close`).isDisabled(), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the clock can be paused, stepped and moved ahead', async () => {
  const { page } = await openConsole(env);
  await page.click('.clock-toggle');
  assert.equal(await page.locator('.clock-toggle').getAttribute('aria-pressed'), 'true');
  const paused = await clockMs(page);
  await page.waitForTimeout(300);
  assert.equal(await clockMs(page), paused);
  const [seconds] = (await run(page, 'TIME')).split('\n');
  await page.click('button[data-jump="1000"]');
  assert.equal(await clockMs(page), paused + 1000);
  const [later] = (await run(page, 'TIME')).split('\n');
  assert.equal(Number(later.match(/"(\d+)"/)[1]) - Number(seconds.match(/"(\d+)"/)[1]), 1);
  // Keys expire on the virtual clock.
  await run(page, 'SET temp v PX 20000');
  await page.click('button[data-jump="1000"]');
  assert.equal(await run(page, 'GET temp'), '"v"');
  await page.click('button[data-jump="30000"]');
  assert.equal(await run(page, 'GET temp'), '(nil)');
  await page.click('.clock-toggle');
  await page.waitForTimeout(300);
  assert.ok((await clockMs(page)) > paused + 32_000);
  await page.close();
});

/** Served by LPUSH when lists are in core, else by XADD (XREAD BLOCK). */
async function blockingCommands(page) {
  if ((await run(page, 'COMMAND INFO blpop')) !== '1) (nil)') {
    return {
      block: (timeout) => `BLPOP jobs ${timeout}`,
      serve: 'LPUSH jobs a',
      served: /^1\) "jobs"\n2\) "a"$/,
    };
  }
  return {
    block: (timeout) => `XREAD BLOCK ${timeout * 1000} STREAMS jobs $`,
    serve: 'XADD jobs * task a',
    served: /^1\) 1\) "jobs"\n   2\) 1\) 1\) "\d+-0"\n         2\) 1\) "task"\n            2\) "a"$/,
  };
}

test('a blocked client waits, is served from another pane, times out and is cancelled', async () => {
  const { page, errors } = await openConsole(env);
  const cmd = await blockingCommands(page);
  await openPane(page, 'consumer-1');
  await page.click('.clock-toggle'); // paused: elapsed times are exact
  await send(page, cmd.block(0), 2);
  await page.waitForSelector(`${pane(2)}.waiting`);
  assert.equal(await promptOf(page, 2), '');
  await page.click('button[data-jump="1000"]');
  assert.match(await page.locator(`${pane(2)} .pane-status`).textContent(), /^waiting 1\.0s/);
  // Enter does nothing while waiting, as redis-cli sends nothing then.
  await page.fill(inputOf(2), 'PING');
  await page.press(inputOf(2), 'Enter');
  await screenshot(page, 'blocked');
  await run(page, cmd.serve, 1);
  await page.waitForFunction((sel) => !document.querySelector(sel).classList.contains('waiting'), pane(2));
  const served = await page.locator(repliesOf(2)).allTextContents();
  assert.match(served.at(-2), cmd.served);
  assert.equal(served.at(-1), '(1.00s)');
  assert.equal(await promptOf(page, 2), '127.0.0.1:6379> ');

  // A timeout fires when the clock is moved past it.
  await send(page, cmd.block(5), 2);
  await page.waitForSelector(`${pane(2)}.waiting`);
  await page.click('button[data-jump="30000"]');
  await page.waitForFunction((sel) => !document.querySelector(sel).classList.contains('waiting'), pane(2));
  assert.deepEqual((await page.locator(repliesOf(2)).allTextContents()).slice(-2), ['(nil)', '(30.00s)']);

  // Ctrl-C gives up waiting: the connection is replaced, the database kept.
  await run(page, 'SELECT 4', 2);
  const before = await run(page, 'CLIENT ID', 2);
  await send(page, cmd.block(0), 2);
  await page.waitForSelector(`${pane(2)}.waiting`);
  await page.click('button[data-jump="1000"]');
  await page.press(inputOf(2), 'Control+c');
  await page.waitForFunction((sel) => !document.querySelector(sel).classList.contains('waiting'), pane(2));
  assert.equal(await page.locator(`${outputOf(2)} pre.note`).last().textContent(), '^C(1.00s)');
  assert.equal(await promptOf(page, 2), '127.0.0.1:6379[4]> ');
  assert.notEqual(await run(page, 'CLIENT ID', 2), before);
  assert.equal((await run(page, 'CLIENT LIST', 1)).trim().split('\n').length, 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test('SUBSCRIBE reads messages published from another pane until Ctrl-C', async () => {
  const { page, errors } = await openConsole(env);
  await openPane(page, 'subscriber');
  await page.click('.clock-toggle');
  const first = await run(page, 'SUBSCRIBE news', 2);
  assert.equal(first, 'Reading messages... (press Ctrl-C to quit)\n1) "subscribe"\n2) "news"\n3) (integer) 1');
  await page.waitForSelector(`${pane(2)}.waiting`);
  assert.equal(await page.locator(`${pane(2)} .pane-status`).textContent(), 'reading messages · Ctrl-C quits');
  assert.equal(await run(page, 'PUBLISH news hello', 1), '(integer) 1');
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, repliesOf(2));
  assert.equal(await page.locator(repliesOf(2)).last().textContent(), '1) "message"\n2) "news"\n3) "hello"');
  await page.click('button[data-jump="1000"]');
  await screenshot(page, 'subscribed');
  await page.press(inputOf(2), 'Control+c');
  await page.waitForFunction((sel) => !document.querySelector(sel).classList.contains('waiting'), pane(2));
  assert.equal(await page.locator(`${outputOf(2)} pre.note`).last().textContent(), '^C(1.00s)');
  assert.equal(await promptOf(page, 2), '127.0.0.1:6379> ');
  assert.equal(await run(page, 'PUBLISH news again', 1), '(integer) 0');
  assert.equal(await run(page, 'PING', 2), 'PONG');
  assert.deepEqual(errors, []);
  await page.close();
});
