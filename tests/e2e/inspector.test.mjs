// The data inspector: list cells with head and tail, a stream's groups with
// their pending entries and delivery counts, pub/sub subscribers, and keys
// and values shown as text, never as HTML.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from '../lib/browser.mjs';
import { startBrowser, openConsole, run, send, pane, outputOf } from '../lib/console.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

const view = '#inspector .inspect-view';

async function inspect(page, key) {
  await page.fill('#inspector .inspect-key', key);
  await page.press('#inspector .inspect-key', 'Enter');
}

test('a list shows as cells with head and tail, paged, and follows commands', async () => {
  const { page, errors } = await openConsole(env);
  await run(page, 'RPUSH queue a b c');
  await page.click('#inspector .key-name:text-is("queue")');
  await page.waitForSelector(`${view} .cell`);
  const cells = () => page.locator(`${view} .cell .cell-value`).allTextContents();
  assert.deepEqual(await cells(), ['a', 'b', 'c']);
  assert.equal(await page.locator(`${view} .cell.head .cell-value`).textContent(), 'a');
  assert.equal(await page.locator(`${view} .cell.tail .cell-value`).textContent(), 'c');
  assert.equal(await page.locator(`${view} .badge[data-name="encoding"] .badge-value`).textContent(), 'quicklist');
  // Another command updates it.
  await run(page, 'LPUSH queue first');
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'first', `${view} .cell.head .cell-value`);
  // Long lists are paged.
  await run(page, 'RPUSH queue ' + Array.from({ length: 100 }, (_, i) => `x${i}`).join(' '));
  await page.waitForFunction((sel) => /0–49 of 104/.test(document.querySelector(sel)?.textContent ?? ''), `${view} .pager`);
  assert.equal(await page.locator(`${view} .cell`).count(), 50);
  await page.click(`${view} .pager .page:text-is("›")`);
  await page.waitForFunction((sel) => /50–99 of 104/.test(document.querySelector(sel)?.textContent ?? ''), `${view} .pager`);
  await page.click(`${view} .pager .page:text-is("›")`);
  await page.waitForSelector(`${view} .cell.tail`);
  assert.equal(await page.locator(`${view} .cell.tail .cell-value`).textContent(), 'x99');
  // A string: encoding and TTL on the virtual clock.
  await page.click('.clock-toggle');
  await run(page, 'SET counter 10 EX 100');
  await inspect(page, 'counter');
  await page.waitForSelector(`${view} .string-value`);
  assert.equal(await page.locator(`${view} .badge[data-name="encoding"] .badge-value`).textContent(), 'int');
  assert.equal(await page.locator(`${view} .badge[data-name="ttl"] .badge-value`).textContent(), '1m 40s');
  await page.click('button[data-jump="30000"]');
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '1m 10s', `${view} .badge[data-name="ttl"] .badge-value`);
  // Clicking a key name in the output inspects it.
  await run(page, 'KEYS *');
  await page.locator(`${outputOf()} pre.reply`).last().getByText('queue').click();
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'queue', `${view} .inspect-name`);
  await screenshot(page, 'inspector-list');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a stream shows its timeline, groups, pending entries and delivery counts', async () => {
  const { page, errors } = await openConsole(env);
  await page.click('.clock-toggle'); // paused: idle times are exact
  await run(page, 'XADD orders 1-1 item apple');
  await run(page, 'XADD orders 2-1 item pear');
  await run(page, 'XADD orders 3-1 item plum');
  await run(page, 'XGROUP CREATE orders shipping 0');
  await run(page, 'XREADGROUP GROUP shipping alice COUNT 2 STREAMS orders >');
  await page.click('button[data-jump="1000"]');
  await run(page, 'XCLAIM orders shipping bob 0 2-1');
  await page.click('button[data-jump="1000"]');
  await inspect(page, 'orders');
  await page.waitForSelector(`${view} .group`);
  assert.deepEqual(await page.locator(`${view} .timeline .entry-id`).allTextContents(), ['1-1', '2-1', '3-1']);
  assert.equal(await page.locator(`${view} .entry[data-id="2-1"] .delivered-mark`).textContent(), '◂ shipping');
  const group = `${view} .group[data-group="shipping"]`;
  assert.equal(await page.locator(`${group} .badge[data-name="last-delivered"] .badge-value`).textContent(), '2-1');
  assert.equal(await page.locator(`${group} .badge[data-name="lag"] .badge-value`).textContent(), '1');
  const rows = await page.locator(`${group} tr.pending`).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.deepEqual(rows, [
    ['alice', '2.0s', '1-1', '1', '2.0s'],
    ['bob', '1.0s', '2-1', '2', '1.0s'],
  ]);
  await run(page, 'XACK orders shipping 1-1');
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, `${group} tr.pending`);
  await screenshot(page, 'inspector-stream');
  assert.deepEqual(errors, []);
  await page.close();
});

test('pub/sub channels and patterns list their subscribers by id, name and pane', async () => {
  const { page, errors } = await openConsole(env);
  await page.fill(`${pane(1)} .pane-name`, 'reader');
  await run(page, 'CLIENT SETNAME alice');
  const id = (await run(page, 'CLIENT ID')).replace('(integer) ', '');
  await send(page, 'SUBSCRIBE news');
  await page.click('#add-client');
  await page.waitForSelector(pane(2));
  await send(page, 'PSUBSCRIBE n*', 2);
  const channel = '#inspector .listener[data-name="news"] .subscribers';
  await page.waitForSelector(channel);
  assert.equal(await page.locator(channel).textContent(), `#${id} alice (reader)`);
  await page.waitForSelector('#inspector .listener[data-name="n*"]');
  assert.match(await page.locator('#inspector .listener[data-name="n*"] .subscribers').textContent(), /^#\d+ \(client 2\)$/);
  await screenshot(page, 'inspector-pubsub');
  assert.deepEqual(errors, []);
  await page.close();
});

test('keys and values are shown as text, not HTML', async () => {
  const { page, errors } = await openConsole(env);
  const evil = '<img src=x onerror=alert(1)>';
  page.on('dialog', (d) => {
    errors.push(new Error(`dialog opened: ${d.message()}`));
    void d.dismiss();
  });
  await run(page, `SET "${evil}" "<b>bold</b>"`);
  await run(page, `RPUSH list "${evil}"`);
  await run(page, `SUBSCRIBE "${evil}"`).catch(() => {});
  await page.click(`#inspector .key-name:text-is("${evil}")`);
  await page.waitForSelector(`${view} .string-value`);
  assert.equal(await page.locator(`${view} .inspect-name`).textContent(), evil);
  assert.equal(await page.locator(`${view} .string-value`).textContent(), '<b>bold</b>');
  await inspect(page, 'list');
  await page.waitForSelector(`${view} .cell`);
  assert.equal(await page.locator(`${view} .cell-value`).textContent(), evil);
  assert.equal(await page.locator('#side img, #side b').count(), 0);
  await screenshot(page, 'inspector-text');
  assert.deepEqual(errors, []);
  await page.close();
});
