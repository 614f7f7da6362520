// Turns wasm-pack's generated package.json (named after the crate) into the
// npm package `redplay`: name, module entry points and published files.
import { readFile, writeFile } from 'node:fs/promises';

const path = new URL('../wasm/pkg/package.json', import.meta.url);
const generated = JSON.parse(await readFile(path, 'utf8'));
const pkg = {
  name: 'redplay',
  version: generated.version,
  description: 'Redis 7.0 messaging — lists as queues, streams, consumer groups, pub/sub — as WebAssembly, no server needed',
  license: generated.license ?? 'MIT',
  type: 'module',
  main: './redplay.js',
  module: './redplay.js',
  types: './redplay.d.ts',
  exports: {
    '.': { types: './redplay.d.ts', import: './redplay.js' },
    './redplay_bg.wasm': './redplay_bg.wasm',
  },
  files: ['redplay_bg.wasm', 'redplay.js', 'redplay.d.ts', 'redplay_bg.wasm.d.ts'],
  sideEffects: ['./snippets/*'],
  keywords: ['redis', 'wasm', 'streams', 'pubsub', 'queue', 'playground'],
};
await writeFile(path, JSON.stringify(pkg, null, 2) + '\n');
