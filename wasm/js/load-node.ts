// Loads the wasm in Node from the package's own file with `initSync`: no
// fetch of a file URL, and synchronous, so `require('redplay')` works too.
import { readFileSync } from 'node:fs';
import { Engine, initSync } from '../redplay.js';

let loaded = false;

/** Compiles and instantiates the wasm module, once. */
export function loadWasm(): void {
  if (loaded) return;
  initSync({ module: readFileSync(new URL('../redplay_bg.wasm', import.meta.url)) });
  loaded = true;
}

/** A new engine (one node). */
export function loadEngine(): Engine {
  loadWasm();
  return new Engine();
}
