// Type-checked (never run) against the package's generated .d.ts files as
// Node resolves them: the node entry with the server.
import { createNode, createNodeSync, startServer, ReplyError, type Reply, type RedplayNode, type Client } from 'redplay';
import { Engine, type ReplyItem } from 'redplay/engine';

export async function usage(): Promise<void> {
  const node: RedplayNode = await createNode({ clock: 'virtual', startTime: 0 });
  const client: Client = node.connect({ protocol: 3 });
  const reply: Reply = await client.call('SET', 'k', new Uint8Array([1]), 5, 6n);
  const text: string = client.line('GET k') + client.text('GET', 'k');
  const stop: () => void = client.onPush((message: Reply) => void message);
  stop();
  node.advance(10);
  const now: number = node.now;
  const sync: RedplayNode = createNodeSync();
  const server = await startServer({ port: 0, requirepass: 'pw' });
  const port: number = server.port;
  await server.close();
  const cluster = await startServer({ port: 0, cluster: { primaries: 3, replicas: 1 } });
  const ports: readonly number[] = cluster.ports;
  await cluster.close();
  // @ts-expect-error a cluster needs its number of primaries
  await startServer({ cluster: { replicas: 1 } });
  const error = new ReplyError('ERR x');
  const code: string = error.code;
  const items: ReplyItem[] = new Engine().takeReplies(1);
  void [reply, text, now, sync, port, ports, code, items];

  // @ts-expect-error arguments are strings, bytes or numbers
  await client.call({});
  // @ts-expect-error the clock is virtual or real
  await createNode({ clock: 'wall' });
  // @ts-expect-error advance takes milliseconds
  node.advance('1s');
}
