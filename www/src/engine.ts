// The engine adapter: loads the wasm build of redplay-core, owns the virtual
// clock, and passes lines in and text out. All Redis and redis-cli behaviour
// (splitting, formatting, prompts, hints, completion, help) lives in core.
import init, { Engine } from 'redplay';
import type { Bytes, KeyInfo, KeyList, PubSubInfo } from 'redplay';
import { VirtualClock } from './clock.ts';

export type LineEffect = 'none' | 'exit' | 'clear' | 'closed' | 'blocked' | 'subscribed';

export interface LineOutcome {
  output: string;
  effect: LineEffect;
}

export class Playground {
  readonly clock: VirtualClock;

  private constructor(
    private readonly engine: Engine,
    clock: VirtualClock,
  ) {
    this.clock = clock;
  }

  /** A fresh engine, or one holding `keyspace` (a `snapshot()`) at virtual time `clock`. */
  static async load(clock = new VirtualClock(), keyspace?: Uint8Array): Promise<Playground> {
    performance.mark('redplay:script');
    await init();
    performance.mark('redplay:wasm');
    const engine = new Engine();
    // Throws a RangeError (keyspace left empty) when the bytes are not a snapshot.
    if (keyspace && keyspace.length > 0) engine.restore(keyspace);
    engine.advance(clock.now());
    performance.mark('redplay:engine');
    return new Playground(engine, clock);
  }

  /** Throws a RangeError unless `keyspace` is a snapshot that restores (after `load`). */
  static check(keyspace: Uint8Array): void {
    const probe = new Engine();
    try {
      probe.restore(keyspace);
    } finally {
      probe.free();
    }
  }

  /** The keyspace as bytes, for `load`. */
  snapshot(): Uint8Array {
    return this.engine.snapshot(this.now());
  }

  /** Runs a command outside the console (restoring a pane's SELECT or name). */
  call(client: number, args: string[]): unknown {
    return this.engine.call(client, args, this.now());
  }

  /** The database `client` has selected. */
  clientDb(client: number): number {
    return this.engine.clientDb(client);
  }

  clientName(client: number): string | undefined {
    return this.engine.clientName(client);
  }

  keys(db: number, limit: number): KeyList {
    return this.engine.keys(db, limit, this.now());
  }

  /** What is stored at `key` (paged from `start`); null when there is no such key. */
  inspect(db: number, key: Bytes, start: number, count: number): KeyInfo | null {
    return this.engine.inspect(db, key, start, count, this.now());
  }

  pubsub(): PubSubInfo {
    return this.engine.pubsub();
  }

  /** Milliseconds on the virtual clock. */
  now(): number {
    return this.clock.now();
  }

  connect(): number {
    return this.engine.connect(this.now());
  }

  /** A new connection replacing `client`, with the same database selected (redis-cli after Ctrl-C). */
  reconnect(client: number): number {
    return this.engine.reconnect(client, this.now());
  }

  disconnect(client: number): void {
    this.engine.disconnect(client);
  }

  isConnected(client: number): boolean {
    return this.engine.isConnected(client);
  }

  runLine(client: number, line: string): LineOutcome {
    const result = this.engine.runLine(client, line, this.now());
    const outcome = { output: result.output, effect: result.effect as LineEffect };
    result.free();
    return outcome;
  }

  /** Output that reached `client` since it last ran a line, as redis-cli prints it. */
  drain(client: number): string {
    return this.engine.drainOutput(client);
  }

  prompt(client: number): string {
    return this.engine.prompt(client);
  }

  hint(line: string): string | undefined {
    return this.engine.hint(line);
  }

  completions(line: string): string[] {
    return this.engine.completions(line);
  }

  /** Virtual time at which `client` started waiting, if it is blocked. */
  blockedSince(client: number): number | undefined {
    return this.engine.blockedSince(client);
  }

  /** Lets the engine see the clock's time: timeouts that are due fire. */
  tick(): void {
    this.engine.advance(this.now());
  }
}
