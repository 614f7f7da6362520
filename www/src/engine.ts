// The engine adapter: loads the wasm build of redplay-core and exposes the
// few calls the page needs. All Redis behaviour (splitting, formatting) lives
// in core; this file only passes lines in and text out.
import init, { Engine } from 'redplay';

export type LineEffect = 'none' | 'exit' | 'clear' | 'closed' | 'blocked' | 'subscribed';

export interface LineOutcome {
  output: string;
  effect: LineEffect;
}

export class Playground {
  private constructor(private readonly engine: Engine) {}

  static async load(): Promise<Playground> {
    await init();
    return new Playground(new Engine());
  }

  /** Milliseconds on the virtual clock; follows real time for now. */
  now(): number {
    return Date.now();
  }

  connect(): number {
    return this.engine.connect(this.now());
  }

  runLine(client: number, line: string): LineOutcome {
    const result = this.engine.runLine(client, line, this.now());
    const outcome = { output: result.output, effect: result.effect as LineEffect };
    result.free();
    return outcome;
  }
}
