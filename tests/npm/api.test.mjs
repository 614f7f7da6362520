// The package's JS API in Node: values, errors, text, pushes and the clock.
// Expected values come from the engine's own answers through a second path
// (redis-cli text vs JS values) or from redis-server where they depend on Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNode, createNodeSync, ReplyError } from 'redplay';
import { startRedis, redisCli, needs } from './lib.mjs';

const lists = await needs('blpop', 'lists');
const streams = await needs('xreadgroup', 'streams');

test('call returns JS values and rejects with ReplyError carrying Redis text', async () => {
  const node = await createNode();
  const a = node.connect();
  assert.equal(await a.call('SET', 'k', 'v'), 'OK');
  assert.equal(await a.call('GET', 'k'), 'v');
  assert.equal(await a.call('GET', 'missing'), null);
  assert.equal(await a.call('INCRBY', 'n', 40), 40);
  assert.equal(await a.call('INCRBY', 'n', 2n), 42);
  assert.deepEqual(await a.call('MGET', 'k', 'missing', 'n'), ['v', null, '42']);
  const real = await startRedis();
  try {
    await redisCli(real.port, ['SET', 'k', 'v']);
    const expected = (await redisCli(real.port, ['INCR', 'k'])).trim();
    const error = await a.call('INCR', 'k').catch((e) => e);
    assert.ok(error instanceof ReplyError && error instanceof Error);
    assert.equal(error.message, expected);
    assert.equal(error.code, expected.split(' ')[0]);
  } finally {
    await real.close();
  }
  node.close();
});

test('arguments and replies are binary-safe', async () => {
  const node = createNodeSync();
  const a = node.connect();
  const bytes = new Uint8Array([0, 255, 13, 10, 128, 1]);
  await a.call('SET', new Uint8Array([107, 0, 1]), bytes);
  const back = await a.call('GET', new Uint8Array([107, 0, 1]));
  assert.ok(back instanceof Uint8Array, 'invalid UTF-8 comes back as bytes');
  assert.deepEqual([...back], [...bytes]);
  assert.equal(await a.call('STRLEN', new Uint8Array([107, 0, 1])), bytes.length);
  await a.call('SET', 'é', '✓');
  assert.equal(await a.call('GET', 'é'), '✓');
});

test('RESP3 clients get maps, sets, doubles and booleans', async () => {
  const node = createNodeSync();
  const a = node.connect({ protocol: 3 });
  const hello = await a.call('HELLO', '3');
  assert.ok(hello instanceof Map);
  assert.equal(hello.get('proto'), 3);
  assert.equal(hello.get('id'), a.id);
  const config = await a.call('CONFIG', 'GET', 'maxmemory-policy');
  assert.ok(config instanceof Map);
  assert.equal(config.get('maxmemory-policy'), 'noeviction');
  assert.equal(await a.call('INCRBYFLOAT', 'f', '1.5'), '1.5');
  // The same commands in RESP2 give flat arrays.
  const b = node.connect();
  assert.deepEqual(await b.call('CONFIG', 'GET', 'maxmemory-policy'), ['maxmemory-policy', 'noeviction']);
});

test('text and line give what redis-cli prints', async () => {
  const node = createNodeSync();
  const a = node.connect();
  const real = await startRedis();
  try {
    for (const line of ['SET k "a b"', 'GET k', 'MSET x 1 y 2', 'MGET x y nope', 'INCR k', 'EXISTS x y']) {
      const expected = await redisCli(real.port, ['--no-raw'], line + '\n');
      assert.equal(a.line(line), expected, line);
    }
    assert.equal(a.text('MGET', 'x', 'nope'), await redisCli(real.port, ['--no-raw', 'MGET', 'x', 'nope']));
  } finally {
    await real.close();
  }
});

test('MULTI/EXEC: queued replies and errors inside EXEC', async () => {
  const node = createNodeSync();
  const a = node.connect();
  assert.equal(await a.call('MULTI'), 'OK');
  assert.equal(await a.call('SET', 's', 'x'), 'QUEUED');
  assert.equal(await a.call('INCR', 's'), 'QUEUED');
  const [set, incr] = await a.call('EXEC');
  assert.equal(set, 'OK');
  assert.ok(incr instanceof ReplyError);
  assert.match(incr.message, /^ERR value is not an integer/);
});

