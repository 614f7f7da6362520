// Loads the wasm in Node from the package's own file with `initSync`: no
// fetch of a file URL, and synchronous, so `require('redplay')` works too.
import { readFileSync } from 'node:fs';
import { Engine, initSync } from '../redplay.js';

let loaded = false;

/** A new engine; the wasm module is compiled on first use. */
export function loadEngine(): Engine {
  if (!loaded) {
    initSync({ module: readFileSync(new URL('../redplay_bg.wasm', import.meta.url)) });
    loaded = true;
  }
  return new Engine();
}
