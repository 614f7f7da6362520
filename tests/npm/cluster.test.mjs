// The RESP server's cluster mode: every virtual node on its own port, the
// ports it really listens on announced in MOVED and CLUSTER SLOTS/SHARDS/
// NODES, so cluster-aware clients (redis-cli -c, ioredis Cluster) follow
// them. Where a real Redis Cluster can answer the same (redis-server 7.0
// nodes joined by redis-cli --cluster create), both must give the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { freePortBlock, redisCli, redplayServe, redplay, sleep, startRedisCluster } from './lib.mjs';

const { startServer } = await redplay();

let ours;
let real;
before(async () => {
  const block = await freePortBlock(3);
  ours = await startServer({ cluster: { primaries: 3 }, port: block[0] });
  real = await startRedisCluster(await freePortBlock(3, block));
});
after(async () => {
  await Promise.all([ours?.close(), real?.close()]);
});

/** Node `i`'s port written as `P<i>`, so outputs of the two clusters compare. */
function portsNamed(text, ports) {
  return ports.reduce((t, port, i) => t.replaceAll(String(port), `P${i}`), text);
}

test('startServer({ cluster, port: 0 }): free ports, announced in CLUSTER SLOTS, NODES and MOVED', async () => {
  const server = await startServer({ cluster: { primaries: 3, replicas: 1 }, port: 0 });
  try {
    const { ports } = server;
    assert.equal(ports.length, 6);
    assert.equal(server.port, ports[0]);
    assert.equal(new Set(ports).size, 6);
    const slots = (await redisCli(ports[1], ['CLUSTER', 'SLOTS'])).trim().split('\n');
    // Each range: first, last, then host, port, id and (empty) metadata of the primary, then of its replica.
    const announced = [];
    for (let i = 0; i < slots.length; i += 10) announced.push([slots[i], slots[i + 1], Number(slots[i + 3]), Number(slots[i + 7])]);
    assert.deepEqual(announced, [
      ['0', '5460', ports[0], ports[4]],
      ['5461', '10922', ports[1], ports[5]],
      ['10923', '16383', ports[2], ports[3]],
    ]);
    const nodes = await redisCli(ports[0], ['CLUSTER', 'NODES']);
    for (const port of ports) assert.match(nodes, new RegExp(` 127\\.0\\.0\\.1:${port}@${port + 10000} `));
    assert.match(await redisCli(ports[2], ['CLUSTER', 'SHARDS']), new RegExp(`\nport\n${ports[2]}\n`));
    // "foo" hashes to slot 12182, the third primary's.
    assert.equal((await redisCli(ports[0], ['SET', 'foo', 'bar'])).trim(), `MOVED 12182 127.0.0.1:${ports[2]}`);
    assert.equal(await redisCli(ports[0], ['-c', 'SET', 'foo', 'bar']), 'OK\n');
    // The write reached the replica of the third primary (node 3).
    assert.equal(await redisCli(ports[3], [], 'READONLY\nGET foo\n'), 'OK\nbar\n');
    // A failover swaps roles; the ports stay the real ones.
    assert.equal(await redisCli(ports[3], ['CLUSTER', 'FAILOVER']), 'OK\n');
    assert.equal((await redisCli(ports[0], ['GET', 'foo'])).trim(), `MOVED 12182 127.0.0.1:${ports[3]}`);
  } finally {
    await server.close();
  }
});

test('redis-cli -c follows redirections as against a real cluster', async () => {
  const script = [
    'SET foo bar',
    'GET foo',
    'SET a 1',
    'INCR a',
    'MSET {user1}.name ann {user1}.mail a@x',
    'MGET {user1}.name {user1}.mail',
    'MGET a foo',
    'RPUSH q j1 j2',
    'LPOP q',
    'XADD s 1-1 f v',
    'XRANGE s - +',
    'PUBLISH news hi',
    'SPUBLISH news hi',
    'CLUSTER KEYSLOT foo',
    'GET foo',
    '',
  ].join('\n');
  const [mine, theirs] = await Promise.all([
    redisCli(ours.ports[0], ['-c'], script),
    redisCli(real.ports[0], ['-c'], script),
  ]);
  assert.match(theirs, /-> Redirected to slot \[12182\] located at 127\.0\.0\.1:/);
  assert.equal(portsNamed(mine, ours.ports), portsNamed(theirs, real.ports));
});

/** An ioredis Cluster client on `ports[0]`, closed after `body`. */
async function withCluster(ports, body) {
  const clients = [];
  const make = async (options = {}) => {
    const c = new Redis.Cluster([{ host: '127.0.0.1', port: ports[0] }], { shardedSubscribers: true, ...options });
    clients.push(c);
    await new Promise((resolve, reject) => {
      c.once('ready', resolve);
      c.once('error', reject);
    });
    return c;
  };
  try {
    return await body(make);
  } finally {
    for (const c of clients) c.disconnect();
  }
}

