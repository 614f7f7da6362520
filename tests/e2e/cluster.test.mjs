// The cluster view: create a cluster, read its nodes, follow a key's slot
// as it is typed, compare PUBLISH with SPUBLISH on the bus, stop a node and
// watch the failover, reshard, `-c` consoles, reload and export, and names
// that look like HTML staying text.
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

const card = (port) => `.cluster-node[data-port="${port}"]`;
const text = (page, selector) => page.locator(selector).textContent();

/** A fresh page with a cluster of `primaries` × `replicas`. */
async function withCluster(options = {}, primaries = 3, replicas = 1) {
  const opened = await openConsole(env, options);
  const { page } = opened;
  await page.waitForSelector('body[data-cluster="ready"]');
  await page.fill('#cluster-primaries', String(primaries));
  await page.fill('#cluster-replicas', String(replicas));
  await page.click('.cluster-create-button');
  await page.waitForSelector(card(7000));
  return opened;
}

/** Opens a `-c` console on the node at `port`; returns its pane number. */
async function consoleOn(page, port) {
  const before = await page.locator('.pane').count();
  await page.click(`${card(port)} .node-console`);
  await page.waitForFunction((n) => document.querySelectorAll('.pane').length > n, before);
  return Number(await page.locator('.pane').last().getAttribute('data-pane'));
}

test('creating a cluster shows every node with its role, slot ranges and key count', async () => {
  const { page, errors } = await withCluster();
  assert.equal(await page.locator('.cluster-node').count(), 6);
  assert.equal(await text(page, '.cluster-shape'), '6 nodes, 3 primaries serving slots');
  assert.equal(await text(page, `${card(7000)} .node-slots`), 'slots 0-5460 (5461)');
  assert.equal(await text(page, `${card(7001)} .node-slots`), 'slots 5461-10922 (5462)');
  assert.equal(await text(page, `${card(7002)} .node-slots`), 'slots 10923-16383 (5461)');
  // redis-cli --cluster create's layout: 7003 replicates 7002, 7004 7000, 7005 7001.
  assert.equal(await text(page, `${card(7003)} .node-role`), 'replica of 127.0.0.1:7002');
  assert.equal(await text(page, `${card(7004)} .node-role`), 'replica of 127.0.0.1:7000');
  assert.equal(await page.getAttribute(card(7000), 'data-role'), 'primary');
  assert.match(await text(page, `${card(7000)} .node-keys`), /^keys 0 · epoch 1 · id [0-9a-f]{8}$/);
  assert.equal(await page.locator('.flow-node').count(), 6);
  const n = await consoleOn(page, 7002);
  await run(page, 'SET foo 1', n);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.startsWith('keys 1 '), `${card(7002)} .node-keys`);
  // The replica has it too.
  assert.match(await text(page, `${card(7003)} .node-keys`), /^keys 1 /);
  assert.match(await text(page, `${card(7000)} .node-keys`), /^keys 0 /);
  await screenshot(page, 'cluster-created');
  assert.deepEqual(errors, []);
  await page.close();
});

