// One client pane: its own connection (to the standalone node or to a
// cluster node, see connection.ts), prompt, history, input line and output.
// It runs typed lines, prints output that arrives later (an unblocked BLPOP,
// pub/sub messages), and shows when its client waits.
import { formatWait } from './clock.ts';
import type { Connection } from './connection.ts';
import { ConsoleView } from './console-view.ts';
import { Playground } from './engine.ts';
import { DEFAULT_KEY, History } from './history.ts';
import { InputLine } from './input-line.ts';
import { wordAt } from './inspect-format.ts';
import { preferenceLine } from './preferences.ts';
import type { PaneState } from './session-format.ts';

export interface PaneHost {
  /** Called after every line run in any pane: other clients may have output. */
  afterCommand(): void;
  close(pane: ClientPane): void;
  /** A key name was clicked in this pane's output (database `db`). */
  pick(key: string, db: number): void;
  /** The pane's name or unfinished line changed: the session should be saved. */
  changed(): void;
}

/** redis-cli prints how long a command took when it took this long or more. */
const SLOW_MS = 500;

export class ClientPane {
  readonly root: HTMLElement;
  private readonly view: ConsoleView;
  private readonly line: InputLine;
  private readonly status: HTMLElement;
  private readonly nameInput: HTMLInputElement;
  private readonly history: History;
  private readonly conn: Connection;
  /** Virtual time at which the line now blocked was typed. */
  private blockedAt: number | null = null;
  /** Virtual time of the SUBSCRIBE that put the client in reading mode. */
  private readingSince: number | null = null;

