// Shared helpers for the npm tests: the built package, a redplay RESP server,
// a real redis-server as the oracle, and redis-cli.
import { spawn, execFile } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
