// The wasm half of `make bench`: loads the wasm-pack build in Node and
// replays workload files written by bench/src/harness.rs (the same RESP
// bytes the native and redis columns run), printing `name=ops_per_sec`.
// Each file holds records: kind byte, u32 little-endian length, bytes.
// Kinds: 0 name, 1 ops, 2 setup batch, 3 subscribers (u32 count + their
// setup bytes), 4 timed batch. Timed batches go through a session 64
// commands at a time; subscriber sessions are drained after each batch.
// Before timing, a warm-up pass replays up to WARMUP_BATCHES timed batches on
// a throwaway engine, so the numbers are for V8's optimized code (it first
// runs wasm through its baseline compiler, then tiers hot functions up), as
// redis-server's numbers are for a warmed-up server.
// REDPLAY_BENCH_CPU=1 prints operations per CPU second of the process instead
// of per wall-clock second (steadier on a busy machine, for before/after runs).
import { readFileSync } from 'node:fs';
import { initSync, Engine } from '../wasm/pkg/redplay.js';

initSync({ module: readFileSync(new URL('../wasm/pkg/redplay_bg.wasm', import.meta.url)) });

function* records(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.length; ) {
    const kind = bytes[at];
    const length = view.getUint32(at + 1, true);
    yield [kind, bytes.subarray(at + 5, at + 5 + length)];
    at += 5 + length;
  }
}

const WARMUP_BATCHES = 4000;
const perCpuSecond = process.env.REDPLAY_BENCH_CPU === '1';

function run(file, warmup) {
  const engine = new Engine();
  const session = engine.openSession(0);
  const decoder = new TextDecoder();
  let name = file;
  let ops = 0;
  let clock = 0;
  const subscribers = [];
  const timed = [];
  for (const [kind, bytes] of records(readFileSync(file))) {
    if (kind === 0) name = decoder.decode(bytes);
    else if (kind === 1) ops = Number(decoder.decode(bytes));
    else if (kind === 2) engine.feedSession(session, bytes, ++clock);
    else if (kind === 3) {
      const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
      for (let i = 0; i < count; i++) {
        const sub = engine.openSession(0);
        engine.feedSession(sub, bytes.subarray(4), 0);
        subscribers.push(sub);
      }
    } else if (kind === 4) timed.push(bytes);
  }
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let written = 0;
  for (const batch of warmup ? timed.slice(0, WARMUP_BATCHES) : timed) {
    written += engine.feedSession(session, batch, ++clock).length;
    for (const sub of subscribers) written += engine.drainSession(sub).length;
  }
  const cpu = process.cpuUsage(cpuStarted);
  const seconds = perCpuSecond ? (cpu.user + cpu.system) / 1e6 : (performance.now() - started) / 1000;
  if (written === 0) throw new Error(`${name}: no replies`);
  engine.free();
  return [name, ops / seconds];
}

for (const file of process.argv.slice(2)) {
  run(file, true);
  const [name, opsPerSec] = run(file, false);
  console.log(`${name}=${opsPerSec.toFixed(0)}`);
}
