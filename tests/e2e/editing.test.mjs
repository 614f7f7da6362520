// The prompt, hints, Tab completion, help and screen clearing behave as in
// redis-cli 7.0.15 (texts checked against redis-cli in a terminal).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from '../lib/browser.mjs';
import { startBrowser, openConsole, run, send, inputOf, outputOf, promptOf, hintOf } from '../lib/console.mjs';

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

test('the prompt shows the selected database and MULTI, from core', async () => {
  const { page } = await openConsole(env);
  assert.equal(await promptOf(page), '127.0.0.1:6379> ');
  await run(page, 'SELECT 2');
  assert.equal(await promptOf(page), '127.0.0.1:6379[2]> ');
  await run(page, 'MULTI');
  assert.equal(await promptOf(page), '127.0.0.1:6379[2](TX)> ');
  assert.equal(await run(page, 'SET a 1'), 'QUEUED');
  const echoes = page.locator(`${outputOf()} pre.echo`);
  assert.equal(await echoes.last().textContent(), '127.0.0.1:6379[2](TX)> SET a 1');
  assert.equal(await run(page, 'EXEC'), '1) OK');
  assert.equal(await promptOf(page), '127.0.0.1:6379[2]> ');
  await run(page, 'SELECT 0');
  await run(page, 'MULTI');
  assert.equal(await promptOf(page), '127.0.0.1:6379(TX)> ');
  await run(page, 'DISCARD');
  assert.equal(await promptOf(page), '127.0.0.1:6379> ');
  await page.close();
});

test('grey hints show the arguments left to type', async () => {
  const { page } = await openConsole(env);
  const input = inputOf();
  const typeAndHint = async (text) => {
    await page.fill(input, '');
    await page.type(input, text);
    return hintOf(page);
  };
  const set = 'key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]';
  assert.equal(await typeAndHint('set'), ` ${set}`);
  assert.equal(await typeAndHint('set '), set);
  assert.equal(await typeAndHint('set foo '), set.slice(4));
  assert.equal(await typeAndHint('set foo bar EX '), set.slice(10));
  assert.equal(await typeAndHint('ping'), ' [message]');
  assert.equal(await typeAndHint('get a b'), '');
  assert.equal(await typeAndHint('client list'), ' [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]');
  await page.fill(input, 'get');
  assert.equal(await hintOf(page), ' key');
  // The hint starts right after the typed text.
  const typed = await page.locator('.pane[data-pane="1"] .shadow .typed').boundingBox();
  const hint = await page.locator('.pane[data-pane="1"] .shadow .hint').boundingBox();
  assert.ok(Math.abs(hint.x - (typed.x + typed.width)) < 1);
  await screenshot(page, 'hint');
  await page.close();
});

test('Tab cycles through completions; Escape restores the typed line', async () => {
  const { page } = await openConsole(env);
  const input = inputOf();
  await page.fill(input, 'cli');
  await page.press(input, 'Tab');
  assert.equal(await page.inputValue(input), 'CLIENT');
  await page.press(input, 'Tab');
  assert.equal(await page.inputValue(input), 'CLIENT GETNAME');
  await page.press(input, 'Escape');
  assert.equal(await page.inputValue(input), 'cli');
  await page.fill(input, 'client l');
  await page.press(input, 'Tab');
  assert.equal(await page.inputValue(input), 'CLIENT LIST');
  // After the only completion comes the typed line again.
  await page.press(input, 'Tab');
  assert.equal(await page.inputValue(input), 'client l');
  await page.press(input, 'Tab');
  // Typing keeps the completion and goes on from there.
  await page.type(input, ' TYPE normal');
  assert.equal(await page.inputValue(input), 'CLIENT LIST TYPE normal');
  await page.fill(input, 'help @stri');
  await page.press(input, 'Tab');
  assert.equal(await page.inputValue(input), 'help @string');
  await page.fill(input, 'nosuchprefix');
  await page.press(input, 'Tab');
  assert.equal(await page.inputValue(input), 'nosuchprefix');
  await page.close();
});

test('help <command> and help @<group> come from the command table', async () => {
  const { page } = await openConsole(env);
  assert.equal(
    await run(page, 'help get'),
    '\n  GET key\n  summary: Get the value of a key\n  since: 1.0.0\n  group: string\n',
  );
  const bold = page.locator(`${outputOf()} pre.reply .sgr-bold`);
  assert.equal(await bold.last().textContent(), 'GET');
  const group = await run(page, 'HELP @transactions');
  // As in redis-cli, a command without arguments keeps the space before them.
  for (const name of ['DISCARD ', 'EXEC ', 'MULTI ', 'UNWATCH ', 'WATCH key [key ...]']) {
    assert.ok(group.includes(`\n  ${name}\n`), `${name} in help @transactions`);
  }
  assert.ok(!group.includes('group:'));
  assert.match(await run(page, 'help'), /help @<group>/);
  await screenshot(page, 'help');
  await page.close();
});

test('line editing keys of redis-cli: Ctrl-A, Ctrl-E, Ctrl-K, Ctrl-U, Ctrl-P', async () => {
  const { page } = await openConsole(env);
  const input = inputOf();
  await run(page, 'ECHO earlier');
  await page.fill(input, 'CHO abc');
  await page.press(input, 'Control+a');
  await page.keyboard.type('E');
  assert.equal(await page.inputValue(input), 'ECHO abc');
  await page.press(input, 'Control+e');
  await page.keyboard.type('d');
  assert.equal(await page.inputValue(input), 'ECHO abcd');
  for (let i = 0; i < 4; i += 1) await page.press(input, 'Control+b');
  await page.press(input, 'Control+k');
  assert.equal(await page.inputValue(input), 'ECHO ');
  assert.equal(await hintOf(page), 'message');
  await page.press(input, 'Control+u');
  assert.equal(await page.inputValue(input), '');
  await page.press(input, 'Control+p');
  assert.equal(await page.inputValue(input), 'ECHO earlier');
  await page.close();
});

test('clear and Ctrl-L empty the screen', async () => {
  const { page } = await openConsole(env);
  await run(page, 'PING');
  await page.fill(inputOf(), 'clear');
  await page.press(inputOf(), 'Enter');
  await page.waitForFunction((sel) => document.querySelector(sel).childElementCount === 0, outputOf());
  await run(page, 'PING');
  await page.fill(inputOf(), 'ECHO kept');
  await page.press(inputOf(), 'Control+l');
  assert.equal(await page.locator(`${outputOf()} pre`).count(), 0);
  assert.equal(await page.inputValue(inputOf()), 'ECHO kept');
  await page.close();
});

test(':set nohints / :set hints switch the grey hints, as in redis-cli', async () => {
  const { page } = await openConsole(env);
  const input = inputOf();
  await send(page, ':set nohints');
  await page.fill(input, 'get');
  assert.equal(await hintOf(page), '');
  assert.equal(await run(page, ':set foo'), "unknown redis-cli preference 'foo'");
  assert.equal(await run(page, ':nothing'), "unknown redis-cli internal command ':nothing'");
  await send(page, ':set hints');
  await page.fill(input, 'get');
  assert.equal(await hintOf(page), ' key');
  // The lines never reached the engine: it saw no command at all.
  await page.fill(input, '');
  assert.match(await run(page, 'INFO stats'), /total_commands_processed:1\r?\n/);
  await page.close();
});
