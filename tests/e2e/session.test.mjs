// Keeping the user's work: a reload brings back keys (with TTLs, stream IDs
// and idle times on the virtual clock), panes with their names, databases,
// histories and unfinished lines, and the clock; an exported file imported
// into a fresh browser, and a share link, reproduce the same session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { screenshot } from '../lib/browser.mjs';
import { startBrowser, openConsole, run, pane, inputOf, promptOf } from '../lib/console.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

/** Builds a session worth keeping in a fresh page; returns what it should look like. */
async function buildSession(page) {
  await page.click('.clock-toggle'); // paused: every time-dependent answer is exact
  await page.fill(`${pane(1)} .pane-name`, 'producer');
  await page.press(`${pane(1)} .pane-name`, 'Enter');
  await run(page, 'SET token abc EX 100');
  await run(page, 'RPUSH jobs j1 j2 j3');
  const id = (await run(page, 'XADD events * kind start')).replaceAll('"', '');
  await run(page, 'XGROUP CREATE events workers 0');
  await run(page, 'XREADGROUP GROUP workers w1 STREAMS events >');
  await page.click('#add-client');
  await page.waitForSelector(pane(2));
  await page.fill(`${pane(2)} .pane-name`, 'worker');
  await page.press(`${pane(2)} .pane-name`, 'Enter');
  await run(page, 'SELECT 2', 2);
  await run(page, 'CLIENT SETNAME w', 2);
  await run(page, 'SET in-two yes', 2);
  await page.click('button[data-jump="30000"]');
  await page.fill(inputOf(1), 'LRANGE jobs 0 -1 # not run yet');
  return { id, clock: await page.locator('.clock-time').textContent() };
}

async function expectSession(page, { id, clock }, { draft = true } = {}) {
  assert.equal(await page.locator('.pane').count(), 2);
  assert.equal(await page.inputValue(`${pane(1)} .pane-name`), 'producer');
  assert.equal(await page.inputValue(`${pane(2)} .pane-name`), 'worker');
  assert.equal(await page.locator('.clock-time').textContent(), clock);
  assert.equal(await page.locator('.clock-toggle').textContent(), 'Resume');
  if (draft) assert.equal(await page.inputValue(inputOf(1)), 'LRANGE jobs 0 -1 # not run yet');
  assert.equal(await promptOf(page, 2), '127.0.0.1:6379[2]> ');
  assert.equal(await run(page, 'CLIENT GETNAME', 2), '"w"');
  assert.equal(await run(page, 'GET in-two', 2), '"yes"');
  await page.fill(inputOf(1), '');
  assert.equal(await run(page, 'TTL token'), '(integer) 70');
  assert.equal(await run(page, 'OBJECT IDLETIME jobs'), '(integer) 30');
  assert.equal(await run(page, 'XPENDING events workers - + 10 w1'), `1) 1) "${id}"\n   2) "w1"\n   3) (integer) 30000\n   4) (integer) 1`);
  // History survived too: the line before the ones just run.
  for (let i = 0; i < 4; i += 1) await page.press(inputOf(1), 'ArrowUp');
  assert.equal(await page.inputValue(inputOf(1)), 'XREADGROUP GROUP workers w1 STREAMS events >');
}

test('a reload keeps keys, panes, histories, unfinished lines and the clock', async () => {
  const { page, errors } = await openConsole(env);
  const expected = await buildSession(page);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await expectSession(page, expected);
  await screenshot(page, 'session-reloaded');
  // A running clock goes on across a reload as if the page had stayed open.
  await page.click('.clock-toggle');
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.locator('.clock-toggle').textContent(), 'Pause');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an exported file imported into a fresh browser reproduces the session', async () => {
  const { page, errors } = await openConsole(env);
  const expected = await buildSession(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-session')]);
  const file = { name: download.suggestedFilename(), mimeType: 'application/json', buffer: await readFile(await download.path()) };
  assert.match(file.name, /^redplay-session-[\d-]+\.json$/);
  await page.close();
  const fresh = await openConsole(env);
  await fresh.page.setInputFiles('#import-file', file);
  await fresh.page.waitForFunction(() => document.querySelectorAll('.pane').length === 2 && document.body.dataset.ready === 'true');
  await expectSession(fresh.page, expected);
  // A file that is not a session is refused with a message; nothing changes.
  await fresh.page.setInputFiles('#import-file', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"version":1}') });
  await fresh.page.waitForSelector('.session-status[data-kind="error"]');
  assert.match(await fresh.page.locator('.session-status').textContent(), /^Import failed: clock is not an object/);
  assert.deepEqual([...errors, ...fresh.errors], []);
  await fresh.page.close();
});

test('a share link opens to the same session; one too large is refused', async () => {
  const { page, errors } = await openConsole(env);
  const expected = await buildSession(page);
  await page.click('#share-session');
  await page.waitForSelector('.share-link:not([hidden])');
  const url = await page.inputValue('.share-link');
  assert.match(url, /#s=[A-Za-z0-9_-]+$/);
  assert.ok(url.length < 6000, `link is ${url.length} characters`);
  const other = await env.browser.newPage();
  await other.goto(url);
  await other.waitForSelector('body[data-ready="true"]');
  await expectSession(other, expected, { draft: true });
  assert.equal(await other.evaluate(() => location.hash), '', 'the link is used once');
  assert.equal(await other.locator('.session-status').textContent(), 'Opened the shared session.');
  await other.close();
  // Random bytes do not compress: 20 KB of them cannot fit in a link.
  let seed = 12345;
  const big = Array.from({ length: 20_000 }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed >> 16).toString(36).slice(-1);
  }).join('');
  await run(page, `SET big ${big}`);
  await page.click('#share-session');
  await page.waitForSelector('.session-status[data-kind="error"]');
  assert.match(await page.locator('.session-status').textContent(), /^No link: this session is [\d.]+ KB as a link, over the 5\.9 KB limit: use Export/);
  await screenshot(page, 'session-share-refused');
  assert.deepEqual(errors, []);
  await page.close();
});
