// The package's entry point in browsers and bundlers: the wasm is fetched
// (bundlers emit it as an asset) on the first `createNode`.
import { Engine, type InitInput } from '../redplay.js';
import { RedplayNode, type NodeOptions } from './api.js';
import { loadWasm } from './load-browser.js';

export * from './api.js';

export interface BrowserNodeOptions extends NodeOptions {
  /** Where to load the wasm from, if not next to the package's JS. */
  wasm?: InitInput;
}

/** Creates a node, loading the wasm first if needed. */
export async function createNode(options: BrowserNodeOptions = {}): Promise<RedplayNode> {
  await loadWasm(options.wasm);
  return new RedplayNode(new Engine(), options);
}
