// redplay's RESP server against a real redis-server 7.0: the same redis-cli
// sessions and raw bytes go to both, and what comes back must be the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startRedplay, startRedis, redisCli, rawExchange, freePort, needs, serverPair, redplayServe } from './lib.mjs';

const lists = await needs('blpop', 'lists');
const streams = await needs('xreadgroup', 'streams');

const pair = serverPair();

/** Pipes `script` into redis-cli (one connection) on both servers. */
async function bothCli(script, args = []) {
  const [mine, theirs] = await Promise.all([redisCli(pair.ours.port, args, script), redisCli(pair.real.port, args, script)]);
  return { mine, theirs };
}

const SESSIONS = {
  strings: `FLUSHALL\nSET k v\nGET k\nAPPEND k 123\nSTRLEN k\nINCR n\nINCRBY n 41\nINCRBYFLOAT f 1.5\nMSET a 1 b 2\nMGET a b nope\nSET k v NX\nGETDEL k\nINCR a x\n`,
  keys: `FLUSHALL\nSET a 1\nSET b 2\nEXPIRE a 100\nTTL a\nPERSIST a\nTTL a\nEXISTS a b c\nTYPE a\nRENAME a c\nDEL b c\nKEYS *\nDBSIZE\n`,
  transactions: `FLUSHALL\nMULTI\nSET x 1\nINCR x\nXADD x 1-1 f v\nEXEC\nWATCH x\nMULTI\nINCR x\nEXEC\nMULTI\nNOSUCH\nEXEC\nDISCARD\n`,
  lists: `FLUSHALL\nRPUSH q a b c\nLPUSH q z\nLRANGE q 0 -1\nLPOP q 2\nRPOPLPUSH q r\nLLEN q\nLINDEX r 0\nBLPOP q 1\nLMOVE r q LEFT RIGHT\nLPOS q c\nSET s x\nLPUSH s y\n`,
  streams: `FLUSHALL\nXADD s 1-1 f v\nXADD s 2-1 g w\nXLEN s\nXRANGE s - +\nXGROUP CREATE s g 0\nXREADGROUP GROUP g alice COUNT 1 STREAMS s >\nXPENDING s g\nXACK s g 1-1\nXREADGROUP GROUP g bob STREAMS s >\nXINFO GROUPS s\nXADD s 1-0 x y\nXREAD STREAMS s 0\n`,
  pubsubCounts: `PUBLISH nobody hi\nPUBSUB NUMSUB nobody\nPUBSUB CHANNELS\n`,
};

const SKIP = { lists, streams };

for (const [name, script] of Object.entries(SESSIONS)) {
  test(`redis-cli session (${name}) prints the same as redis-server`, { skip: SKIP[name] }, async () => {
    const { mine, theirs } = await bothCli(script);
    assert.ok(theirs.split('\n').length >= script.split('\n').length - 1, 'the oracle answered every line');
    assert.equal(mine, theirs);
  });
}

test('RESP3 through redis-cli -3 prints the same types', { skip: lists || streams }, async () => {
  const script = `FLUSHALL\nRPUSH l a b\nXADD s 1-1 f v\nXINFO STREAM s\nCONFIG GET maxmemory-policy\nXRANGE s - +\n`;
  const { mine, theirs } = await bothCli(script, ['-3']);
  assert.match(theirs, /maxmemory-policy/);
  assert.equal(mine, theirs);
});

/** Starts a redis-cli on both servers that waits (BLPOP, SUBSCRIBE...), runs `trigger`, and returns what each printed. */
async function waitingCli(args, trigger, settleMs = 300) {
  const run = (port) =>
    new Promise((resolve) => {
      const child = spawn('redis-cli', ['-p', String(port), ...args]);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      setTimeout(async () => {
        await trigger(port);
        setTimeout(() => {
          child.kill();
          resolve(out);
        }, settleMs);
      }, settleMs);
    });
  const [mine, theirs] = await Promise.all([run(pair.ours.port), run(pair.real.port)]);
  return { mine, theirs };
}

test('a blocked BLPOP is served when another connection pushes', { skip: lists }, async () => {
  await bothCli('DEL jobs\n');
  const { mine, theirs } = await waitingCli(['BLPOP', 'jobs', '0'], (port) => redisCli(port, ['RPUSH', 'jobs', 'j1']));
  assert.equal(theirs, 'jobs\nj1\n');
  assert.equal(mine, theirs);
});

test('a blocked XREADGROUP is served when another connection adds an entry', { skip: streams }, async () => {
  await bothCli('DEL ev\nXGROUP CREATE ev g $ MKSTREAM\n');
  const args = ['XREADGROUP', 'GROUP', 'g', 'c1', 'BLOCK', '0', 'STREAMS', 'ev', '>'];
  const { mine, theirs } = await waitingCli(args, (port) => redisCli(port, ['XADD', 'ev', '5-1', 'k', 'v']));
  assert.match(theirs, /5-1/);
  assert.equal(mine, theirs);
});

test('blocking timeouts fire on the server clock', { skip: streams }, async () => {
  const started = Date.now();
  const useStreams = Boolean(lists);
  const { mine, theirs } = await bothCli(useStreams ? 'XREAD BLOCK 300 STREAMS none $\nXREAD BLOCK 200 STREAMS none $\n' : 'BLPOP none 0.3\nBRPOP none 0.2\n');
  assert.ok(Date.now() - started >= 300, 'both waited for their timeouts');
  assert.equal(mine, theirs);
});

