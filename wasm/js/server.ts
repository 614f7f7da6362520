// A RESP server for Node: redis-cli, ioredis, node-redis or redis-py connect
// to it as to Redis. Each TCP connection is one engine session (the engine
// decodes requests and encodes replies). After a read, the connection that
// sent it gets its replies, then only the sessions the engine reports ready
// (a pub/sub message, a released blocking command, a killed client) are
// written to, so a read costs the same however many clients are connected.
//
// In cluster mode every virtual node of a simulated cluster listens on its
// own port (`port`, `port + 1`, ... or free ports with `port: 0`) and
// announces the ports it really listens on, so cluster-aware clients
// (`redis-cli -c`, ioredis `Cluster`) follow redirections to them.
import { createServer, type Server, type Socket } from 'node:net';
import { ClusterEngine } from '../redplay.js';
import { loadEngine, loadWasm } from './load-node.js';

export interface ClusterOptions {
  /** Primaries; the slots are split among them as `redis-cli --cluster create` does. */
  primaries: number;
  /** Replicas per primary (default 0). */
  replicas?: number;
}

export interface ServerOptions {
  /**
   * TCP port; 0 picks a free one (see the returned `port`). Default 6379.
   * In cluster mode node `i` listens on `port + i` (on free ports with 0).
   */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Required to listen on an address other than loopback. */
  allowRemote?: boolean;
  /** Clients must AUTH with this password (the `default` user's), as with Redis's `requirepass`. */
  requirepass?: string;
  /** Serve a simulated Redis Cluster instead of one node. */
  cluster?: ClusterOptions;
}

export interface RunningServer {
  /** The port the server listens on (in cluster mode, the first node's). */
  readonly port: number;
  /** Every node's port, in node order (one port without `cluster`). */
  readonly ports: readonly number[];
  readonly host: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** Where cluster nodes say they are (MOVED, CLUSTER SLOTS): the engine's fixed host. */
const CLUSTER_HOST = '127.0.0.1';

/** What the server needs of an engine: `Engine` (one node) and `ClusterEngine` both have it. */
interface SessionEngine {
  feedSession(id: number, bytes: Uint8Array, now: number): Uint8Array;
  drainSession(id: number): Uint8Array;
  sessionClosed(id: number): boolean;
  closeSession(id: number): void;
  readySessions(): Uint32Array;
  nextDeadline(): number | undefined;
  advance(now: number): void;
  free(): void;
}

/** Starts a RESP2/RESP3 server over a fresh engine (or cluster of engines). */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !options.allowRemote) {
    throw new Error(`refusing to listen on ${host}: only loopback unless allowRemote (--allow-remote) is given`);
  }
  const basePort = options.port ?? 6379;
  let engine: SessionEngine;
  let nodes: number;
  let open: (node: number) => number | undefined;
  if (options.cluster) {
    if (host !== CLUSTER_HOST) throw new Error(`cluster mode listens on ${CLUSTER_HOST} only: its nodes announce that address`);
    const { primaries, replicas = 0 } = options.cluster;
    if (!Number.isInteger(primaries) || primaries < 1 || !Number.isInteger(replicas) || replicas < 0) {
      throw new RangeError('cluster needs a whole number of primaries (at least 1) and of replicas per primary');
    }
    nodes = primaries * (replicas + 1);
    if (basePort !== 0 && basePort + nodes - 1 > 65535) throw new RangeError(`${nodes} nodes from port ${basePort} run past 65535`);
    loadWasm();
    const cluster = new ClusterEngine(primaries, replicas, Date.now());
    engine = cluster;
    open = (node) => cluster.openSession(node, Date.now());
  } else {
    const single = loadEngine();
    engine = single;
    nodes = 1;
    open = () => single.openSession(Date.now());
  }
  if (options.requirepass) {
    for (let node = 0; node < nodes; node++) {
      const admin = open(node);
      if (admin === undefined) continue;
      engine.feedSession(admin, encodeCommand(['CONFIG', 'SET', 'requirepass', options.requirepass]), Date.now());
      engine.closeSession(admin);
    }
  }

  const sockets = new Map<number, Socket>();
  // Every connection, including those whose session already ended and whose
  // socket is still closing: `close()` destroys them all.
  const connections = new Set<Socket>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt: number | undefined;

  const closeSocket = (id: number, socket: Socket) => {
    sockets.delete(id);
    engine.closeSession(id);
    socket.end();
  };

  // Writes what the ready sessions have waiting and ends sockets whose
  // session closed (QUIT, CLIENT KILL, protocol error); then re-arms the
  // timer for the next blocking timeout.
  const flushReady = () => {
    for (const id of engine.readySessions()) {
      const socket = sockets.get(id);
      if (!socket) continue;
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
        flushReady();
      }, Math.max(0, at - Date.now()));
    }
  };

  const accept = (node: number) => (socket: Socket) => {
    // Replies go out as one write per read (the engine encodes all of a
    // read's replies into one buffer), so there is nothing to cork; Nagle's
    // delay would only hold back a reply a client waits for.
    socket.setNoDelay(true);
    socket.on('error', () => {}); // a peer resetting the connection is routine; 'close' cleans up
    const id = open(node);
    if (id === undefined) {
      socket.destroy();
      return;
    }
    connections.add(socket);
    sockets.set(id, socket);
    socket.on('data', (chunk: Buffer) => {
      if (!sockets.has(id)) return;
      try {
        const out = engine.feedSession(id, chunk, Date.now());
        if (out.length > 0) socket.write(out);
        // A session that closed itself (QUIT, protocol error) is among the ready ones.
        flushReady();
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
        flushReady();
      }
    });
  };

  const servers: Server[] = [];
  const ports: number[] = [];
  const stopListening = () => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  try {
    for (let node = 0; node < nodes; node++) {
      const server = createServer(accept(node));
      servers.push(server);
      ports.push(await listen(server, basePort === 0 ? 0 : basePort + node, host));
    }
  } catch (error) {
    await stopListening();
    engine.free();
    throw error;
  }
  if (engine instanceof ClusterEngine) engine.announcePorts(Uint16Array.from(ports));

  return {
    port: ports[0],
    ports,
    host,
    close: async () => {
      clearTimeout(timer);
      for (const id of sockets.keys()) engine.closeSession(id);
      sockets.clear();
      for (const socket of connections) socket.destroy();
      await stopListening();
      engine.free();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** A command as a RESP array of bulk strings. */
function encodeCommand(args: string[]): Uint8Array {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}
