// The package's entry point in browsers and bundlers: the wasm is fetched
// (bundlers emit it as an asset) on the first `createNode`.
import init, { Engine, type InitInput } from '../redplay.js';
import { RedplayNode, type NodeOptions } from './api.js';

export * from './api.js';

export interface BrowserNodeOptions extends NodeOptions {
  /** Where to load the wasm from, if not next to the package's JS. */
  wasm?: InitInput;
}

let loading: Promise<unknown> | undefined;

/** Creates a node, loading the wasm first if needed. */
export async function createNode(options: BrowserNodeOptions = {}): Promise<RedplayNode> {
  loading ??= init(options.wasm === undefined ? undefined : { module_or_path: options.wasm });
  await loading;
  return new RedplayNode(new Engine(), options);
}
