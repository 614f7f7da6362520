// Type-checked against the browser entry as bundlers resolve it: no server,
// an optional wasm location; and the docs console element.
import { createNode, type Reply } from 'redplay';
import { defineRedplayConsole, RedplayConsole } from 'redplay/console';

export async function usage(): Promise<Reply> {
  const node = await createNode({ wasm: new URL('https://example.invalid/redplay_bg.wasm') });
  // @ts-expect-error the browser entry has no RESP server
  void (await import('redplay')).startServer;
  const element: RedplayConsole = document.createElement('redplay-console');
  const renamed: typeof RedplayConsole = defineRedplayConsole('docs-console');
  const runs: Promise<void> = element.run();
  void [renamed, runs, element.script, element.clientNames];
  return node.connect().call('PING');
}
