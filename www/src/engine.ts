// The engine adapter: loads the wasm build of redplay-core, owns the virtual
// clock, and passes lines in and text out. All Redis and redis-cli behaviour
// (splitting, formatting, prompts, hints, completion, help) lives in core.
import init, { Engine } from 'redplay';
import { VirtualClock } from './clock.ts';

export type LineEffect = 'none' | 'exit' | 'clear' | 'closed' | 'blocked' | 'subscribed';

export interface LineOutcome {
  output: string;
  effect: LineEffect;
}

export class Playground {
  readonly clock: VirtualClock;

  private constructor(private readonly engine: Engine) {
    this.clock = new VirtualClock();
  }

  static async load(): Promise<Playground> {
    performance.mark('redplay:script');
    await init();
    performance.mark('redplay:wasm');
    const engine = new Engine();
    performance.mark('redplay:engine');
    return new Playground(engine);
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
