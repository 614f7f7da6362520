// The packed tarball, installed into fresh projects as a user would: a Node
// project (ESM and CommonJS scripts, the `redplay serve` bin), a Vite project
// built and opened in Debian's Chromium, and docs pages embedding
// <redplay-console> (bundled by Vite, and a plain static page with one script
// tag). Only the npm registry is used (for vite, normally from npm's cache).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, PKG, ROOT, freePort, redisCli, redplayServe } from './lib.mjs';
import { consoleScreens, launchBrowser, screenshot } from '../lib/browser.mjs';
import { serveStatic } from '../../scripts/serve.mjs';

let work;
let tarball;
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'redplay-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work, fileURLToPath(PKG)]);
  const [info] = JSON.parse(stdout);
  tarball = join(work, info.filename);
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function project(name, packageJson) {
  const dir = join(work, name);
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, ...packageJson }, null, 2));
  return dir;
}

test('the tarball holds the package files and nothing else', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout.trim().split('\n').map((f) => f.replace(/^package\//, '')).sort();
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'redplay_bg.wasm', 'redplay.js', 'redplay.d.ts', 'dist/node.js', 'dist/node.d.ts', 'dist/browser.js', 'dist/browser.d.ts', 'dist/cli.js', 'dist/server.js', 'dist/console.js', 'dist/console.d.ts', 'dist/console/node.js']) {
    assert.ok(files.includes(needed), `${needed} is packed`);
  }
  assert.ok(!files.some((f) => f.startsWith('src/') || f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript sources');
  const pkg = JSON.parse(await readFile(new URL('package.json', PKG), 'utf8'));
  assert.equal(pkg.name, 'redplay');
  assert.equal(pkg.license, 'MIT');
  assert.equal(pkg.bin.redplay, './dist/cli.js');
});

test('a fresh Node project: ESM import, CommonJS require, and the redplay bin', async () => {
  const dir = await project('node-app', { version: '1.0.0' });
  await run('npm', ['install', ...NPM_FLAGS, tarball], { cwd: dir });
  await writeFile(
    join(dir, 'esm.mjs'),
    `import { createNode, ReplyError } from 'redplay';
const node = await createNode();
const c = node.connect({ protocol: 3 });
const out = [await c.call('SET', 'k', 'v'), await c.call('GET', 'k'), c.line('INCR n')];
try { await c.call('INCR', 'k'); } catch (e) { out.push(e instanceof ReplyError, e.message); }
console.log(JSON.stringify(out));`,
  );
  await writeFile(
    join(dir, 'cjs.cjs'),
    `const { createNodeSync, startServer } = require('redplay');
const net = require('node:net');
(async () => {
  const c = createNodeSync().connect();
  const local = await c.call('ECHO', 'from-cjs');
  const server = await startServer({ port: 0 });
  const socket = net.connect(server.port, '127.0.0.1', () => socket.write('PING\\r\\n'));
  socket.once('data', async (d) => {
    console.log(JSON.stringify([local, d.toString()]));
    socket.destroy();
    await server.close();
  });
})();`,
  );
  const esm = JSON.parse((await run('node', ['esm.mjs'], { cwd: dir })).stdout);
  assert.deepEqual(esm.slice(0, 3), ['OK', 'v', '(integer) 1\n']);
  assert.equal(esm[3], true);
  assert.match(esm[4], /^ERR value is not an integer/);
  const cjs = JSON.parse((await run('node', ['cjs.cjs'], { cwd: dir })).stdout);
  assert.deepEqual(cjs, ['from-cjs', '+PONG\r\n']);

  const port = await freePort();
  const server = await redplayServe(['--port', String(port)], dir);
  try {
    assert.equal((await redisCli(port, ['ECHO', 'installed'])).trim(), 'installed');
  } finally {
    server.stop();
  }
});

test('a fresh Vite project builds and its page runs commands in Chromium', async () => {
  const rootPkg = JSON.parse(await readFile(new URL('package.json', ROOT), 'utf8'));
  const dir = await project('vite-app', { type: 'module', version: '1.0.0' });
  await run('npm', ['install', ...NPM_FLAGS, tarball, `vite@${rootPkg.devDependencies.vite}`], { cwd: dir });
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><html><body><pre id="out">loading</pre><script type="module" src="/main.js"></script></body></html>',
  );
  await writeFile(
    join(dir, 'main.js'),
    `import { createNode } from 'redplay';
const node = await createNode();
const a = node.connect();
const b = node.connect({ protocol: 3 });
const pushed = [];
b.onPush((m) => pushed.push(m));
await b.call('SUBSCRIBE', 'ch');
const result = {
  set: await a.call('SET', 'k', 'v'),
  get: await a.call('GET', 'k'),
  line: a.line('MSET x 1 y 2'),
  text: a.text('MGET', 'x', 'y'),
  receivers: await a.call('PUBLISH', 'ch', 'hi'),
  pushed,
  map: (await b.call('HELLO', '3')) instanceof Map,
};
document.getElementById('out').textContent = JSON.stringify(result);`,
  );
  await run(join(dir, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: dir });
  const server = await serveStatic(join(dir, 'dist'), 0);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('out').textContent !== 'loading', null, { timeout: 15_000 });
    await screenshot(page, 'npm-vite-app');
    const result = JSON.parse(await page.textContent('#out'));
    assert.deepEqual(errors, []);
    assert.deepEqual(result, {
      set: 'OK',
      get: 'v',
      line: 'OK\n',
      text: '1) "1"\n2) "2"\n',
      receivers: 1,
      pushed: [['message', 'ch', 'hi']],
      map: true,
    });
  } finally {
    await browser.close();
    await server.close();
  }
});

