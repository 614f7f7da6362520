// The JavaScript API of the `redplay` package: a node (one Redis instance in
// WebAssembly) and its clients. Entry points (browser.ts, node.ts) load the
// wasm and hand an `Engine` to `RedplayNode`; everything here is independent
// of how the wasm was loaded.
import type { Engine, ReplyItem } from '../redplay.js';

/** A command argument: bytes, or a string sent as UTF-8; numbers are sent in decimal. */
export type Arg = string | Uint8Array | number | bigint;

/**
 * A reply as a JS value. Simple and bulk strings are strings (a `Uint8Array`
 * when the bytes are not UTF-8), integers are numbers (`bigint` beyond 2^53),
 * nil is `null`, arrays are arrays, and RESP3 adds `Map`, `Set`, doubles
 * (numbers) and booleans. Errors nested in arrays (EXEC) are `ReplyError`s.
 */
export type Reply =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | ReplyError
  | Reply[]
  | Map<Reply, Reply>
  | Set<Reply>;

/** An error reply from the engine, carrying Redis's exact text as its message. */
export class ReplyError extends Error {
  /** The error code: the first word of the text (`ERR`, `WRONGTYPE`, `NOAUTH`...). */
  readonly code: string;

  constructor(text: string) {
    super(text);
    this.name = 'ReplyError';
    this.code = text.split(' ', 1)[0] ?? '';
  }
}

/** How a node keeps time. */
export interface NodeOptions {
  /**
   * `virtual` (default): time moves only when `advance` is called, so
   * expiries and blocking timeouts are deterministic in tests. `real`:
   * `Date.now()`, with a timer firing blocking timeouts as they fall due.
   */
  clock?: 'virtual' | 'real';
  /** The virtual clock's start, in ms since the epoch (default `Date.now()`). */
  startTime?: number;
}

export interface ConnectOptions {
  /** Switch the new client to RESP3 (HELLO 3), so maps, sets, doubles and booleans keep their type. */
  protocol?: 2 | 3;
}

/** A listener for replies that arrive without a command waiting for them. */
export type PushListener = (message: Reply) => void;

/**
 * One Redis 7.0 instance. Create it with `createNode()` from the package
 * entry point. (A cluster of nodes will build on the same type.)
 */
export class RedplayNode {
  readonly #engine: Engine;
  readonly #real: boolean;
  #virtualNow: number;
  readonly #clients = new Map<number, Client>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt: number | undefined;

  constructor(engine: Engine, options: NodeOptions = {}) {
    this.#engine = engine;
    this.#real = options.clock === 'real';
    this.#virtualNow = options.startTime ?? Date.now();
  }

  /** The node's current time in ms since the epoch. */
  get now(): number {
    return this.#real ? Date.now() : this.#virtualNow;
  }

  /** The engine behind the node, for what the API here does not cover. */
  get engine(): Engine {
    return this.#engine;
  }

