// Tab cycling as redis-cli's line editor does it: the first Tab shows the
// first completion, each further Tab the next one, then the line as typed,
// then around again. Escape puts the typed line back; any other key keeps the
// completion shown and goes on editing from there.

export class TabCycle {
  private typed = '';
  private options: string[] = [];
  private index = -1;

  /** True while Tab presses are cycling through completions. */
  get active(): boolean {
    return this.index >= 0;
  }

  /**
   * Handles a Tab press on `line`; `complete` is asked for the options on the
   * first press. Returns the line to show, or null when there is nothing to
   * complete (redis-cli beeps).
   */
  tab(line: string, complete: (line: string) => string[]): string | null {
    if (!this.active) {
      const options = complete(line);
      if (options.length === 0) return null;
      this.typed = line;
      this.options = options;
      this.index = 0;
      return options[0];
    }
    this.index = (this.index + 1) % (this.options.length + 1);
    return this.index === this.options.length ? this.typed : this.options[this.index];
  }

  /** Escape: back to the line as typed. */
  cancel(): string {
    const typed = this.typed;
    this.reset();
    return typed;
  }

  /** Any other key: the shown completion stays. */
  reset(): void {
    this.index = -1;
    this.options = [];
  }
}
