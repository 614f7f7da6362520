// Loads the wasm in browsers and bundlers, once per page: the JS API
// (browser.ts) and the consoles (console.ts) share it, so one module
// instance serves both (bundlers emit the .wasm as an asset).
import init, { type InitInput } from '../redplay.js';

let loading: Promise<unknown> | undefined;

/** Fetches and instantiates the wasm on the first call; `wasm` overrides where from. */
export function loadWasm(wasm?: InitInput): Promise<unknown> {
  loading ??= init(wasm === undefined ? undefined : { module_or_path: wasm });
  return loading;
}
