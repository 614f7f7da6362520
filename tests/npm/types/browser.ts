// Type-checked against the browser entry as bundlers resolve it: no server,
// an optional wasm location.
import { createNode, type Reply } from 'redplay';

export async function usage(): Promise<Reply> {
  const node = await createNode({ wasm: new URL('https://example.invalid/redplay_bg.wasm') });
  // @ts-expect-error the browser entry has no RESP server
  void (await import('redplay')).startServer;
  return node.connect().call('PING');
}
