// The demos page: <redplay-console> elements in a real browser under the
// page's strict CSP. Each pane must show exactly what redis-cli would print.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, consoleScreens, launchBrowser, servePlayground, screenshot } from '../lib/browser.mjs';

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

const P = '127.0.0.1:6379>';

async function openDemos() {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Failed loads are checked by URL below (the browser asks for a favicon).
    if (m.text().startsWith('Failed to load resource')) return;
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${server.url}demos.html`);
  await page.waitForFunction(() => customElements.get('redplay-console') !== undefined);
  // The first demo has `autorun`: it runs without a click.
  await page.waitForSelector('#mq-vs-stream[data-runs="1"]');
  return { page, problems };
}

async function runs(page, id) {
  return page.locator(`#${id}`).evaluate((el) => Number(el.getAttribute('data-runs') ?? 0));
}

/** Clicks Run on a console and waits for the script to finish. */
async function run(page, id) {
  const before = await runs(page, id);
  await page.click(`#${id} button.run`);
  await page.waitForFunction(
    ([sel, n]) => Number(document.querySelector(sel)?.getAttribute('data-runs')) > n,
    [`#${id}`, before],
  );
}

/** Replaces a console's script in its editor. */
async function edit(page, id, script) {
  await page.fill(`#${id} textarea.script`, script);
}

/** Each pane's screen as text: { clientName: "line\nline..." }. */
const screens = consoleScreens;

const lines = (...l) => l.join('\n');

