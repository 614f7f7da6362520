// One client's terminal inside a console: its name, what was typed after the
// prompt, what redis-cli printed, and an input line to type more. Everything
// is inserted as text, never parsed as HTML.

export const PROMPT = '127.0.0.1:6379>';

export class Pane {
  readonly element: HTMLElement;
  private readonly output: HTMLElement;
  private readonly input: HTMLInputElement;

  constructor(readonly name: string, onLine: (line: string) => void) {
    this.element = el('section', 'pane');
    this.element.dataset.client = name;
    if (name !== '') this.element.append(el('header', 'name', name));
    this.output = el('div', 'output');
    this.output.setAttribute('role', 'log');
    this.output.setAttribute('aria-live', 'polite');
    if (name !== '') this.output.setAttribute('aria-label', `${name}'s screen`);
    const form = el('form', 'input-line') as HTMLFormElement;
    const label = el('label', 'prompt', PROMPT);
    this.input = el('input', 'input') as HTMLInputElement;
    this.input.spellcheck = false;
    this.input.autocomplete = 'off';
    this.input.setAttribute('autocapitalize', 'off');
    this.input.setAttribute('aria-label', name === '' ? 'command' : `command typed by ${name}`);
    label.append(this.input);
    form.append(label);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const line = this.input.value;
      this.input.value = '';
      onLine(line);
    });
    this.element.append(this.output, form);
  }

  /** What the user typed, after the prompt, as redis-cli's screen shows it. */
  echo(line: string, step: number): void {
    const block = this.append(`${PROMPT} ${line}`, 'echo');
    block.dataset.step = String(step);
  }

  /** redis-cli output; `later` marks output that arrived after another client's command. */
  print(text: string, later = false): void {
    if (text === '') return;
    this.append(text.endsWith('\n') ? text.slice(0, -1) : text, later ? 'reply later' : 'reply');
  }

  /** A remark from the console itself (not redis-cli output). */
  note(text: string): void {
    this.append(text, 'note');
  }

  /** While blocked or reading messages, redis-cli shows no prompt. */
  setWaiting(waiting: boolean): void {
    this.element.classList.toggle('waiting', waiting);
  }

  clear(): void {
    this.output.replaceChildren();
  }

  private append(text: string, kind: string): HTMLElement {
    const block = el('pre', kind, text);
    this.output.append(block);
    this.output.scrollTop = this.output.scrollHeight;
    return block;
  }
}

function el(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