test('pub/sub messages are pushed to a subscribed redis-cli as they are published', async () => {
  const publish = async (port) => {
    await redisCli(port, ['PUBLISH', 'news', 'first']);
    await redisCli(port, ['PUBLISH', 'other', 'ignored']);
    await redisCli(port, ['PUBLISH', 'news', 'second']);
  };
  const { mine, theirs } = await waitingCli(['SUBSCRIBE', 'news'], publish);
  assert.match(theirs, /first[\s\S]*second/);
  assert.equal(mine, theirs);
  const patterns = await waitingCli(['PSUBSCRIBE', 'n*'], publish);
  assert.match(patterns.theirs, /pmessage/);
  assert.equal(patterns.mine, patterns.theirs);
});

test('--requirepass: NOAUTH, AUTH, HELLO AUTH texts as redis-server --requirepass', async () => {
  const [mine, theirs] = await Promise.all([startRedplay({ requirepass: 'sesame' }), startRedis({ requirepass: 'sesame' })]);
  try {
    const script = 'PING\nGET k\nHELLO 3\nAUTH nope\nAUTH default nope\nAUTH sesame\nSET k v\nGET k\nRESET\nGET k\n';
    const helloAuth = ['--no-auth-warning', '-a', 'sesame', 'GET', 'k'];
    for (const [args, input] of [[[], script], [helloAuth, ''], [['--no-auth-warning', '-a', 'wrong', 'PING'], '']]) {
      const [a, b] = await Promise.all([redisCli(mine.port, args, input), redisCli(theirs.port, args, input)]);
      assert.match(b, /NOAUTH|WRONGPASS|v/);
      assert.equal(a, b);
    }
    // HELLO's map carries a connection id, so only the shape is compared.
    const [a, b] = await Promise.all(
      [mine.port, theirs.port].map((port) => redisCli(port, ['HELLO', '3', 'AUTH', 'default', 'sesame'])),
    );
    const shape = (text) => text.replace(/\nid \d+\n/, '\nid N\n');
    assert.equal(shape(a), shape(b));
  } finally {
    await Promise.all([mine.close(), theirs.close()]);
  }
});

const MALFORMED = {
  'bad bulk length': '*1\r\n$x\r\n',
  'bad multibulk length': '*abc\r\n',
  'multibulk count over the limit': '*2147483648\r\n',
  'bulk over proto-max-bulk-len': '*1\r\n$536870913\r\n',
  'missing $': '*1\r\nPING\r\n',
  'unbalanced quotes inline': 'SET "a b\r\n',
  'pipelined, then garbage': 'PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$-5\r\n',
  'negative multibulk is ignored': '*-1\r\nPING\r\n',
  'empty inline lines': '\r\n\r\nPING\r\n',
};

for (const [name, bytes] of Object.entries(MALFORMED)) {
  test(`malformed RESP (${name}) gets redis-server's reply and connection state`, async () => {
    const [mine, theirs] = await Promise.all([rawExchange(pair.ours.port, bytes), rawExchange(pair.real.port, bytes)]);
    assert.ok(theirs.data.length > 0, 'the oracle answered');
    assert.deepEqual(mine, theirs);
  });
}

test('random bytes never crash the server (brief fuzz)', async () => {
  const seeds = [];
  for (let i = 0; i < 150; i++) {
    // Mix valid-looking RESP fragments with noise so the decoder gets deep.
    const parts = ['*', '$', '\r\n', '3', '-1', 'PING', 'SET', '*2\r\n$3\r\nGET\r\n', '99999999999', '\0', ' "', '\\x'];
    let text = '';
    const n = 1 + (i % 12);
    for (let j = 0; j < n; j++) {
      text += Math.random() < 0.5 ? parts[Math.floor(Math.random() * parts.length)] : randomBytes(1 + (j % 7)).toString('latin1');
    }
    seeds.push(Buffer.from(text, 'latin1'));
  }
  for (let i = 0; i < seeds.length; i += 15) {
    await Promise.all(seeds.slice(i, i + 15).map((bytes) => rawExchange(pair.ours.port, bytes, 60)));
  }
  assert.equal((await redisCli(pair.ours.port, ['PING'])).trim(), 'PONG');
  assert.equal((await redisCli(pair.ours.port, ['SET', 'after-fuzz', 'ok'])).trim(), 'OK');
});

test('npx --no-install redplay serve works from the repository root', async () => {
  const port = await freePort();
  const server = await redplayServe(['--port', String(port)]);
  try {
    assert.equal((await redisCli(port, ['PING'])).trim(), 'PONG');
    assert.equal((await redisCli(port, ['SET', 'k', 'v'])).trim(), 'OK');
    assert.equal((await redisCli(port, ['GET', 'k'])).trim(), 'v');
  } finally {
    server.stop();
  }
});

test('serve refuses a non-loopback address without --allow-remote', async () => {
  const { startServer } = await import('redplay');
  await assert.rejects(startServer({ port: 0, host: '0.0.0.0' }), /allowRemote/);
});
