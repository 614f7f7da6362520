// A RESP server for Node: redis-cli, ioredis, node-redis or redis-py connect
// to it as to Redis. Each TCP connection is one engine session (the engine
// decodes requests and encodes replies); after anything happens, every
// session's new output is written, so pub/sub messages and released blocking
// commands reach their sockets as they happen.
import { createServer, type Server, type Socket } from 'node:net';
import { loadEngine } from './load-node.js';

export interface ServerOptions {
  /** TCP port; 0 picks a free one (see the returned `port`). Default 6379. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Required to listen on an address other than loopback. */
  allowRemote?: boolean;
  /** Clients must AUTH with this password (the `default` user's), as with Redis's `requirepass`. */
  requirepass?: string;
}

export interface RunningServer {
  /** The port the server listens on. */
  readonly port: number;
  readonly host: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Starts a RESP2/RESP3 server over a fresh engine. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !options.allowRemote) {
    throw new Error(`refusing to listen on ${host}: only loopback unless allowRemote (--allow-remote) is given`);
  }
  const engine = loadEngine();
  if (options.requirepass) {
    const admin = engine.connect(Date.now());
    engine.callAll(admin, ['CONFIG', 'SET', 'requirepass', options.requirepass], Date.now());
    engine.disconnect(admin);
  }
  const sockets = new Map<number, Socket>();
  // Every connection, including those whose session already ended and whose
  // socket is still closing: `close()` destroys them all.
  const connections = new Set<Socket>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt: number | undefined;

  // Writes what every session has waiting and ends sockets whose session
  // closed (QUIT, CLIENT KILL, protocol error); then re-arms the timer for
  // the next blocking timeout.
  const flushAll = () => {
    for (const [id, socket] of sockets) {
      const out = engine.drainSession(id);
      if (out.length > 0) socket.write(out);
      if (engine.sessionClosed(id)) closeSocket(id, socket);
    }
    const at = engine.nextDeadline();
    if (at === timerAt) return;
    clearTimeout(timer);
    timerAt = at;
    timer = undefined;
    if (at !== undefined) {
      timer = setTimeout(() => {
        timerAt = undefined;
        engine.advance(Date.now());
        flushAll();
      }, Math.max(0, at - Date.now()));
    }
  };

  const closeSocket = (id: number, socket: Socket) => {
    sockets.delete(id);
    engine.closeSession(id);
    socket.end();
  };

  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    connections.add(socket);
    const id = engine.openSession(Date.now());
    sockets.set(id, socket);
    socket.on('data', (chunk: Buffer) => {
      if (!sockets.has(id)) return;
      try {
        const out = engine.feedSession(id, chunk, Date.now());
        if (out.length > 0) socket.write(out);
        flushAll();
      } catch (error) {
        // An engine fault must cost this connection, never the process.
        console.error(`redplay: closing connection ${id}:`, error);
        sockets.delete(id);
        socket.destroy();
      }
    });
    socket.on('close', () => {
      connections.delete(socket);
      if (sockets.delete(id)) {
        engine.closeSession(id);
        flushAll();
      }
    });
    // A peer resetting the connection is routine; the close handler cleans up.
    socket.on('error', () => {});
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 6379, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 6379);

  return {
    port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(timer);
        for (const id of sockets.keys()) engine.closeSession(id);
        sockets.clear();
        for (const socket of connections) socket.destroy();
        server.close(() => {
          engine.free();
          resolve();
        });
      }),
  };
}
