// Console rendering: appends typed lines and replies to the output region.
// Everything is inserted as text nodes, never as HTML.

export class ConsoleView {
  constructor(private readonly output: HTMLElement) {}

  /** Echoes what the user typed after the prompt, as redis-cli's screen shows it. */
  echoInput(prompt: string, line: string): void {
    this.append(`${prompt} ${line}`, 'echo');
  }

  /** Appends redis-cli output (one or more lines ending in a newline). */
  print(text: string): void {
    if (text === '') return;
    this.append(text.endsWith('\n') ? text.slice(0, -1) : text, 'reply');
  }

  clear(): void {
    this.output.replaceChildren();
  }

  private append(text: string, kind: string): void {
    const block = document.createElement('pre');
    block.className = kind;
    block.textContent = text;
    this.output.append(block);
    block.scrollIntoView({ block: 'end' });
  }
}
