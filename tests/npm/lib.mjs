// Shared helpers for the npm tests: the built package, a redplay RESP server
// (in this process or as `npx redplay serve`), a real redis-server (or
// cluster of them) as the oracle, and redis-cli.
import { before, after } from 'node:test';
import { spawn, execFile } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = new URL('../../', import.meta.url);
export const PKG = new URL('wasm/pkg/', ROOT);
export const run = promisify(execFile);

/** The package as installed in the repository (root dependency file:wasm/pkg). */
export const redplay = () => import('redplay');

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether `port` and its cluster bus port (+10000) can be listened on now. */
async function portFree(port) {
  for (const p of [port, port + 10000]) {
    const server = createServer();
    const ok = await new Promise((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(p, '127.0.0.1', () => resolve(true));
    });
    if (!ok) return false;
    await new Promise((resolve) => server.close(resolve));
  }
  return true;
}

/**
 * `count` consecutive free ports (with free bus ports +10000) from the
 * cluster tests' range 7400-7499, skipping `avoid` (a block being handed out).
 */
export async function freePortBlock(count, avoid = []) {
  for (let base = 7400; base + count <= 7500; base++) {
    const block = Array.from({ length: count }, (_, i) => base + i);
    if (block.some((p) => avoid.includes(p))) continue;
    let free = true;
    for (const p of block) if (!(free = await portFree(p))) break;
    if (free) return block;
  }
  throw new Error(`no ${count} free consecutive ports in 7400-7499`);
}

/** Starts redplay's server in this process. */
export async function startRedplay(options = {}) {
  const { startServer } = await redplay();
  return startServer({ port: 0, ...options });
}

/** Starts a private redis-server 7.0 (the oracle); `close()` stops it. */
export async function startRedis({ requirepass } = {}) {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'redplay-oracle-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (requirepass) args.push('--requirepass', requirepass);
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await run('redis-cli', ['-p', String(port), '--no-auth-warning', 'PING']);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    async close() {
      child.kill();
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts redplay's server and a redis-server before the file's tests and
 * stops both after them. `pair.ours` and `pair.real` are the servers then;
 * `pair.both(scenario)` runs `scenario(port)` on each in turn.
 */
export function serverPair() {
  const pair = {
    ours: undefined,
    real: undefined,
    async both(scenario) {
      const mine = await scenario(pair.ours.port);
      const theirs = await scenario(pair.real.port);
      return { mine, theirs };
    },
  };
  before(async () => {
    [pair.ours, pair.real] = await Promise.all([startRedplay(), startRedis()]);
  });
  after(async () => {
    await Promise.all([pair.ours?.close(), pair.real?.close()]);
  });
  return pair;
}

/**
 * Runs `npx --no-install redplay serve ...args` in `cwd` until its ready
 * line; `stop()` ends it (with the shell npx runs it through: its own
 * process group).
 */
export async function redplayServe(args, cwd = fileURLToPath(ROOT)) {
  const child = spawn('npx', ['--no-install', 'redplay', 'serve', ...args], { cwd, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`redplay serve exited with ${code}`)));
  });
  return {
    ready,
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

/**
 * A real Redis Cluster (the oracle): `primaries` redis-servers on `ports`
 * joined by `redis-cli --cluster create`, ready when every node says
 * cluster_state:ok. `close()` stops them.
 */
export async function startRedisCluster(ports) {
  const dir = await mkdtemp(join(tmpdir(), 'redplay-oracle-cluster-'));
  const children = ports.map((port) =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
      { stdio: 'ignore' },
    ),
  );
  const close = async () => {
    for (const child of children) child.kill();
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await Promise.all(ports.map((p) => redisCli(p, ['PING'])))).every((o) => o.trim() === 'PONG'));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitFor(async () => (await Promise.all(ports.map((p) => redisCli(p, ['CLUSTER', 'INFO'])))).every((o) => o.includes('cluster_state:ok')));
  } catch (error) {
    await close();
    throw error;
  }
  return { ports, close };
}

async function waitFor(check, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(100);
  }
}

/** Runs redis-cli with `args` (stdin from `input`) and returns its stdout. */
export function redisCli(port, args, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', ['-p', String(port), ...args]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', () => resolve(out + err));
    // redis-cli may exit before reading its input (nothing listening yet).
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/**
 * Sends raw bytes on a new connection and collects everything the server
 * writes until it closes the connection or `quietMs` pass without data.
 */
export function rawExchange(port, bytes, quietMs = 300) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const chunks = [];
    let timer;
    const finish = (closed) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    };
    socket.on('connect', () => {
      socket.write(bytes);
      arm();
    });
    socket.on('data', (d) => {
      chunks.push(d);
      arm();
    });
    socket.on('close', () => finish(true));
    socket.on('error', (e) => (e.code === 'ECONNRESET' ? finish(true) : reject(e)));
  });
}

/**
 * Whether core implements `command` yet (families land one by one): tests
 * of a family not yet in core are skipped, with the reason shown.
 */
export async function coreHas(command) {
  const { createNodeSync } = await redplay();
  const node = createNodeSync();
  const [info] = await node.connect().call('COMMAND', 'INFO', command);
  node.close();
  return info !== null;
}

/** `test`'s skip option for a family that needs `command`. */
export async function needs(command, family) {
  return (await coreHas(command)) ? false : `${family} not in core yet`;
}
