// <redplay-console>: an embeddable redis-cli console for documentation pages,
// shipped in the package as `redplay/console` (dist/console.js; the playground's
// demos page uses the same module). The element's text is the demo script (one
// command per line); the console shows it in an editor, runs it on click (or
// on load with `autorun`), and prints exactly what redis-cli would.
// Framework-free: importing this module defines the element and loads the
// wasm from next to the package's files when a console first runs;
// `defineRedplayConsole()` defines it under another name too.
//
//   <script type="module" src="node_modules/redplay/dist/console.js"></script>
//   (or `import 'redplay/console'` in a bundled page)
//   <redplay-console clients="producer worker" node="queue-demo" autorun>
//     worker> BLPOP jobs 0
//     producer> RPUSH jobs "resize:42"
//   </redplay-console>
//
// Attributes (read each time the script runs):
//   clients  space-separated client names, one pane each; a line starting
//            with `name> ` is typed by that client, other lines by the first
//   node     consoles with the same value share one node; without it every
//            console has its own, fresh on each run
//   autorun  run the script as soon as the element is on the page
//   clock    Unix time in ms the node's clock starts at, so that stream IDs
//            (XADD *) come out the same on every run
import { DemoNode, loadEngine, type Sink } from './console/node.js';
import { Pane } from './console/pane.js';
import { dedent, parseScript } from './console/script.js';
import { consoleStyles } from './console/styles.js';

interface Client {
  name: string;
  pane: Pane;
  id: number;
  sink: Sink;
  /** Virtual time the client blocked at, while it waits. */
  blockedAt: number | null;
  /** After SUBSCRIBE redis-cli only prints messages; typed lines are not sent. */
  reading: boolean;
  /** Lines typed while blocked: redis-cli sends them once the reply arrives. */
  queue: string[];
}

/** redis-cli reports commands that took this long or longer. */
const SLOW_COMMAND_MS = 500;

export class RedplayConsole extends HTMLElement {
  private original = '';
  private editor: HTMLTextAreaElement | null = null;
  private panesBox: HTMLElement | null = null;
  private status: HTMLElement | null = null;
  private node: DemoNode | null = null;
  private clients: Client[] = [];
  private step = 0;
  private runs = 0;
  private busy: Promise<void> = Promise.resolve();