/** Runs `scenario` with ioredis Cluster clients on both clusters. */
async function both(scenario) {
  const mine = await withCluster(ours.ports, scenario);
  const theirs = await withCluster(real.ports, scenario);
  return { mine, theirs };
}

test('ioredis Cluster: keys on every shard, hash tags, pipelines, CROSSSLOT', async () => {
  const { mine, theirs } = await both(async (make) => {
    const c = await make();
    const keys = Array.from({ length: 60 }, (_, i) => `key:${i}`);
    await Promise.all(keys.map((k, i) => c.set(k, String(i))));
    const values = await Promise.all(keys.map((k) => c.get(k)));
    const slots = new Set(await Promise.all(keys.map((k) => c.cluster('KEYSLOT', k))));
    const tagged = [await c.mset('{order:7}.total', '12', '{order:7}.items', '3'), await c.mget('{order:7}.total', '{order:7}.items')];
    const piped = await c.pipeline().incr('{n}a').incr('{n}a').get('{n}a').exec();
    const crossslot = await c.mget('key:1', 'key:2').catch((e) => e.message);
    const deleted = await Promise.all(keys.map((k) => c.del(k)));
    return { values, slots: slots.size > 40, tagged, piped, crossslot, deleted: deleted.reduce((a, b) => a + b, 0) };
  });
  assert.equal(theirs.values[59], '59');
  assert.match(theirs.crossslot, /CROSSSLOT/);
  assert.deepEqual(mine, theirs);
});

test('ioredis Cluster: PUBLISH reaches subscribers on any node; SPUBLISH the shard channel subscribers', async () => {
  const { mine, theirs } = await both(async (make) => {
    const sub = await make();
    const pub = await make();
    const got = [];
    sub.on('message', (channel, message) => got.push(['message', channel, message]));
    sub.on('smessage', (channel, message) => got.push(['smessage', channel, message]));
    await sub.subscribe('news');
    await sub.ssubscribe('orders:{eu}');
    await sleep(100);
    // PUBLISH counts the publishing node's own subscribers, and ioredis sends
    // it to a random node: only SPUBLISH's count is the same every time.
    await pub.publish('news', 'classic');
    // The classic message travels over the cluster bus and reaches the
    // subscriber on another connection than the sharded one: wait for it
    // (up to 2 s), or a real cluster may deliver the SPUBLISH first.
    for (let waited = 0; got.length === 0 && waited < 2000; waited += 10) await sleep(10);
    const receivers = [await pub.spublish('orders:{eu}', 'sharded'), await pub.spublish('orders:{us}', 'nobody')];
    await sleep(200);
    return { receivers, got };
  });
  assert.deepEqual(theirs.receivers, [1, 0]);
  assert.deepEqual(theirs.got, [
    ['message', 'news', 'classic'],
    ['smessage', 'orders:{eu}', 'sharded'],
  ]);
  assert.deepEqual(mine, theirs);
});

test('ioredis Cluster: BLPOP served by a push from another client, and a blocking timeout', async () => {
  const { mine, theirs } = await both(async (make) => {
    const a = await make();
    const b = await make();
    await a.del('jobs');
    const waiting = a.blpop('jobs', 0);
    await sleep(100);
    await b.rpush('jobs', 'j1', 'j2');
    return { served: await waiting, timedOut: await a.brpop('empty', 0.2), left: await b.lrange('jobs', 0, -1) };
  });
  assert.deepEqual(theirs.served, ['jobs', 'j1']);
  assert.deepEqual(mine, theirs);
});

test('npx redplay serve --cluster-primaries 3 --cluster-replicas 1 --port P serves nodes on P..P+5', async () => {
  const ports = await freePortBlock(6, [...ours.ports, ...real.ports]);
  const server = await redplayServe(['--cluster-primaries', '3', '--cluster-replicas', '1', '--port', String(ports[0]), '--requirepass', 'pw']);
  try {
    assert.match(server.ready, new RegExp(`cluster \\(wasm\\) of 6 nodes ready on 127\\.0\\.0\\.1 ports ${ports[0]}-${ports[5]}`));
    const out = await redisCli(ports[1], ['-c', '-a', 'pw', '--no-auth-warning'], 'SET foo bar\nGET foo\nCLUSTER INFO\n');
    assert.match(out, new RegExp(`^-> Redirected to slot \\[12182\\] located at 127\\.0\\.0\\.1:${ports[2]}\nOK\nbar\ncluster_state:ok`));
    assert.match(out, /cluster_known_nodes:6/);
    assert.match(await redisCli(ports[5], ['GET', 'foo']), /^NOAUTH/);
  } finally {
    server.stop();
  }
});

test('cluster flags are checked', async () => {
  await assert.rejects(redplayServe(['--cluster-replicas', '1']), /exited with 2/);
  await assert.rejects(redplayServe(['--cluster-primaries', '0']), /exited with 2/);
  await assert.rejects(startServer({ cluster: { primaries: 2 }, port: 0, host: '::1' }), /127\.0\.0\.1 only/);
});
