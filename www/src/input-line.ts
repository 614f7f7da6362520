// The input line of one client pane: editing keys as in redis-cli's line
// editor (Up/Down history, Tab completion cycling, Escape, Ctrl-L, Ctrl-C),
// reverse search with Ctrl-R, and the grey hint of the arguments still to
// type. Hints and completions come from core through `LineSource`.
import { TabCycle } from './completion.ts';
import { History } from './history.ts';

export interface LineSource {
  hint(line: string): string | undefined;
  completions(line: string): string[];
}

export interface LineHandlers {
  submit(line: string): void;
  /** Ctrl-C with nothing selected. */
  interrupt(): void;
  /** Ctrl-L. */
  clearScreen(): void;
}

export interface LineElements {
  input: HTMLInputElement;
  prompt: HTMLElement;
  /** Invisible copy of the typed text, so the hint starts where it ends. */
  typed: HTMLElement;
  hint: HTMLElement;
}

interface Search {
  query: string;
  hit: { line: string; index: number } | null;
  original: string;
}

export class InputLine {
  private readonly tabs = new TabCycle();
  private search: Search | null = null;
  private promptText = '';
  /** While locked (a blocked client) Enter does nothing; Ctrl-C still works. */
  locked = false;

  /** Grey argument hints, as redis-cli's `:set hints` / `:set nohints` switch them. */
  hints = true;

  constructor(
    private readonly el: LineElements,
    private readonly history: History,
    private readonly source: LineSource,
    private readonly handlers: LineHandlers,
  ) {
    el.input.addEventListener('keydown', (e) => this.onKey(e));
    el.input.addEventListener('input', () => this.onInput());
  }

  get value(): string {
    return this.el.input.value;
  }

  /** Puts back a line that was being typed (a restored session). */
  restore(line: string): void {
    this.set(line);
  }

  setPrompt(text: string): void {
    if (text === this.promptText) return;
    this.promptText = text;
    if (!this.search) this.el.prompt.textContent = text;
  }

  focus(): void {
    this.el.input.focus();
  }

  clear(): void {
    this.tabs.reset();
    this.set('');
  }

  private set(line: string): void {
    this.el.input.value = line;
    this.el.input.setSelectionRange(line.length, line.length);
    this.refreshHint();
  }

  private onInput(): void {
    this.tabs.reset();
    if (this.search) {
      this.search.query = this.el.input.value;
      this.search.hit = this.history.search(this.search.query);
      this.showSearch();
    } else {
      this.refreshHint();
    }
  }

  private onKey(e: KeyboardEvent): void {
    const key = e.key;
    if (this.search && this.onSearchKey(e)) return;
    if (key === 'Tab' && !e.shiftKey && !e.altKey && !e.ctrlKey && (this.value !== '' || this.tabs.active)) {
      e.preventDefault();
      const shown = this.tabs.tab(this.value, (line) => this.source.completions(line));
      if (shown !== null) this.set(shown);
      return;
    }
    if (key === 'Escape' && this.tabs.active) {
      e.preventDefault();
      this.set(this.tabs.cancel());
      return;
    }
    if (key !== 'Tab' && key !== 'Shift') this.tabs.reset();
    if (key === 'Enter') {
      e.preventDefault();
      if (this.locked) return;
      const line = this.value;
      this.set('');
      this.history.add(line);
      this.handlers.submit(line);
    } else if (key === 'ArrowUp') {
      e.preventDefault();
      this.set(this.history.previous(this.value));
    } else if (key === 'ArrowDown') {
      e.preventDefault();
      this.set(this.history.next());
    } else if (e.ctrlKey && !e.altKey && !e.shiftKey && key.length === 1 && this.emacsKey(key.toLowerCase())) {
      e.preventDefault();
    } else if (e.ctrlKey && !e.altKey && key.toLowerCase() === 'l') {
      e.preventDefault();
      this.handlers.clearScreen();
    } else if (e.ctrlKey && !e.altKey && key.toLowerCase() === 'c') {
      const { selectionStart, selectionEnd } = this.el.input;
      if (selectionStart !== selectionEnd) return; // copying a selection
      e.preventDefault();
      this.handlers.interrupt();
    } else if (e.ctrlKey && !e.altKey && key.toLowerCase() === 'r') {
      e.preventDefault();
      this.search = { query: '', hit: null, original: this.value };
      this.el.input.value = '';
      this.showSearch();
    }
  }

  /**
   * The line editor's Ctrl keys redis-cli users type without thinking: A/E
   * start/end, B/F back/forward, P/N history, U the whole line, K to the end,
   * H backspace. (Ctrl-W belongs to the browser.) True when handled.
   */
  private emacsKey(key: string): boolean {
    const input = this.el.input;
    const value = input.value;
    const at = input.selectionStart ?? value.length;
    const move = (to: number) => input.setSelectionRange(to, to);
    switch (key) {
      case 'a':
        move(0);
        return true;
      case 'e':
        move(value.length);
        return true;
      case 'b':
        move(Math.max(0, at - 1));
        return true;
      case 'f':
        move(Math.min(value.length, at + 1));
        return true;
      case 'p':
        this.set(this.history.previous(value));
        return true;
      case 'n':
        this.set(this.history.next());
        return true;
      case 'u':
        this.set('');
        return true;
      case 'k':
        input.value = value.slice(0, at);
        this.refreshHint();
        return true;
      case 'h':
        if (at > 0) {
          input.value = value.slice(0, at - 1) + value.slice(at);
          move(at - 1);
          this.refreshHint();
        }
        return true;
      default:
        return false;
    }
  }

  /** Keys during reverse search; true when the key was handled. */
  private onSearchKey(e: KeyboardEvent): boolean {
    const search = this.search as Search;
    const key = e.key;
    if (e.ctrlKey && key.toLowerCase() === 'r') {
      e.preventDefault();
      const before = search.hit ? search.hit.index : undefined;
      search.hit = this.history.search(search.query, before) ?? search.hit;
      this.showSearch();
      return true;
    }
    if ((e.ctrlKey && key.toLowerCase() === 'g') || (e.ctrlKey && key.toLowerCase() === 'c')) {
      e.preventDefault();
      this.endSearch(search.original);
      return true;
    }
    if (key === 'Enter') {
      // Runs the line found, as shells do; nothing found runs nothing.
      this.endSearch(search.hit?.line ?? '');
      return false;
    }
    if (key === 'Escape' || key.startsWith('Arrow') || key === 'Tab') {
      e.preventDefault();
      this.endSearch(search.hit?.line ?? search.original);
      return true;
    }
    return false;
  }

  private showSearch(): void {
    const search = this.search as Search;
    const failed = search.query !== '' && !search.hit;
    this.el.prompt.textContent = `(${failed ? 'failed ' : ''}reverse-i-search)'`;
    this.el.typed.textContent = search.query;
    this.el.hint.textContent = `': ${search.hit?.line ?? ''}`;
  }

  private endSearch(line: string): void {
    this.search = null;
    this.el.prompt.textContent = this.promptText;
    this.set(line);
  }

  private refreshHint(): void {
    const line = this.value;
    const input = this.el.input;
    // The hint is drawn behind the input; once the text scrolls it cannot line up.
    const fits = input.scrollWidth <= input.clientWidth;
    const hint = fits && line !== '' && this.hints ? (this.source.hint(line) ?? '') : '';
    this.el.typed.textContent = line;
    this.el.hint.textContent = hint;
  }
}
