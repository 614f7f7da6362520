// One redplay node as the demo consoles see it: an Engine, a clock, and the
// clients connected to it, each with a sink that receives output arriving
// later (a blocking pop served by another client, pub/sub messages).
// Consoles with the same `node` attribute share one DemoNode. It drives the
// wasm facade (`Engine`) directly: the consoles need redis-cli's text
// (`runLine`), not the JS values of the package's API.
import { Engine } from '../../redplay.js';
import { loadWasm } from '../load-browser.js';

/** Loads the wasm module once for every console on the page. */
export function loadEngine(): Promise<unknown> {
  return loadWasm();
}

/** Receives text redis-cli would print for a client, without a typed line. */
export type Sink = (text: string) => void;

export interface LineOutcome {
  output: string;
  effect: 'none' | 'exit' | 'clear' | 'closed' | 'blocked' | 'subscribed';
}

/** How often blocked clients are checked for timeouts, in milliseconds. */
const TICK_MS = 50;

const shared = new Map<string, DemoNode>();

export class DemoNode {
  private readonly engine = new Engine();
  private readonly sinks = new Map<number, Sink>();
  /** Virtual time minus real time. */
  private offset = 0;
  /** The instant a `clock` attribute asks for, until the clock is first read. */
  private start: number | undefined;
  /** While a script runs, time stands still so that its stream IDs are reproducible. */
  private frozen: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private pumping = false;
  private pumpAgain = false;

  constructor(clock?: number) {
    this.start = clock;
  }

  /** The node named `name`, created (with `clock`) by the first console asking for it. */
  static shared(name: string, clock?: number): DemoNode {
    let node = shared.get(name);
    if (!node) {
      node = new DemoNode(clock);
      shared.set(name, node);
    }
    return node;
  }

  /** Whether `node` is one of the named, shared nodes (never disposed). */
  static isShared(node: DemoNode): boolean {
    for (const candidate of shared.values()) if (candidate === node) return true;
    return false;
  }

  now(): number {
    if (this.frozen !== null) return this.frozen;
    const real = Date.now();
    if (this.start !== undefined) {
      // The first reading is exactly the requested instant.
      this.offset = this.start - real;
      this.start = undefined;
    }
    return Math.floor(real + this.offset);
  }

  /** Runs `body` with the clock stopped at the current instant. */
  atOneInstant<T>(body: () => T): T {
    if (this.frozen !== null) return body();
    this.frozen = this.now();
    try {
      return body();
    } finally {
      this.frozen = null;
      this.watchBlocked();
    }
  }

  connect(sink: Sink): number {
    const id = this.engine.connect(this.now());
    this.sinks.set(id, sink);
    return id;
  }

  disconnect(id: number): void {
    this.sinks.delete(id);
    this.engine.disconnect(id);
    this.pump();
  }

  isBlocked(id: number): boolean {
    return this.engine.isBlocked(id);
  }

  /** Runs a typed line, then delivers whatever it caused for other clients. */
  runLine(id: number, line: string): LineOutcome {
    const result = this.engine.runLine(id, line, this.now());
    const outcome = { output: result.output, effect: result.effect as LineOutcome['effect'] };
    result.free();
    return outcome;
  }

  /**
   * Hands every client's pending output to its sink. A sink may run more
   * lines (a console types what it queued while blocked); those are pumped
   * by the same loop rather than recursively.
   */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        for (const [id, sink] of this.sinks) {
          const text = this.engine.drainOutput(id);
          if (text !== '') sink(text);
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /** While any client is blocked, moves the clock with real time so timeouts fire. */
  private watchBlocked(): void {
    if (this.timer !== null || !this.anyBlocked()) return;
    this.timer = setInterval(() => {
      this.engine.advance(this.now());
      this.pump();
      if (!this.anyBlocked() && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    }, TICK_MS);
  }

  private anyBlocked(): boolean {
    for (const id of this.sinks.keys()) if (this.engine.isBlocked(id)) return true;
    return false;
  }

  /** Frees an unshared node's engine. */
  dispose(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.sinks.clear();
    this.engine.free();
  }
}
