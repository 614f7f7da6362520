// Page wiring: restores the saved session (or a shared one from the URL),
// loads the engine, opens the client panes, and connects the clock bar, the
// session controls, the data inspector and the timer that lets the virtual
// clock fire timeouts and delivers output to every pane. Changes are saved
// to localStorage shortly after they happen and when the page is hidden.
import './style.css';
import { ClockBar } from './clock-bar.ts';
import { VirtualClock } from './clock.ts';
import { Playground } from './engine.ts';
import { Inspector } from './inspector.ts';
import { ClientPane, PaneHost } from './pane.ts';
import { SessionBar } from './session-bar.ts';
import { PaneState, SESSION_VERSION, SessionState, fromBase64url, resumeAt, toBase64url } from './session-format.ts';
import { SHARE_PREFIX, describe, fromFragment, loadStored, store } from './session-store.ts';

/** How often the clock is shown and timeouts are checked. */
const TICK_MS = 100;
/** A change is saved this long after it (changes in a burst are saved once). */
const SAVE_DELAY_MS = 1000;
/** Clock ticks between redraws of the inspector's key list. */
const KEY_LIST_TICKS = 10;

class Workspace implements PaneHost {
  private readonly panes: ClientPane[] = [];
  private active: ClientPane | null = null;
  private ticks = 0;
  inspector: Inspector | null = null;
  /** Called when something worth saving changed. */
  onChange: () => void = () => {};

  constructor(
    private readonly playground: Playground,
    private readonly root: HTMLElement,
  ) {}

  open(name?: string, restored?: PaneState): ClientPane {
    let slot = 1;
    while (this.panes.some((p) => p.slot === slot)) slot += 1;
    const pane = new ClientPane(this.playground, this, slot, name ?? `client ${slot}`, restored);
    this.panes.push(pane);
    this.panes.sort((a, b) => a.slot - b.slot);
    const after = this.panes[this.panes.indexOf(pane) + 1];
    this.root.insertBefore(pane.root, after ? after.root : null);
    pane.root.addEventListener('focusin', () => this.activate(pane));
    this.layout();
    pane.focus();
    this.activate(pane);
    this.onChange();
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
    this.refreshInspector();
    this.onChange();
  }

  pick(key: string, db: number): void {
    this.inspector?.select(key, db);
  }

  changed(): void {
    this.onChange();
  }

  paneOf(client: number): string | undefined {
    return this.panes.find((p) => p.clientId === client)?.name;
  }

  tick(): void {
    this.playground.tick();
    for (const pane of this.panes) pane.deliver();
    // Keys expire as time passes, but a walk over them all ten times a second
    // would slow a page holding 100,000 keys: the list follows once a second.
    this.ticks = (this.ticks + 1) % KEY_LIST_TICKS;
    this.refreshInspector(this.ticks === 0);
  }

  states(): PaneState[] {
    return this.panes.map((p) => p.state());
  }

  private activate(pane: ClientPane): void {
    this.active = pane;
    this.refreshInspector();
  }

  private refreshInspector(keys = true): void {
    if (!this.inspector) return;
    if (this.active) this.inspector.followDb(this.active.db);
    this.inspector.update(keys);
  }

  private layout(): void {
    this.root.dataset.count = String(this.panes.length);
    for (const pane of this.panes) pane.root.querySelector('.pane-close')?.toggleAttribute('disabled', this.panes.length === 1);
  }
}

/** The session to start from: a share link first, then what this browser kept. */
async function startingSession(): Promise<{ session: SessionState | null; note?: string; problem?: string }> {
  if (location.hash.startsWith(SHARE_PREFIX)) {
    const fragment = location.hash;
    // The link is used once: a later reload keeps the user's own changes.
    history.replaceState(null, '', location.pathname + location.search);
    try {
      return { session: await fromFragment(fragment), note: 'Opened the shared session.' };
    } catch (error) {
      return { ...loadStored(), problem: `The share link could not be opened (${describe(error)}).` };
    }
  }
  return loadStored();
}

async function start(): Promise<void> {
  const { session, note, problem } = await startingSession();
  const clock = session
    ? new VirtualClock(undefined, resumeAt(session.clock, Date.now()), session.clock.paused)
    : new VirtualClock();
  let playground: Playground;
  let restoreProblem = problem;
  try {
    playground = await Playground.load(clock, session ? fromBase64url(session.keyspace) : undefined);
  } catch (error) {
    restoreProblem = `The saved keys could not be restored (${describe(error)}); starting empty.`;
    playground = await Playground.load(clock);
  }
  const workspace = new Workspace(playground, document.getElementById('panes') as HTMLElement);
  let saving = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const capture = (): SessionState => ({
    version: SESSION_VERSION,
    clock: { now: clock.now(), paused: clock.paused, savedAt: Date.now() },
    keyspace: toBase64url(playground.snapshot()),
    panes: workspace.states(),
    inspected: workspace.inspector?.selection ?? null,
  });
  const bar = new SessionBar(document.getElementById('session') as HTMLElement, {
    capture,
    check: (keyspace) => Playground.check(keyspace),
    stopSaving: () => {
      saving = false;
      clearTimeout(timer);
    },
  });
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!saving) return;
    const refused = store(capture());
    if (refused) bar.say(`Not saved: ${refused}.`, 'error');
  };
  const clockBar = new ClockBar(document.getElementById('clock') as HTMLElement, clock, () => {
    workspace.tick();
    clockBar.render();
    workspace.onChange();
  });
  workspace.inspector = new Inspector(document.getElementById('inspector') as HTMLElement, playground, {
    paneOf: (client) => workspace.paneOf(client),
    changed: () => workspace.onChange(),
  });
  document.getElementById('add-client')?.addEventListener('click', () => workspace.open());
  if (session) {
    for (const pane of session.panes) workspace.open(pane.name, pane);
    if (session.inspected) workspace.inspector.select(session.inspected.key, session.inspected.db);
  } else {
    workspace.open();
  }
  // Only now: opening the restored panes must not save a half-built session.
  workspace.onChange = () => {
    if (timer === undefined && saving) timer = setTimeout(save, SAVE_DELAY_MS);
  };
  addEventListener('pagehide', save);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') save();
  });
  if (restoreProblem) bar.say(restoreProblem, 'error');
  else if (note) bar.say(note);
  if (note) save();
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
