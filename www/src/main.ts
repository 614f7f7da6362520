// Page wiring: loads the engine, opens the first client pane, and connects
// the clock bar, the "new client" button and the timer that lets the virtual
// clock fire timeouts and delivers output to every pane.
import './style.css';
import { ClockBar } from './clock-bar.ts';
import { Playground } from './engine.ts';
import { ClientPane, PaneHost } from './pane.ts';

/** How often the clock is shown and timeouts are checked. */
const TICK_MS = 100;

class Workspace implements PaneHost {
  private readonly panes: ClientPane[] = [];

  constructor(
    private readonly playground: Playground,
    private readonly root: HTMLElement,
  ) {}

  open(name?: string): ClientPane {
    let slot = 1;
    while (this.panes.some((p) => p.slot === slot)) slot += 1;
    const pane = new ClientPane(this.playground, this, slot, name ?? `client ${slot}`);
    this.panes.push(pane);
    this.panes.sort((a, b) => a.slot - b.slot);
    const after = this.panes[this.panes.indexOf(pane) + 1];
    this.root.insertBefore(pane.root, after ? after.root : null);
    this.layout();
    pane.focus();
    return pane;
  }

  close(pane: ClientPane): void {
    if (this.panes.length === 1) return;
    const index = this.panes.indexOf(pane);
    this.panes.splice(index, 1);
    pane.dispose();
    this.layout();
    this.panes[Math.max(0, index - 1)].focus();
    this.afterCommand();
  }

  /** Every client may have output after any command (or a clock move). */
  afterCommand(): void {
    for (const pane of this.panes) pane.deliver();
  }

  tick(): void {
    this.playground.tick();
    this.afterCommand();
  }

  private layout(): void {
    this.root.dataset.count = String(this.panes.length);
    for (const pane of this.panes) pane.root.querySelector('.pane-close')?.toggleAttribute('disabled', this.panes.length === 1);
  }
}

async function start(): Promise<void> {
  const playground = await Playground.load();
  const workspace = new Workspace(playground, document.getElementById('panes') as HTMLElement);
  const clockBar = new ClockBar(document.getElementById('clock') as HTMLElement, playground.clock, () => {
    workspace.tick();
    clockBar.render();
  });
  document.getElementById('add-client')?.addEventListener('click', () => workspace.open());
  workspace.open();
  setInterval(() => {
    workspace.tick();
    clockBar.render();
  }, TICK_MS);
  document.body.dataset.ready = 'true';
  document.body.dataset.readyMs = String(Math.round(performance.now()));
}

start().catch((error: unknown) => {
  document.body.dataset.ready = 'error';
  const panes = document.getElementById('panes');
  if (panes) panes.textContent = `redplay failed to start: ${String(error)}`;
});
