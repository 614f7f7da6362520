// The wasm half of `make bench`: loads the wasm-pack build in Node and runs
// the same workloads as bench/src/main.rs, printing `name=ops_per_sec` lines.
// Commands go in as pipelined RESP, 64 per batch, through a session — the
// same shape as `redis-benchmark -P 64` sends to redis-server.
import { readFile } from 'node:fs/promises';
import { initSync, Engine } from '../wasm/pkg/redplay.js';

const ops = Number(process.argv[2] ?? 1_000_000);
const PIPELINE = 64;
const KEYSPACE = 100_000;
initSync({ module: await readFile(new URL('../wasm/pkg/redplay_bg.wasm', import.meta.url)) });

const key = (i) => `key:${String(Number((BigInt(i) * 2654435761n) % BigInt(KEYSPACE))).padStart(12, '0')}`;

const workloads = {
  SET: (i) => ['SET', key(i), 'xxx'],
  GET: (i) => ['GET', key(i)],
  INCR: (i) => ['INCR', key(i)],
  'MSET (10 keys)': (i) => {
    const argv = ['MSET'];
    for (let k = 0; k < 10; k++) argv.push(key(i * 10 + k), 'xxx');
    return argv;
  },
};

const encoder = new TextEncoder();
function encode(argv) {
  let text = `*${argv.length}\r\n`;
  for (const arg of argv) text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return text;
}

for (const [name, build] of Object.entries(workloads)) {
  const engine = new Engine();
  const session = engine.openSession(0);
  // Requests are encoded before timing starts, as redis-benchmark prepares its buffers.
  const batches = [];
  for (let i = 0; i < ops; i += PIPELINE) {
    let text = '';
    for (let j = i; j < Math.min(i + PIPELINE, ops); j++) text += encode(build(j));
    batches.push(encoder.encode(text));
  }
  const started = performance.now();
  let bytes = 0;
  for (let b = 0; b < batches.length; b++) {
    bytes += engine.feedSession(session, batches[b], b).length;
  }
  const seconds = (performance.now() - started) / 1000;
  if (bytes === 0) throw new Error(`${name}: no replies`);
  console.log(`${name}=${(ops / seconds).toFixed(0)}`);
  engine.free();
}