test("a key's slot and owner follow the typing, hash tags included", async () => {
  const { page, errors } = await withCluster();
  const seen = [];
  await page.focus('#cluster-key');
  for (const ch of 'foo') {
    await page.keyboard.type(ch);
    seen.push(await text(page, '#cluster-key-slot'));
  }
  // CLUSTER KEYSLOT f / fo / foo on Redis 7.0.15: 3168, 15557, 12182.
  assert.deepEqual(seen, [
    'slot 3168 · served by 127.0.0.1:7000',
    'slot 15557 · served by 127.0.0.1:7002',
    'slot 12182 · served by 127.0.0.1:7002',
  ]);
  assert.deepEqual(await page.locator('.cluster-node.owner').evaluateAll((els) => els.map((e) => e.dataset.port)), ['7002']);
  await page.fill('#cluster-key', '{user1000}.following');
  assert.equal(await text(page, '#cluster-key-slot'), 'slot 3443 · served by 127.0.0.1:7000');
  await page.fill('#cluster-key', '{user1000}.followers');
  assert.equal(await text(page, '#cluster-key-slot'), 'slot 3443 · served by 127.0.0.1:7000');
  await screenshot(page, 'cluster-key-slot');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a -c console follows MOVED with redis-cli\'s redirect line and its prompt shows the node', async () => {
  const { page, errors } = await withCluster();
  const n = await consoleOn(page, 7000);
  assert.equal(await promptOf(page, n), '127.0.0.1:7000> ');
  assert.equal(await run(page, 'SET foo bar', n), '-> Redirected to slot [12182] located at 127.0.0.1:7002\nOK');
  assert.equal(await promptOf(page, n), '127.0.0.1:7002> ');
  assert.equal(await run(page, 'GET foo', n), '"bar"');
  assert.equal(await run(page, 'GET b', n), '-> Redirected to slot [3300] located at 127.0.0.1:7000\n(nil)');
  // The standalone console is still there and untouched.
  assert.equal(await promptOf(page, 1), '127.0.0.1:6379> ');
  assert.equal(await run(page, 'GET foo', 1), '(nil)');
  await screenshot(page, 'cluster-console');
  assert.deepEqual(errors, []);
  await page.close();
});

test('PUBLISH crosses the whole bus, SPUBLISH stays in its shard: core counters and the flow', async () => {
  const { page, errors } = await withCluster();
  const subscriber = await consoleOn(page, 7002);
  const publisher = await consoleOn(page, 7002);
  assert.equal(await run(page, 'SSUBSCRIBE foo', subscriber), 'Reading messages... (press Ctrl-C to quit)\n1) "ssubscribe"\n2) "foo"\n3) (integer) 1');
  assert.equal(await text(page, '#bus-summary'), 'PUBLISH: 0 bus messages, SPUBLISH: 0 (0 B vs 0 B)');
  assert.equal(await run(page, 'PUBLISH foo hello', publisher), '(integer) 0');
  assert.match(await text(page, '#bus-summary'), /^PUBLISH: 5 bus messages, SPUBLISH: 0 /);
  assert.equal(await text(page, '#flow-note'), 'PUBLISH sent 5 bus messages to 5 nodes');
  assert.equal(await page.locator('line.flow-publish').count(), 5);
  assert.equal(await run(page, 'SPUBLISH foo hello', publisher), '(integer) 1');
  assert.match(await text(page, '#bus-summary'), /^PUBLISH: 5 bus messages, SPUBLISH: 1 /);
  assert.equal(await text(page, '#flow-note'), 'SPUBLISH sent 1 bus message to 1 node');
  assert.deepEqual(await page.locator('line.flow-shard').evaluateAll((ls) => ls.map((l) => `${l.dataset.from}>${l.dataset.to}`)), ['2>3']);
  await page.waitForFunction(
    (sel) => document.querySelector(sel)?.textContent?.includes('"smessage"'),
    `${pane(subscriber)} .output`,
  );
  await screenshot(page, 'cluster-bus');
  // The same traffic ten times over.
  await page.click('.bus-reset');
  assert.equal(await text(page, '#bus-summary'), 'PUBLISH: 0 bus messages, SPUBLISH: 0 (0 B vs 0 B)');
  for (let i = 0; i < 10; i += 1) {
    await run(page, `PUBLISH foo m${i}`, publisher);
    await run(page, `SPUBLISH foo m${i}`, publisher);
  }
  assert.match(await text(page, '#bus-summary'), /^PUBLISH: 50 bus messages, SPUBLISH: 10 /);
  assert.deepEqual(errors, []);
  await page.close();
});

test('stopping a primary: after the node timeout on the virtual clock its replica takes over; it rejoins as a replica', async () => {
  const { page, errors } = await withCluster();
  await page.click('.clock-toggle'); // paused: only the buttons move time
  const n = await consoleOn(page, 7000);
  await run(page, 'SET b 1', n);
  await page.click(`${card(7000)} .node-power`);
  assert.equal(await page.getAttribute(card(7000), 'data-state'), 'down');
  assert.equal(await text(page, `${card(7000)} .node-down`), 'stopped 0.0 s ago; marked failed after 15.0 s');
  assert.equal(await text(page, `${card(7004)} .node-role`), 'replica of 127.0.0.1:7000');
  assert.equal(await run(page, 'GET b', n), 'Could not connect to Redis at 127.0.0.1:7000: Connection refused');
  assert.equal(await promptOf(page, n), 'not connected> ');
  await page.click('button[data-jump="30000"]');
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'failed', card(7000));
  assert.equal(await text(page, `${card(7004)} .node-role`), 'primary');
  assert.equal(await text(page, `${card(7004)} .node-slots`), 'slots 0-5460 (5461)');
  assert.match(await text(page, `${card(7004)} .node-keys`), /^keys 1 /);
  assert.equal(await text(page, '#flow-note'), 'FAIL sent 4 bus messages to 4 nodes');
  await screenshot(page, 'cluster-failover');
  await page.click(`${card(7000)} .node-power`);
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'up', card(7000));
  assert.equal(await text(page, `${card(7000)} .node-role`), 'replica of 127.0.0.1:7004');
  assert.equal(await page.getAttribute(card(7000), 'data-role'), 'replica');
  // The console reconnects to it, and a write goes to the new primary.
  assert.equal(await run(page, 'SET b 2', n), '-> Redirected to slot [3300] located at 127.0.0.1:7004\nOK');
  assert.deepEqual(errors, []);
  await page.close();
});

