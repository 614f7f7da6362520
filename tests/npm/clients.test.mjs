// ioredis and node-redis against redplay's server, each scenario also run
// against redis-server 7.0: both must give the clients the same results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { startRedplay, startRedis, needs, serverPair, sleep } from './lib.mjs';

const lists = await needs('blpop', 'lists');
const streams = await needs('xreadgroup', 'streams');

const pair = serverPair();
/** Runs `scenario(port)` against both servers and returns both results. */
const both = (scenario) => pair.both(scenario);

// ---------------------------------------------------------------- ioredis

async function withIoredis(port, body, options = {}) {
  const clients = [];
  const make = (extra = {}) => {
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1, ...options, ...extra });
    clients.push(c);
    return c;
  };
  try {
    return await body(make);
  } finally {
    for (const c of clients) c.disconnect();
  }
}

test('ioredis: strings, keys, expiry', async () => {
  const { mine, theirs } = await both((port) =>
    withIoredis(port, async (make) => {
      const r = make();
      await r.flushall();
      return [
        await r.set('k', 'v'),
        await r.get('k'),
        await r.set('k', 'w', 'NX'),
        await r.incrby('n', 5),
        await r.mset({ a: '1', b: '2' }),
        await r.mget('a', 'b', 'zz'),
        await r.expire('a', 100),
        await r.ttl('a'),
        await r.exists('a', 'b', 'zz'),
        await r.type('k'),
        await r.incr('k').catch((e) => `error: ${e.message}`),
        (await r.getBuffer('k')).toString('hex'),
        await r.del('a', 'b'),
      ];
    }),
  );
  assert.equal(theirs[1], 'v');
  assert.deepEqual(mine, theirs);
});

test('ioredis: pipelining and MULTI/EXEC, WATCH', async () => {
  const { mine, theirs } = await both((port) =>
    withIoredis(port, async (make) => {
      const r = make();
      const other = make();
      await r.flushall();
      const piped = await r.pipeline().set('p', '1').incr('p').get('p').incr('nope-string-ok').exec();
      const tx = await r.multi().set('t', 'x').append('t', 'yz').get('t').exec();
      await r.watch('w');
      await other.set('w', 'changed');
      const aborted = await r.multi().set('w', 'mine').exec();
      const many = await Promise.all(Array.from({ length: 200 }, (_, i) => r.set(`m${i}`, String(i))));
      return { piped, tx, aborted, many: many.length, dbsize: await r.dbsize(), w: await r.get('w') };
    }),
  );
  assert.equal(theirs.aborted, null);
  assert.deepEqual(mine, theirs);
});

test('ioredis: RESP3-free pub/sub with patterns', async () => {
  const { mine, theirs } = await both((port) =>
    withIoredis(port, async (make) => {
      const sub = make();
      const pub = make();
      const got = [];
      sub.on('message', (channel, message) => got.push(['message', channel, message]));
      sub.on('pmessage', (pattern, channel, message) => got.push(['pmessage', pattern, channel, message]));
      const count = await sub.subscribe('news', 'sport');
      await sub.psubscribe('n*');
      const receivers = [await pub.publish('news', 'a'), await pub.publish('sport', 'b'), await pub.publish('none', 'c')];
      await sleep(100);
      await sub.unsubscribe('news');
      await pub.publish('news', 'after');
      await sleep(100);
      return { count, receivers, got };
    }),
  );
  assert.equal(theirs.got.length, 5);
  assert.deepEqual(mine, theirs);
});

test('ioredis: blocking BLPOP served by another connection, and timeouts', { skip: lists }, async () => {
  const { mine, theirs } = await both((port) =>
    withIoredis(port, async (make) => {
      const a = make();
      const b = make();
      await a.del('q');
      const waiting = a.blpop('q', 0);
      await sleep(50);
      await b.rpush('q', 'job1', 'job2');
      const first = await waiting;
      const timedOut = await a.brpop('empty', 0.1);
      return { first, timedOut, left: await b.lrange('q', 0, -1) };
    }),
  );
  assert.deepEqual(theirs.first, ['q', 'job1']);
  assert.deepEqual(mine, theirs);
});

test('ioredis: streams with consumer groups and blocking XREADGROUP', { skip: streams }, async () => {
  const { mine, theirs } = await both((port) =>
    withIoredis(port, async (make) => {
      const a = make();
      const b = make();
      await a.del('ev');
      await a.xgroup('CREATE', 'ev', 'workers', '$', 'MKSTREAM');
      const blocked = a.xreadgroup('GROUP', 'workers', 'alice', 'BLOCK', 0, 'STREAMS', 'ev', '>');
      await sleep(50);
      await b.xadd('ev', '1-1', 'type', 'signup');
      await b.xadd('ev', '1-2', 'type', 'login');
      const firstRead = await blocked;
      const second = await b.xreadgroup('GROUP', 'workers', 'bob', 'COUNT', 10, 'STREAMS', 'ev', '>');
      const acked = await a.xack('ev', 'workers', '1-1');
      const pending = await a.xpending('ev', 'workers');
      const claimed = await b.xclaim('ev', 'workers', 'bob', 0, '1-1', '1-2');
      const info = await a.xinfo('GROUPS', 'ev');
      return { firstRead, second, acked, pending, claimed, info, len: await a.xlen('ev') };
    }),
  );
  assert.deepEqual(theirs.firstRead, [['ev', [['1-1', ['type', 'signup']]]]]);
  assert.deepEqual(mine, theirs);
});

