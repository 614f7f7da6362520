// The package's entry point in Node: the node API, loaded synchronously, and
// the RESP server.
import { RedplayNode, type NodeOptions } from './api.js';
import { loadEngine } from './load-node.js';

export * from './api.js';
export { startServer, type ServerOptions, type RunningServer } from './server.js';

/** Creates a node (the same call as in browsers). */
export async function createNode(options: NodeOptions = {}): Promise<RedplayNode> {
  return createNodeSync(options);
}

/** Creates a node without awaiting: in Node the wasm loads synchronously. */
export function createNodeSync(options: NodeOptions = {}): RedplayNode {
  return new RedplayNode(loadEngine(), options);
}