test('resharding a slot range moves the slots and their keys', async () => {
  const { page, errors } = await withCluster();
  const n = await consoleOn(page, 7000);
  await run(page, 'SET b 1', n); // slot 3300
  await run(page, 'SET {b}x 2', n);
  await page.fill('#reshard-first', '3000');
  await page.fill('#reshard-last', '3999');
  await page.selectOption('#reshard-to', { label: '127.0.0.1:7001' });
  await page.click('.reshard-button');
  assert.equal(await text(page, '#cluster-status'), 'Moved 2 keys; slots 3000-3999 are served by 127.0.0.1:7001 now.');
  assert.equal(await text(page, `${card(7000)} .node-slots`), 'slots 0-2999, 4000-5460 (4461)');
  assert.equal(await text(page, `${card(7001)} .node-slots`), 'slots 3000-3999, 5461-10922 (6462)');
  assert.match(await text(page, `${card(7001)} .node-keys`), /^keys 2 /);
  assert.equal(await run(page, 'GET b', n), '-> Redirected to slot [3300] located at 127.0.0.1:7001\n"1"');
  await page.fill('#reshard-first', '20000');
  await page.click('.reshard-button');
  assert.equal(await text(page, '#cluster-status'), 'Reshard: slots are numbers from 0 to 16383.');
  await screenshot(page, 'cluster-reshard');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the cluster, its consoles and their nodes survive a reload and an export/import', async () => {
  const { page, errors } = await withCluster();
  await page.click('.clock-toggle');
  const n = await consoleOn(page, 7000);
  await run(page, 'SET foo bar', n); // the console moves to 7002
  await page.fill('#reshard-first', '0');
  await page.fill('#reshard-last', '9');
  await page.selectOption('#reshard-to', { label: '127.0.0.1:7002' });
  await page.click('.reshard-button');
  await page.click(`${card(7001)} .node-power`);
  await page.click('button[data-jump="30000"]');
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'failed', card(7001));
  const expect = async (p) => {
    await p.waitForSelector(card(7005));
    assert.equal(await p.locator('.cluster-node').count(), 6);
    assert.equal(await p.getAttribute(card(7001), 'data-state'), 'failed');
    assert.equal(await p.locator(`${card(7005)} .node-role`).textContent(), 'primary');
    assert.equal(await p.locator(`${card(7002)} .node-slots`).textContent(), 'slots 0-9, 10923-16383 (5471)');
    assert.equal(await p.locator('.pane').count(), 2);
    assert.equal(await promptOf(p, n), '127.0.0.1:7002> ');
    assert.equal(await run(p, 'GET foo', n), '"bar"');
  };
  await page.reload();
  await page.waitForSelector('body[data-cluster="ready"]');
  await expect(page);
  await screenshot(page, 'cluster-reloaded');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-session')]);
  const file = { name: download.suggestedFilename(), mimeType: 'application/json', buffer: await readFile(await download.path()) };
  assert.ok(JSON.parse(file.buffer.toString()).cluster.length > 0);
  assert.deepEqual(errors, []);
  await page.close();

  const context = await env.browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto(env.server.url);
  await fresh.waitForSelector('body[data-cluster="ready"]');
  assert.equal(await fresh.locator('.cluster-node').count(), 0);
  await fresh.setInputFiles('#import-file', file);
  await fresh.waitForSelector(card(7005));
  await expect(fresh);
  await context.close();
});