test('ioredis: requirepass with the password option, and NOAUTH without it', async () => {
  const [mineServer, realServer] = await Promise.all([startRedplay({ requirepass: 'pw' }), startRedis({ requirepass: 'pw' })]);
  try {
    const results = [];
    for (const port of [mineServer.port, realServer.port]) {
      results.push(
        await withIoredis(port, async (make) => {
          const good = make({ password: 'pw' });
          const bare = make({ enableOfflineQueue: true });
          return [await good.set('k', 'v'), await good.get('k'), await bare.get('k').catch((e) => e.message)];
        }),
      );
    }
    assert.match(results[1][2], /NOAUTH/);
    assert.deepEqual(results[0], results[1]);
  } finally {
    await Promise.all([mineServer.close(), realServer.close()]);
  }
});

// -------------------------------------------------------------- node-redis

async function withNodeRedis(port, body, options = {}) {
  const clients = [];
  const make = async (extra = {}) => {
    const c = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, ...options, ...extra });
    c.on('error', () => {});
    await c.connect();
    clients.push(c);
    return c;
  };
  try {
    return await body(make);
  } finally {
    for (const c of clients) await c.quit().catch(() => c.destroy());
  }
}

test('node-redis: strings, keys, transactions, pipelining', async () => {
  const { mine, theirs } = await both((port) =>
    withNodeRedis(port, async (make) => {
      const r = await make();
      await r.flushAll();
      const tx = await r.multi().set('a', '1').incrBy('a', 9).get('a').exec();
      const piped = await Promise.all([r.set('x', 'y'), r.get('x'), r.append('x', 'z'), r.strLen('x')]);
      return {
        tx,
        piped,
        setGet: await r.set('s', 'v', { GET: true }),
        mget: await r.mGet(['a', 'x', 'none']),
        expire: [await r.pExpire('x', 10_000), (await r.pTTL('x')) > 9000],
        keys: (await r.keys('*')).sort(),
        err: await r.incr('x').catch((e) => e.message),
      };
    }),
  );
  assert.equal(theirs.tx.at(-1), '10');
  assert.deepEqual(mine, theirs);
});

test('node-redis: pub/sub on a dedicated connection', async () => {
  const { mine, theirs } = await both((port) =>
    withNodeRedis(port, async (make) => {
      const sub = await make();
      const pub = await make();
      const got = [];
      await sub.subscribe('alerts', (message, channel) => got.push([channel, message]));
      await sub.pSubscribe('al*', (message, channel) => got.push(['p', channel, message]));
      const receivers = await pub.publish('alerts', 'fire');
      await sleep(100);
      await sub.unsubscribe('alerts');
      await sub.pUnsubscribe('al*');
      return { receivers, got, numsub: await pub.pubSubNumSub('alerts') };
    }),
  );
  assert.equal(theirs.receivers, 2);
  assert.deepEqual(mine, theirs);
});

test('node-redis: blocking pops and consumer groups', { skip: lists || streams }, async () => {
  const { mine, theirs } = await both((port) =>
    withNodeRedis(port, async (make) => {
      const a = await make();
      const b = await make();
      await a.del(['jobs', 'st']);
      const waiting = a.blPop('jobs', 0);
      await sleep(50);
      await b.lPush('jobs', 'j');
      const popped = await waiting;
      await b.xGroupCreate('st', 'g', '0', { MKSTREAM: true });
      await b.xAdd('st', '7-1', { f: 'v' });
      const read = await b.xReadGroup('g', 'c', { key: 'st', id: '>' });
      return { popped, read, pending: await b.xPending('st', 'g') };
    }),
  );
  assert.deepEqual(theirs.popped, { key: 'jobs', element: 'j' });
  assert.deepEqual(mine, theirs);
});

test('node-redis: RESP3 (protocol 3) replies keep their types', { skip: streams }, async () => {
  const { mine, theirs } = await both((port) =>
    withNodeRedis(
      port,
      async (make) => {
        const r = await make();
        await r.flushAll();
        await r.xAdd('s', '1-1', { a: '1' });
        return { info: await r.xInfoStream('s'), cfg: await r.configGet('maxmemory-policy') };
      },
      { RESP: 3 },
    ),
  );
  assert.equal(theirs.info.length, 1);
  assert.deepEqual(mine, theirs);
});
