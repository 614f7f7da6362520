// The wasm half of `make bench`: loads the wasm-pack build in Node and runs
// the same workloads as bench/src/main.rs through Engine.call, printing
// `name=ops_per_sec` lines.
import { readFile } from 'node:fs/promises';
import { initSync, Engine } from '../wasm/pkg/redplay.js';

const ops = Number(process.argv[2] ?? 1_000_000);
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

for (const [name, build] of Object.entries(workloads)) {
  const engine = new Engine();
  const client = engine.connect(0);
  const commands = Array.from({ length: ops }, (_, i) => build(i));
  const started = performance.now();
  for (let i = 0; i < ops; i++) {
    try {
      engine.call(client, commands[i], i / 1000);
    } catch {
      // Errors (e.g. INCR on a non-integer) still count as served commands.
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`${name}=${(ops / seconds).toFixed(0)}`);
  engine.free();
}