  connectedCallback(): void {
    if (this.shadowRoot) return;
    // A definition that runs before the parser has read the element's text
    // (a classic script in <head>) waits for it.
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', () => this.build(), { once: true });
    } else {
      this.build();
    }
  }

  disconnectedCallback(): void {
    this.release();
  }

  /** The script as the page wrote it. */
  get script(): string {
    return this.original;
  }

  /** Client names from the `clients` attribute; one unnamed client without it. */
  get clientNames(): string[] {
    const names = (this.getAttribute('clients') ?? '').split(/\s+/).filter((n) => n !== '');
    return names.length > 0 ? [...new Set(names)] : [''];
  }

  /** Runs the editor's script on a fresh set of clients (and a fresh node unless shared). */
  run(): Promise<void> {
    this.busy = this.busy.then(() => this.runNow()).catch((error: unknown) => this.fail(error));
    return this.busy;
  }

  private build(): void {
    this.original = dedent(this.textContent ?? '');
    const shadow = this.attachShadow({ mode: 'open' });
    shadow.adoptedStyleSheets = [consoleStyles()];

    const editor = document.createElement('textarea');
    editor.className = 'script';
    editor.spellcheck = false;
    editor.value = this.original;
    editor.rows = Math.max(2, this.original.split('\n').length);
    editor.setAttribute('aria-label', 'demo commands, one per line');
    editor.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void this.run();
      }
    });

    const run = button('Run', 'run', () => void this.run());
    run.title = 'Run the commands (Ctrl+Enter in the editor)';
    const reset = button('Reset', 'reset', () => {
      editor.value = this.original;
    });
    reset.title = 'Put the original commands back in the editor';
    const status = document.createElement('span');
    status.className = 'status';
    status.setAttribute('role', 'status');
    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    toolbar.append(run, reset, status);

    const panes = document.createElement('div');
    panes.className = 'panes';
    this.editor = editor;
    this.panesBox = panes;
    this.status = status;
    shadow.append(editor, toolbar, panes);
    this.buildPanes();
    if (this.hasAttribute('autorun')) void this.run();
  }

  private buildPanes(): void {
    const names = this.clientNames;
    this.panesBox?.classList.toggle('multi', names.length > 1);
    this.clients = names.map((name) => {
      const client: Client = {
        name,
        pane: new Pane(name, (line) => void this.type(client, line)),
        id: -1,
        sink: (text) => this.arrived(client, text),
        blockedAt: null,
        reading: false,
        queue: [],
      };
      return client;
    });
    this.panesBox?.replaceChildren(...this.clients.map((c) => c.pane.element));
  }

  private async runNow(): Promise<void> {
    this.setStatus('loading…');
    await loadEngine();
    this.release();
    this.buildPanes();
    const node = this.createNode();
    const steps = parseScript(this.editor?.value ?? '', this.clients.map((c) => c.name));
    node.atOneInstant(() => {
      this.connectClients(node);
      for (const step of steps) {
        const client = this.clients.find((c) => c.name === step.client);
        if (client) this.execute(client, step.line);
      }
    });
    this.runs += 1;
    this.setStatus('');
    this.setAttribute('data-runs', String(this.runs));
    this.dispatchEvent(new CustomEvent('redplay-run', { detail: { runs: this.runs } }));
  }

  /** A line typed into a pane's input. */
  private async type(client: Client, line: string): Promise<void> {
    await this.busy;
    await loadEngine();
    let node = this.node;
    if (!node) {
      const created = this.createNode();
      created.atOneInstant(() => this.connectClients(created));
      node = created;
    }
    node.atOneInstant(() => this.execute(client, line));
  }

  /** This console's node: the shared one it names, or a new one of its own. */
  private createNode(): DemoNode {
    const clockText = this.getAttribute('clock');
    const clock = clockText !== null && /^\d+$/.test(clockText.trim()) ? Number(clockText) : undefined;
    const shared = this.getAttribute('node');
    this.node = shared ? DemoNode.shared(shared, clock) : new DemoNode(clock);
    return this.node;
  }

  private connectClients(node: DemoNode): void {
    this.step = 0;
    for (const client of this.clients) client.id = node.connect(client.sink);
  }

  /** Disconnects this console's clients; an unshared node goes with them. */
  private release(): void {
    const node = this.node;
    if (!node) return;
    for (const client of this.clients) node.disconnect(client.id);
    if (!DemoNode.isShared(node)) node.dispose();
    this.node = null;
  }

  private execute(client: Client, line: string): void {
    const node = this.node;
    if (!node) return;
    if (client.reading) {
      client.pane.note(`${line}   (not sent: after SUBSCRIBE, redis-cli only prints messages)`);
      return;
    }
    if (client.blockedAt !== null) {
      client.queue.push(line);
      return;
    }
    this.step += 1;
    client.pane.echo(line, this.step);
    const outcome = node.runLine(client.id, line);
    client.pane.print(outcome.output);
    switch (outcome.effect) {
      case 'blocked':
        client.blockedAt = node.now();
        client.pane.setWaiting(true);
        break;
      case 'subscribed':
        client.reading = true;
        client.pane.setWaiting(true);
        break;
      case 'clear':
        client.pane.clear();
        break;
      case 'exit':
      case 'closed':
        // redis-cli would end; the console starts a new connection instead.
        node.disconnect(client.id);
        client.id = node.connect(client.sink);
        break;
      case 'none':
        break;
    }
    node.pump();
  }

  /** Output that reached a client without a typed line. */
  private arrived(client: Client, text: string): void {
    const node = this.node;
    client.pane.print(text, true);
    if (!node || client.blockedAt === null || node.isBlocked(client.id)) return;
    const elapsed = node.now() - client.blockedAt;
    client.blockedAt = null;
    client.pane.setWaiting(false);
    if (elapsed >= SLOW_COMMAND_MS) client.pane.print(`(${(elapsed / 1000).toFixed(2)}s)\n`, true);
    while (client.queue.length > 0 && client.blockedAt === null) {
      this.execute(client, client.queue.shift() as string);
    }
  }

  private setStatus(text: string): void {
    if (this.status) this.status.textContent = text;
  }

  private fail(error: unknown): void {
    this.setStatus(`redplay failed: ${String(error)}`);
    this.setAttribute('data-runs', 'error');
  }
}

function button(label: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

/** Defines the element (once) under `name`; returns the class. */
export function defineRedplayConsole(name = 'redplay-console'): typeof RedplayConsole {
  const existing = customElements.get(name);
  if (existing) return existing as typeof RedplayConsole;
  // A subclass per name: one constructor cannot be registered twice.
  const element = name === 'redplay-console' ? RedplayConsole : class extends RedplayConsole {};
  customElements.define(name, element);
  return element;
}

defineRedplayConsole();

declare global {
  interface HTMLElementTagNameMap {
    'redplay-console': RedplayConsole;
  }
}