test('a share link carries the cluster; removing the cluster closes its consoles', async () => {
  const { page, errors } = await withCluster({}, 4, 0);
  const n = await consoleOn(page, 7003);
  await run(page, 'SET foo 1', n);
  await page.click('#share-session');
  await page.waitForSelector('.share-link:not([hidden])');
  const link = await page.inputValue('.share-link');
  const context = await env.browser.newContext();
  const shared = await context.newPage();
  await shared.goto(link);
  await shared.waitForSelector('body[data-cluster="ready"]');
  await shared.waitForSelector(card(7003));
  assert.equal(await shared.locator('.cluster-node').count(), 4);
  assert.equal(await shared.locator(`${card(7002)} .node-slots`).textContent(), 'slots 8192-12287 (4096)');
  // The console was redirected to 7002 before the link was made: it opens there.
  assert.equal(await promptOf(shared, n), '127.0.0.1:7002> ');
  assert.equal(await run(shared, 'GET foo', n), '"1"');
  await context.close();
  await page.click('.cluster-remove');
  assert.equal(await page.locator('.cluster-node').count(), 0);
  assert.equal(await page.locator('.pane').count(), 1);
  assert.equal(await text(page, '#cluster-status'), 'Cluster removed.');
  assert.ok(await page.isVisible('.cluster-create-button'));
  await page.reload();
  await page.waitForSelector('body[data-cluster="ready"]');
  assert.equal(await page.locator('.cluster-node').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a saved cluster that does not restore is reported and dropped; the consoles go on', async () => {
  const { page, errors } = await withCluster();
  await consoleOn(page, 7000);
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('redplay.session') ?? '{}').cluster);
  const damaged = await page.evaluate(() => JSON.stringify({ ...JSON.parse(localStorage.getItem('redplay.session')), cluster: 'AAAA' }));
  // Put in place as the next page starts (leaving this one saves the good session).
  await page.context().addInitScript((text) => localStorage.setItem('redplay.session', text), damaged);
  await page.reload();
  await page.waitForSelector('body[data-cluster="ready"]');
  assert.equal(await text(page, '.session-status'), 'The saved cluster could not be restored (not a redplay cluster (or another version)).');
  assert.equal(await page.locator('.cluster-node').count(), 0);
  assert.equal(await page.locator('.pane').count(), 1);
  assert.equal(await run(page, 'PING'), 'PONG');
  assert.deepEqual(errors, []);
  await page.close();
});

test('names that look like HTML stay text in the cluster view and its consoles', async () => {
  const { page, errors } = await withCluster();
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const evil = '<img src=x onerror=alert(1)>';
  const n = await consoleOn(page, 7000);
  await run(page, `SET "${evil}" "${evil}"`, n);
  assert.match(await run(page, `GET "${evil}"`, n), /"<img src=x onerror=alert\(1\)>"$/);
  await run(page, `PUBLISH "${evil}" "${evil}"`, n);
  await run(page, `SPUBLISH "${evil}" "${evil}"`, n);
  await page.fill('#cluster-key', evil);
  assert.equal(await text(page, '#cluster-key-slot'), 'slot 7388 · served by 127.0.0.1:7001'); // CLUSTER KEYSLOT on Redis 7.0.15
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.locator(`${pane(n)} .output`).evaluate((o) => o.querySelectorAll('*:not(pre):not(span)').length), 0);
  await page.reload();
  await page.waitForSelector(card(7000));
  assert.equal(await page.locator('img').count(), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the cluster view works by keyboard alone in a narrow window', async () => {
  const { page, errors } = await openConsole(env, { viewport: { width: 380, height: 800 } });
  await page.waitForSelector('body[data-cluster="ready"]');
  await page.focus('#cluster-replicas');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'cluster-create-button');
  await page.keyboard.press('Enter');
  await page.waitForSelector(card(7005));
  // From a node's Console button, Enter opens a -c console and focuses its input.
  await page.focus(`${card(7001)} .node-console`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(pane(2));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'pane-2-input');
  await page.keyboard.type('CLUSTER MYID');
  await page.keyboard.press('Enter');
  assert.match(await page.locator(`${pane(2)} pre.reply`).last().textContent(), /^"[0-9a-f]{40}"$/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await screenshot(page, 'cluster-narrow');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the prompt does not wait for the cluster view', async () => {
  const { page, readyMs } = await openConsole(env);
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').filter((r) => r.name.includes('cluster-view')).map((r) => r.startTime));
  await page.waitForSelector('body[data-cluster="ready"]');
  const after = await page.evaluate(() => performance.getEntriesByType('resource').find((r) => r.name.includes('cluster-view'))?.startTime);
  console.log(`# prompt usable at ${readyMs} ms; cluster view script requested at ${Math.round(after)} ms`);
  assert.ok(loaded.every((t) => t >= readyMs - 1), 'cluster view fetched before the prompt was usable');
  assert.ok(after >= readyMs - 1);
  assert.equal(await inputOf(1).length > 0, true);
  await page.close();
});