  /**
   * Moves the virtual clock forward by `ms`: keys expire and blocked
   * clients whose timeout passed get their timeout reply.
   */
  advance(ms: number): void {
    if (this.#real) throw new Error('advance() needs a node created with the virtual clock');
    if (!(ms >= 0)) throw new RangeError('advance() takes a non-negative number of milliseconds');
    this.#virtualNow += ms;
    this.#engine.advance(this.#virtualNow);
    this.deliver();
  }

  /** Connects a new client. */
  connect(options: ConnectOptions = {}): Client {
    const id = this.#engine.connect(this.now);
    const client = new Client(this, this.#engine, id);
    this.#clients.set(id, client);
    if (options.protocol === 3) this.#engine.callAll(id, ['HELLO', '3'], this.now);
    return client;
  }

  /** Disconnects every client and frees the engine's memory. */
  close(): void {
    clearTimeout(this.#timer);
    for (const client of [...this.#clients.values()]) client.close();
    this.#engine.free();
  }

  /** @internal Hands out replies that arrived for any client, then re-arms the timeout timer. */
  deliver(): void {
    for (const client of this.#clients.values()) client.takeArrived();
    if (this.#real) this.#armTimer();
  }

  /** @internal */
  forget(id: number): void {
    this.#clients.delete(id);
  }

  #armTimer(): void {
    const at = this.#engine.nextDeadline();
    if (at === this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = undefined;
    if (at === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timerAt = undefined;
      this.#engine.advance(Date.now());
      this.deliver();
    }, Math.max(0, at - Date.now()));
  }
}

interface Waiter {
  resolve: (reply: Reply) => void;
  reject: (error: ReplyError) => void;
}

/** One client connection to a node. */
export class Client {
  readonly #node: RedplayNode;
  readonly #engine: Engine;
  /** The client's id, as CLIENT ID reports it. */
  readonly id: number;
  readonly #waiting: Waiter[] = [];
  readonly #listeners = new Set<PushListener>();
  #closed = false;

  /** @internal Use `node.connect()`. */
  constructor(node: RedplayNode, engine: Engine, id: number) {
    this.#node = node;
    this.#engine = engine;
    this.id = id;
  }

  /**
   * Runs a command given as its arguments and resolves with its reply, or
   * rejects with a `ReplyError`. A blocking command (BLPOP, XREAD BLOCK...)
   * resolves when another client's write or the clock releases it.
   */
  call(...args: Arg[]): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const argv = this.#argv(args);
      const wasWaiting = this.#waiting.length > 0;
      const items = this.#engine.callAll(this.id, argv, this.#node.now);
      if (wasWaiting || items.length === 0) {
        this.#waiting.push({ resolve, reject });
      } else {
        // The command's own reply is its first non-push reply (a RESP3
        // message to itself may come first); subscribe confirmations are
        // all pushes, so then the first one answers.
        const own = items.findIndex((item) => !item.push);
        const index = own === -1 ? 0 : own;
        items.forEach((item, i) => {
          if (i === index) settle({ resolve, reject }, item.value);
          else this.#emit(convert(item.value));
        });
      }
      this.#node.deliver();
    });
  }

  /** Runs a command and returns its replies as redis-cli prints them on a terminal. */
  text(...args: Arg[]): string {
    const output = this.#engine.callText(this.id, this.#argv(args), this.#node.now);
    this.#node.deliver();
    return output;
  }

  /**
   * Runs a line as typed at a redis-cli prompt (`SET k "a b"`, `3 INCR n`)
   * and returns what redis-cli prints. A blocked command prints nothing
   * here; its reply reaches `onPush` listeners when it arrives.
   */
  line(text: string): string {
    const result = this.#engine.runLine(this.id, text, this.#node.now);
    const output = result.output;
    result.free();
    this.#node.deliver();
    return output;
  }

  /**
   * Calls `listener` with every reply that arrives without a command waiting
   * for it: pub/sub messages (`['message', channel, payload]`), further
   * subscribe confirmations, RESP3 pushes. Returns a function that removes it.
   */
  onPush(listener: PushListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Disconnects the client; commands still waiting reject. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine.disconnect(this.id);
    this.#node.forget(this.id);
    for (const waiter of this.#waiting.splice(0)) waiter.reject(new ReplyError('ERR connection closed'));
    this.#node.deliver();
  }

  /** @internal Routes replies that arrived since the last look. */
  takeArrived(): void {
    if (this.#closed) return;
    for (const item of this.#engine.takeReplies(this.id)) {
      const waiter = item.push ? undefined : this.#waiting.shift();
      if (waiter) settle(waiter, item.value);
      else this.#emit(convert(item.value));
    }
  }

  #emit(message: Reply): void {
    for (const listener of this.#listeners) listener(message);
  }

  #argv(args: Arg[]): (string | Uint8Array)[] {
    if (this.#closed) throw new Error('the client is closed');
    return args.map((arg) => (typeof arg === 'number' || typeof arg === 'bigint' ? String(arg) : arg));
  }
}

function settle(waiter: Waiter, value: unknown): void {
  const reply = convert(value);
  if (reply instanceof ReplyError) waiter.reject(reply);
  else waiter.resolve(reply);
}

/** The engine's values, with its error objects turned into `ReplyError`s. */
function convert(value: unknown): Reply {
  if (value instanceof Error) return new ReplyError(value.message);
  if (Array.isArray(value)) return value.map(convert);
  return value as Reply;
}