  constructor(
    private readonly playground: Playground,
    private readonly host: PaneHost,
    readonly slot: number,
    name: string,
    restored: PaneState | undefined,
    connection: Connection,
  ) {
    this.conn = connection;
    const id = `pane-${slot}`;
    this.root = el('section', 'pane');
    this.root.dataset.pane = String(slot);
    if (connection.node !== null) this.root.classList.add('cluster-console');
    this.root.setAttribute('aria-label', `client ${name}`);

    const header = el('header', 'pane-header');
    this.nameInput = el('input', 'pane-name') as HTMLInputElement;
    this.nameInput.value = name;
    this.nameInput.setAttribute('aria-label', 'client name');
    this.nameInput.spellcheck = false;
    this.nameInput.addEventListener('change', () => {
      this.root.setAttribute('aria-label', `client ${this.name}`);
      host.changed();
    });
    this.nameInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.focus();
    });
    this.status = el('span', 'pane-status');
    const close = el('button', 'pane-close');
    close.textContent = '×';
    close.title = 'Close this client';
    close.setAttribute('aria-label', 'close client');
    close.addEventListener('click', () => host.close(this));
    header.append(this.nameInput, this.status, close);

    const output = el('div', 'output');
    output.setAttribute('role', 'log');
    output.setAttribute('aria-live', 'polite');
    output.tabIndex = 0;
    output.setAttribute('aria-label', 'output');
    const form = el('form', 'input-line');
    form.setAttribute('autocomplete', 'off');
    form.addEventListener('submit', (e) => e.preventDefault());
    const prompt = el('label', 'prompt');
    prompt.setAttribute('for', `${id}-input`);
    const editor = el('div', 'editor');
    const shadow = el('div', 'shadow');
    shadow.setAttribute('aria-hidden', 'true');
    const typed = el('span', 'typed');
    const hint = el('span', 'hint');
    shadow.append(typed, hint);
    const input = el('input', 'command') as HTMLInputElement;
    input.id = `${id}-input`;
    input.spellcheck = false;
    input.setAttribute('autocapitalize', 'off');
    input.setAttribute('aria-label', 'command');
    editor.append(shadow, input);
    form.append(prompt, editor);
    this.root.append(header, output, form);
    output.addEventListener('click', (e) => {
      if (window.getSelection()?.toString()) return;
      this.pickAt(e.clientX, e.clientY);
      this.line.focus();
    });
    input.addEventListener('input', () => host.changed());

    this.view = new ConsoleView(output);
    const history = new History(undefined, slot === 1 ? DEFAULT_KEY : `${DEFAULT_KEY}.${slot}`);
    this.history = history;
    this.line = new InputLine({ input, prompt, typed, hint }, history, playground, {
      submit: (text) => this.submit(text),
      interrupt: () => this.interrupt(),
      clearScreen: () => this.view.clear(),
    });
    if (restored) this.restore(restored, history);
    this.refresh();
  }

  /** What a saved session keeps of this pane. */
  state(): PaneState {
    return {
      name: this.name,
      history: [...this.history.lines],
      draft: this.line.value,
      db: this.conn.db,
      clientName: this.conn.clientName ?? null,
      node: this.conn.node,
    };
  }

  /** The standalone client id; null for a cluster console. */
  get clientId(): number | null {
    return this.conn.clientId;
  }

  /** The cluster node this console is attached to; null when standalone. */
  get node(): number | null {
    return this.conn.node;
  }

  /** The database this pane's client has selected. */
  get db(): number {
    return this.conn.db;
  }

  private restore(state: PaneState, history: History): void {
    history.replace(state.history);
    this.line.restore(state.draft);
    // The same commands a user would type; errors (a database that no longer
    // exists) leave the fresh connection as it is.
    try {
      if (state.db !== 0) this.conn.call(['SELECT', String(state.db)]);
      if (state.clientName) this.conn.call(['CLIENT', 'SETNAME', state.clientName]);
    } catch {
      // Nothing to restore then.
    }
  }

  /** Clicking a word of output that names a key in the client's database inspects it. */
  private pickAt(x: number, y: number): void {
    // The inspector shows the standalone node's keys.
    if (this.conn.node !== null) return;
    const caret = document.caretPositionFromPoint?.(x, y);
    const node = caret?.offsetNode;
    if (!caret || !node || node.nodeType !== Node.TEXT_NODE) return;
    const text = node.textContent ?? '';
    const lineStart = text.lastIndexOf('\n', caret.offset - 1) + 1;
    const lineEnd = text.indexOf('\n', caret.offset);
    const word = wordAt(text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd), caret.offset - lineStart);
    const db = this.db;
    if (word !== null && this.playground.inspect(db, word, 0, 0) !== null) this.host.pick(word, db);
  }

  get name(): string {
    return this.nameInput.value;
  }

  focus(): void {
    this.line.focus();
  }

  private submit(text: string): void {
    const prompt = this.conn.prompt();
    this.view.echoInput(prompt, text);
    const preference = preferenceLine(text);
    if (preference !== null) {
      this.view.print(preference.output);
      if (preference.hints !== undefined) this.line.hints = preference.hints;
      return;
    }
    const started = this.playground.now();
    const result = this.conn.runLine(text);
    this.view.print(result.output);
    if (result.effect === 'clear') this.view.clear();
    if (result.effect === 'blocked') this.blockedAt = started;
    if (result.effect === 'subscribed') this.readingSince = started;
    if (result.effect === 'exit' || result.effect === 'closed') this.conn.renew();
    this.host.afterCommand();
  }

  /**
   * Ctrl-C: reading mode (after SUBSCRIBE) or a waiting command ends and the
   * connection is replaced, as redis-cli reconnects (printing how long it
   * took, if half a second or more); otherwise the typed line is dropped.
   */
  private interrupt(): void {
    const since = this.readingSince ?? this.blockedAt;
    if (since !== null) {
      this.view.note(`^C${elapsed(this.playground.now() - since)}`);
      this.conn.interrupt();
      this.blockedAt = null;
      this.readingSince = null;
      this.host.afterCommand();
    } else {
      this.view.echoInput(this.conn.prompt(), `${this.line.value}^C`);
      this.line.clear();
    }
    this.refresh();
  }

  /** Prints output that arrived for this client and updates prompt and status. */
  deliver(): void {
    const text = this.conn.drain();
    if (text !== '') this.view.print(text);
    if (this.blockedAt !== null && this.conn.blockedSince() === undefined) {
      const took = elapsed(this.playground.now() - this.blockedAt);
      if (took !== '') this.view.print(`${took}\n`);
      this.blockedAt = null;
    }
    this.refresh();
  }

  /** The prompt, or what the client waits for: redis-cli shows no prompt then. */
  refresh(): void {
    const since = this.conn.blockedSince();
    const waiting = since !== undefined;
    const reading = this.readingSince !== null;
    this.line.locked = waiting || reading;
    this.root.classList.toggle('waiting', waiting || reading);
    this.line.setPrompt(waiting || reading ? '' : this.conn.prompt());
    let status = '';
    if (waiting) status = `waiting ${formatWait(this.playground.now() - since)} · Ctrl-C cancels`;
    else if (reading) status = 'reading messages · Ctrl-C quits';
    if (this.status.textContent !== status) this.status.textContent = status;
  }

  dispose(): void {
    this.conn.close();
    this.root.remove();
  }
}

/** redis-cli's `(1.08s)` after a command that took half a second or more; '' otherwise. */
function elapsed(ms: number): string {
  return ms >= SLOW_MS ? `(${(ms / 1000).toFixed(2)}s)` : '';
}

function el(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}