test('a single-client demo prints redis-cli text, with reproducible stream IDs', async () => {
  const { page, problems } = await openDemos();
  const autorun = await screens(page, 'mq-vs-stream');
  await run(page, 'mq-vs-stream');
  assert.deepEqual(await screens(page, 'mq-vs-stream'), autorun, 'a rerun prints the same, stream IDs included');
  const entries = lines(
    '1) 1) "1700000000000-0"',
    '   2) 1) "user"',
    '      2) "alice"',
    '2) 1) "1700000000000-1"',
    '   2) 1) "user"',
    '      2) "bob"',
  );
  assert.equal(
    (await screens(page, 'mq-vs-stream'))[''],
    lines(
      `${P} RPUSH signups "alice" "bob"`,
      '(integer) 2',
      `${P} LPOP signups`,
      '"alice"',
      `${P} LPOP signups`,
      '"bob"',
      `${P} LPOP signups`,
      '(nil)',
      `${P} XADD signup-events * user alice`,
      '"1700000000000-0"',
      `${P} XADD signup-events * user bob`,
      '"1700000000000-1"',
      `${P} XRANGE signup-events - +`,
      entries,
      `${P} XRANGE signup-events - +`,
      entries,
    ),
  );
  // The shadow root's adopted stylesheet applies under style-src 'self'.
  const runColour = await page.locator('#mq-vs-stream button.run').evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.equal(runColour, 'rgb(220, 56, 45)');
  await page.locator('#mq-vs-stream').screenshot({ path: `${ARTIFACTS}demo-single.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('multi-client blocking: a push serves the waiting workers in their panes', async () => {
  const { page, problems } = await openDemos();
  await run(page, 'work-queue');
  assert.deepEqual(await screens(page, 'work-queue'), {
    producer: lines(
      `${P} LPUSH jobs "resize:1" "resize:2" "resize:3"`,
      '(integer) 3',
      `${P} LRANGE jobs 0 -1`,
      '1) "resize:3"',
      `${P} LPUSH jobs "resize:4"`,
      '(integer) 1',
    ),
    'worker-1': lines(`${P} BRPOP jobs 0`, '1) "jobs"', '2) "resize:1"', `${P} BRPOP jobs 0`, '1) "jobs"', '2) "resize:3"'),
    'worker-2': lines(`${P} BRPOP jobs 0`, '1) "jobs"', '2) "resize:2"', `${P} BRPOP jobs 0`, '1) "jobs"', '2) "resize:4"'),
  });
  // Replies served by another client's command are marked as arriving later.
  const later = await page.locator('#work-queue').evaluate((el) =>
    [...el.shadowRoot.querySelectorAll('pre.later')].map((b) => b.closest('.pane').dataset.client),
  );
  assert.deepEqual(later, ['worker-1', 'worker-2', 'worker-2']);

  // Typing into the panes afterwards: a worker blocks, the producer serves it.
  await page.fill('#work-queue .pane[data-client="worker-1"] input', 'BLPOP jobs 0');
  await page.press('#work-queue .pane[data-client="worker-1"] input', 'Enter');
  await page.fill('#work-queue .pane[data-client="producer"] input', 'RPUSH jobs "typed <b>by hand</b>"');
  await page.press('#work-queue .pane[data-client="producer"] input', 'Enter');
  await page.waitForFunction(() =>
    document.querySelector('#work-queue').shadowRoot.querySelector('[data-client="worker-1"] .output').textContent.includes('by hand'),
  );
  const after = await screens(page, 'work-queue');
  assert.ok(after['worker-1'].endsWith(lines(`${P} BLPOP jobs 0`, '1) "jobs"', '2) "typed <b>by hand</b>"')), after['worker-1']);
  assert.ok(after.producer.endsWith(lines(`${P} RPUSH jobs "typed <b>by hand</b>"`, '(integer) 1')), after.producer);
  await page.locator('#work-queue').screenshot({ path: `${ARTIFACTS}demo-work-queue.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('pub/sub: messages reach the subscriber pane as they are published', async () => {
  const { page, problems } = await openDemos();
  await run(page, 'pubsub-basic');
  assert.deepEqual(await screens(page, 'pubsub-basic'), {
    subscriber: lines(
      `${P} SUBSCRIBE news alerts`,
      'Reading messages... (press Ctrl-C to quit)',
      '1) "subscribe"',
      '2) "news"',
      '3) (integer) 1',
      '1) "subscribe"',
      '2) "alerts"',
      '3) (integer) 2',
      '1) "message"',
      '2) "news"',
      '3) "hello, subscriber"',
      '1) "message"',
      '2) "alerts"',
      '3) "disk almost full"',
    ),
    publisher: lines(
      `${P} PUBLISH news "is anyone there?"`,
      '(integer) 0',
      `${P} PUBLISH news "hello, subscriber"`,
      '(integer) 1',
      `${P} PUBLISH alerts "disk almost full"`,
      '(integer) 1',
      `${P} PUBSUB NUMSUB news alerts sports`,
      '1) "news"',
      '2) (integer) 1',
      '3) "alerts"',
      '4) (integer) 1',
      '5) "sports"',
      '6) (integer) 0',
    ),
  });

  // In reading mode redis-cli shows no prompt; the publisher keeps one.
  assert.equal(await page.locator('#pubsub-basic .pane[data-client="subscriber"] input').isVisible(), false);
  assert.equal(await page.locator('#pubsub-basic .pane[data-client="publisher"] input').isVisible(), true);

  await run(page, 'pubsub-sharded');
  assert.deepEqual(await screens(page, 'pubsub-sharded'), {
    subscriber: lines(
      `${P} SSUBSCRIBE orders:{eu}`,
      'Reading messages... (press Ctrl-C to quit)',
      '1) "ssubscribe"',
      '2) "orders:{eu}"',
      '3) (integer) 1',
      '1) "smessage"',
      '2) "orders:{eu}"',
      '3) "order 17 shipped"',
    ),
    publisher: lines(
      `${P} SPUBLISH orders:{eu} "order 17 shipped"`,
      '(integer) 1',
      `${P} PUBLISH orders:{eu} "not for shard subscribers"`,
      '(integer) 0',
      `${P} PUBSUB SHARDNUMSUB orders:{eu}`,
      '1) "orders:{eu}"',
      '2) (integer) 1',
    ),
  });

  // Like redis-cli, a subscribed client sends nothing more.
  await edit(page, 'pubsub-patterns', 'subscriber> PSUBSCRIBE mail-*\nsubscriber> PING\npublisher> PUBLISH mail-x hi');
  await run(page, 'pubsub-patterns');
  const patterns = await screens(page, 'pubsub-patterns');
  assert.equal(
    patterns.subscriber,
    lines(
      `${P} PSUBSCRIBE mail-*`,
      'Reading messages... (press Ctrl-C to quit)',
      '1) "psubscribe"',
      '2) "mail-*"',
      '3) (integer) 1',
      'PING   (not sent: after SUBSCRIBE, redis-cli only prints messages)',
      '1) "pmessage"',
      '2) "mail-*"',
      '3) "mail-x"',
      '4) "hi"',
    ),
  );
  await page.locator('#pubsub-basic').screenshot({ path: `${ARTIFACTS}demo-pubsub.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('consumer groups and recovery print exact replies', async () => {
  const { page, problems } = await openDemos();
  await run(page, 'group');
  const group = await screens(page, 'group');
  assert.equal(
    group.bob,
    lines(
      `${P} XREADGROUP GROUP shipping bob COUNT 1 STREAMS orders >`,
      '1) 1) "orders"',
      '   2) 1) 1) "1700000000000-1"',
      '         2) 1) "item"',
      '            2) "pen"',
      `${P} XREADGROUP GROUP shipping bob BLOCK 0 STREAMS orders >`,
      '1) 1) "orders"',
      '   2) 1) 1) "1700000000000-3"',
      '         2) 1) "item"',
      '            2) "desk"',
    ),
  );
  await run(page, 'recovery');
  const recovery = (await screens(page, 'recovery'))[''];
  assert.ok(
    recovery.includes(
      lines(
        `${P} XAUTOCLAIM payments billing worker-2 0 0-0`,
        '1) "0-0"',
        '2) 1) 1) "1700000000000-0"',
        '      2) 1) "amount"',
        '         2) "30"',
        '   2) 1) "1700000000000-1"',
        '      2) 1) "amount"',
        '         2) "45"',
        '3) (empty array)',
        `${P} XPENDING payments billing - + 10`,
        '1) 1) "1700000000000-0"',
        '   2) "worker-2"',
        '   3) (integer) 0',
        '   4) (integer) 2',
      ),
    ),
    recovery,
  );
  assert.ok(recovery.endsWith(lines(`${P} XPENDING payments billing`, '1) (integer) 0', '2) (nil)', '3) (nil)', '4) (nil)')));
  assert.deepEqual(problems, []);
  await page.close();
});

test('consoles are isolated unless they name the same node', async () => {
  const { page, problems } = await openDemos();
  await run(page, 'circular');
  // Another console does not see the first one's keys...
  await edit(page, 'mq-vs-stream', 'LRANGE mirrors 0 -1');
  await run(page, 'mq-vs-stream');
  assert.equal((await screens(page, 'mq-vs-stream'))[''], `${P} LRANGE mirrors 0 -1\n(empty array)`);
  // ...and an unshared console starts from an empty node on every run.
  await edit(page, 'circular', 'LLEN mirrors');
  await run(page, 'circular');
  assert.equal((await screens(page, 'circular'))[''], `${P} LLEN mirrors\n(integer) 0`);

  // node="mailroom": the reader pops what the writer pushed, and the data
  // outlives reruns.
  await run(page, 'shared-writer');
  await run(page, 'shared-reader');
  assert.equal(
    (await screens(page, 'shared-reader'))[''],
    lines(`${P} LPOP mailroom:outbox`, '"parcel for carol"', `${P} LLEN mailroom:outbox`, '(integer) 0'),
  );
  await run(page, 'shared-writer');
  await run(page, 'shared-writer');
  assert.equal(
    (await screens(page, 'shared-writer'))[''],
    lines(`${P} RPUSH mailroom:outbox "parcel for carol"`, '(integer) 2', `${P} LLEN mailroom:outbox`, '(integer) 2'),
  );

  // Clients of different consoles on one node reach each other.
  await edit(page, 'shared-reader', 'SUBSCRIBE mailroom:bell');
  await run(page, 'shared-reader');
  await edit(page, 'shared-writer', 'PUBLISH mailroom:bell ring');
  await run(page, 'shared-writer');
  assert.equal((await screens(page, 'shared-writer'))[''], `${P} PUBLISH mailroom:bell ring\n(integer) 1`);
  assert.ok((await screens(page, 'shared-reader'))[''].endsWith('1) "message"\n2) "mailroom:bell"\n3) "ring"'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('edit and rerun; values are shown as text, never as HTML', async () => {
  const { page, problems } = await openDemos();
  const original = await page.inputValue('#circular textarea.script');
  await edit(page, 'circular', 'SET x "<img src=x onerror=alert(1)>"\nGET x');
  await run(page, 'circular');
  assert.equal(
    (await screens(page, 'circular'))[''],
    lines(`${P} SET x "<img src=x onerror=alert(1)>"`, 'OK', `${P} GET x`, '"<img src=x onerror=alert(1)>"'),
  );
  const images = await page.evaluate(
    () => document.querySelectorAll('img').length + document.querySelector('#circular').shadowRoot.querySelectorAll('img').length,
  );
  assert.equal(images, 0);
  await page.click('#circular button.reset');
  assert.equal(await page.inputValue('#circular textarea.script'), original);
  assert.ok(original.startsWith('RPUSH mirrors "eu-1" "us-1" "ap-1"\nLMOVE mirrors mirrors LEFT RIGHT'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('a blocking command times out on the clock and lines typed meanwhile wait for it', async () => {
  const { page, problems } = await openDemos();
  await edit(page, 'circular', 'BLPOP nothing 1\nECHO after');
  await run(page, 'circular');
  assert.equal((await screens(page, 'circular'))[''], `${P} BLPOP nothing 1`);
  assert.equal(await page.locator('#circular input').isVisible(), false, 'no prompt while blocked');
  await page.waitForFunction(() =>
    document.querySelector('#circular').shadowRoot.querySelector('.output').textContent.includes('"after"'),
  );
  const screen = (await screens(page, 'circular'))[''];
  assert.equal(await page.locator('#circular input').isVisible(), true, 'the prompt is back');
  assert.match(screen, /^127\.0\.0\.1:6379> BLPOP nothing 1\n\(nil\)\n\(1\.\d\ds\)\n127\.0\.0\.1:6379> ECHO after\n"after"$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the whole page, every demo run', async () => {
  const { page, problems } = await openDemos();
  const ids = await page.evaluate(() => [...document.querySelectorAll('redplay-console')].map((e) => e.id));
  assert.ok(ids.length >= 12, `demos: ${ids}`);
  for (const id of ids) await run(page, id);
  for (const id of ids) {
    for (const [client, screen] of Object.entries(await screens(page, id))) {
      assert.doesNotMatch(screen, /\(error\)|Invalid argument/, `${id} ${client}`);
    }
  }
  await screenshot(page, 'demos-page');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the playground links to the demos', async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.click('a[href="./demos.html"]');
  await page.waitForFunction(() => customElements.get('redplay-console') !== undefined);
  assert.ok(page.url().endsWith('/demos.html'));
  await page.close();
});

test('another page embeds consoles with one script tag, under a strict CSP', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  // A docs page of someone else's, served from the same origin as the build.
  await page.route('**/docs-page.html', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'">
<script type="module" src="./redplay-console.js"></script>
<redplay-console id="solo" autorun>
  RPUSH q a
</redplay-console>
<docs-console id="renamed" clients="sub pub" autorun>
  sub> SUBSCRIBE ch
  pub> PUBLISH ch "&lt;i&gt;hi&lt;/i&gt;"
</docs-console>`,
    }),
  );
  await page.goto(`${server.url}docs-page.html`);
  await page.waitForSelector('#solo[data-runs="1"]');
  assert.deepEqual(await screens(page, 'solo'), { '': `${P} RPUSH q a\n(integer) 1` });
  // The module's export defines the element under another name too.
  await page.evaluate(async () => (await import('./redplay-console.js')).defineRedplayConsole('docs-console'));
  await page.waitForSelector('#renamed[data-runs="1"]');
  const renamed = await screens(page, 'renamed');
  assert.equal(renamed.pub, `${P} PUBLISH ch "<i>hi</i>"\n(integer) 1`);
  assert.ok(renamed.sub.endsWith('1) "message"\n2) "ch"\n3) "<i>hi</i>"'), renamed.sub);
  assert.equal(await page.locator('#renamed i').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