test('onPush receives pub/sub messages; subscribe resolves with its confirmation', async () => {
  const node = createNodeSync();
  const sub = node.connect();
  const pub = node.connect();
  const got = [];
  const stop = sub.onPush((m) => got.push(m));
  assert.deepEqual(await sub.call('SUBSCRIBE', 'news', 'sport'), ['subscribe', 'news', 1]);
  assert.deepEqual(got, [['subscribe', 'sport', 2]]);
  assert.equal(await pub.call('PUBLISH', 'news', 'hello'), 1);
  assert.deepEqual(got.at(-1), ['message', 'news', 'hello']);
  await sub.call('PSUBSCRIBE', 'n*');
  assert.equal(await pub.call('PUBLISH', 'news', 'again'), 2);
  assert.deepEqual(got.slice(-2), [['message', 'news', 'again'], ['pmessage', 'n*', 'news', 'again']]);
  stop();
  await pub.call('PUBLISH', 'news', 'unheard');
  assert.equal(got.length, 4, 'nothing reaches a removed listener');
  // RESP3: messages arrive as pushes, and commands still answer in between.
  const r3 = node.connect({ protocol: 3 });
  const pushes = [];
  r3.onPush((m) => pushes.push(m));
  await r3.call('SUBSCRIBE', 'news');
  // sub still listens on news and n*, r3 on news.
  assert.equal(await r3.call('PUBLISH', 'news', 'to-self'), 3);
  assert.equal(await r3.call('SET', 'still', 'works'), 'OK');
  assert.deepEqual(pushes, [['message', 'news', 'to-self']]);
});

test('blocking list pops wait for a push or the virtual clock', { skip: lists }, async () => {
  const node = createNodeSync({ startTime: 1_000_000 });
  const a = node.connect();
  const b = node.connect();
  const waiting = a.call('BLPOP', 'q', '2');
  let settled = false;
  waiting.then(() => (settled = true));
  node.advance(1999);
  await Promise.resolve();
  assert.equal(settled, false);
  node.advance(1);
  assert.equal(await waiting, null);
  const served = a.call('BLPOP', 'q', '0');
  assert.equal(await b.call('RPUSH', 'q', 'job'), 1);
  assert.deepEqual(await served, ['q', 'job']);
});

test('XREADGROUP BLOCK waits and is served by XADD; timeouts follow advance()', { skip: streams }, async () => {
  const node = createNodeSync({ startTime: 5_000 });
  const a = node.connect();
  const b = node.connect();
  await a.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
  const read = a.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
  const id = await b.call('XADD', 's', '*', 'f', 'v');
  assert.match(id, /^\d+-\d+$/);
  assert.deepEqual(await read, [['s', [[id, ['f', 'v']]]]]);
  const timed = a.call('XREAD', 'BLOCK', '100', 'STREAMS', 's', '$');
  node.advance(100);
  assert.equal(await timed, null);
  assert.deepEqual(await a.call('XPENDING', 's', 'g', '-', '+', '10'), [[id, 'c', 100, 1]]);
  node.advance(250);
  const [[, , idle]] = await a.call('XPENDING', 's', 'g', '-', '+', '10');
  assert.equal(idle, 350, 'idle time follows the virtual clock');
});

test('keys expire on the virtual clock', async () => {
  const node = createNodeSync();
  const a = node.connect();
  await a.call('SET', 'k', 'v', 'PX', '500');
  node.advance(499);
  assert.equal(await a.call('GET', 'k'), 'v');
  node.advance(1);
  assert.equal(await a.call('GET', 'k'), null);
  assert.throws(() => node.advance(-1), RangeError);
});

test('the real clock fires blocking timeouts on a timer', { skip: streams }, async () => {
  const node = createNodeSync({ clock: 'real' });
  const a = node.connect();
  const started = Date.now();
  assert.equal(await a.call('XREAD', 'BLOCK', '120', 'STREAMS', 's', '$'), null);
  assert.ok(Date.now() - started >= 100);
  assert.throws(() => node.advance(10), /virtual clock/);
  node.close();
});

test('closing a client rejects what it waits for', { skip: streams }, async () => {
  const node = createNodeSync();
  const a = node.connect();
  const read = a.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
  a.close();
  await assert.rejects(read, ReplyError);
  await assert.rejects(a.call('PING'), /closed/);
});