// A docs page's demos: a single-client console, a multi-client one
// (subscriber and publisher side by side), two consoles sharing a node and
// one with its own node of the same keys.
const DOCS_BODY = `
<redplay-console id="single" autorun>
  RPUSH q a b
  LPOP q
</redplay-console>
<redplay-console id="multi" clients="sub pub" autorun>
  sub> SUBSCRIBE news
  pub> PUBLISH news "hello"
</redplay-console>
<redplay-console id="writer" node="shared" autorun>
  SET counter 10
</redplay-console>
<redplay-console id="alone">
  INCR counter
</redplay-console>
<redplay-console id="reader" node="shared">
  INCR counter
</redplay-console>`;

const P = '127.0.0.1:6379>';

/** Opens a docs page, runs its demos and checks every console printed what redis-cli would. */
async function checkDocsPage(url, name) {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // Failed loads are checked by URL (the browser asks for a favicon).
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
    await page.goto(url);
    for (const id of ['single', 'multi', 'writer']) await page.waitForSelector(`#${id}[data-runs="1"]`, { timeout: 15_000 });
    for (const id of ['alone', 'reader']) {
      await page.click(`#${id} button.run`);
      await page.waitForSelector(`#${id}[data-runs="1"]`);
    }
    await screenshot(page, name);
    assert.deepEqual(await consoleScreens(page, 'single'), { '': `${P} RPUSH q a b\n(integer) 2\n${P} LPOP q\n"a"` });
    const multi = await consoleScreens(page, 'multi');
    assert.equal(multi.pub, `${P} PUBLISH news "hello"\n(integer) 1`);
    assert.equal(multi.sub, `${P} SUBSCRIBE news\nReading messages... (press Ctrl-C to quit)\n1) "subscribe"\n2) "news"\n3) (integer) 1\n1) "message"\n2) "news"\n3) "hello"`);
    // `node="shared"`: the reader sees the writer's key; the console without it does not.
    assert.deepEqual(await consoleScreens(page, 'reader'), { '': `${P} INCR counter\n(integer) 11` });
    assert.deepEqual(await consoleScreens(page, 'alone'), { '': `${P} INCR counter\n(integer) 1` });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
}

test('docs consoles: `import "redplay/console"` in a fresh Vite project', async () => {
  const rootPkg = JSON.parse(await readFile(new URL('package.json', ROOT), 'utf8'));
  const dir = await project('vite-docs', { type: 'module', version: '1.0.0' });
  await run('npm', ['install', ...NPM_FLAGS, tarball, `vite@${rootPkg.devDependencies.vite}`], { cwd: dir });
  await writeFile(join(dir, 'index.html'), `<!doctype html><html><body>${DOCS_BODY}<script type="module" src="/main.js"></script></body></html>`);
  await writeFile(join(dir, 'main.js'), `import 'redplay/console';\n`);
  await run(join(dir, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: dir });
  const server = await serveStatic(join(dir, 'dist'), 0);
  try {
    await checkDocsPage(server.url, 'npm-vite-docs');
  } finally {
    await server.close();
  }
});

test('docs consoles: one script tag in a plain static page, the wasm loaded from next to the module', async () => {
  const dir = await project('static-docs', { version: '1.0.0' });
  await run('npm', ['install', ...NPM_FLAGS, tarball], { cwd: dir });
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'">
<script type="module" src="./node_modules/redplay/dist/console.js"></script>
</head><body>${DOCS_BODY}</body></html>`,
  );
  const server = await serveStatic(dir, 0);
  try {
    await checkDocsPage(server.url, 'npm-static-docs');
  } finally {
    await server.close();
  }
});
