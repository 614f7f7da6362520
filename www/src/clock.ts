// The virtual clock every client of the playground shares. It follows real
// time by default; it can be paused, and moved ahead by any amount (a step
// while paused, or a jump to make a BLPOP time out). It never goes back.

export class VirtualClock {
  private base: number;
  private anchor: number;
  private stopped = false;

  /** `real` reads real time in ms (injected so tests can drive it). */
  constructor(private readonly real: () => number = () => Date.now(), start = real(), paused = false) {
    this.base = start;
    this.anchor = real();
    this.stopped = paused;
  }

  /** Virtual milliseconds since the epoch. */
  now(): number {
    return this.stopped ? this.base : this.base + (this.real() - this.anchor);
  }

  get paused(): boolean {
    return this.stopped;
  }

  pause(): void {
    if (this.stopped) return;
    this.base = this.now();
    this.stopped = true;
  }

  resume(): void {
    if (!this.stopped) return;
    this.anchor = this.real();
    this.stopped = false;
  }

  /** Moves virtual time ahead by `ms` (running or paused). */
  advanceBy(ms: number): void {
    if (ms > 0) this.base += ms;
  }
}

/** `12:34:56.789` in UTC: the clock as the page shows it. */
export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** How long a client has waited, as the waiting indicator shows it: `3.2s`. */
export function formatWait(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}
