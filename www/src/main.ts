// Page wiring: restores the saved session (or a shared one from the URL),
// loads the engine, opens the client panes, and connects the clock bar, the
// session controls, the data inspector and the timer that lets the virtual
// clock fire timeouts and delivers output to every pane. The cluster view is
// loaded once the prompt is usable (it restores the saved cluster and its
// consoles then). Changes are saved to localStorage shortly after they
// happen and when the page is hidden.
import './style.css';
import { ClockBar } from './clock-bar.ts';
import { VirtualClock } from './clock.ts';
import type { Cluster as ClusterModel } from './cluster-engine.ts';
import type { ClusterView } from './cluster-view.ts';
import { Connection, NodeConnection } from './connection.ts';
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
  cluster: ClusterView | null = null;
  /** Called when something worth saving changed. */
  onChange: () => void = () => {};

  constructor(
    private readonly playground: Playground,
    private readonly root: HTMLElement,
  ) {}

  /** Opens a pane (a standalone client unless `connection` says otherwise), in `slot` if it is free. */
  open(name?: string, restored?: PaneState, connection?: Connection, wanted?: number): ClientPane {
    let slot = wanted !== undefined && !this.panes.some((p) => p.slot === wanted) ? wanted : 1;
    while (this.panes.some((p) => p.slot === slot)) slot += 1;
    const conn = connection ?? new NodeConnection(this.playground);
    const pane = new ClientPane(this.playground, this, slot, name ?? `client ${slot}`, restored, conn);
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

  close(pane: ClientPane, force = false): void {
    if (this.panes.length === 1 && !force) return;
    const index = this.panes.indexOf(pane);
    this.panes.splice(index, 1);
    pane.dispose();
    if (this.panes.length === 0) this.open();
    this.layout();
    this.panes[Math.max(0, index - 1)].focus();
    this.afterCommand();
  }

  /** Consoles attached to a cluster close when it is replaced or removed. */
  closeClusterConsoles(): void {
    for (const pane of this.panes.filter((p) => p.node !== null)) this.close(pane, true);
  }

  /** Every client may have output after any command (or a clock move). */
  afterCommand(): void {
    this.cluster?.update();
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
    this.cluster?.tick();
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
  // The saved cluster and its consoles until the cluster view has loaded them.
  let pending = session?.cluster ? { cluster: session.cluster, panes: session.panes.filter((p) => p.node != null) } : null;
  const capture = (): SessionState => {
    const cluster = workspace.cluster?.current;
    const state: SessionState = {
      version: SESSION_VERSION,
      clock: { now: clock.now(), paused: clock.paused, savedAt: Date.now() },
      keyspace: toBase64url(playground.snapshot()),
      panes: [...workspace.states(), ...(pending?.panes ?? [])],
      inspected: workspace.inspector?.selection ?? null,
    };
    const saved = cluster ? toBase64url(cluster.save()) : pending?.cluster;
    return saved ? { ...state, cluster: saved } : state;
  };
  const bar = new SessionBar(document.getElementById('session') as HTMLElement, {
    capture,
    check: async (checked) => {
      Playground.check(fromBase64url(checked.keyspace));
      if (checked.cluster) (await import('./cluster-engine.ts')).Cluster.check(fromBase64url(checked.cluster));
    },
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
    // Consoles on cluster nodes open once the cluster view has loaded, in their own slots.
    session.panes.forEach((pane, i) => {
      if (pane.node == null) workspace.open(pane.name, pane, undefined, i + 1);
    });
    if (session.panes.every((pane) => pane.node != null)) workspace.open();
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

  // The cluster view, off the path to the first prompt: if it fails to load,
  // the consoles go on (a saved cluster is kept for the next load).
  try {
    const problem = await loadClusterView(workspace, clock, pending, session);
    // A saved cluster that does not restore is dropped, as unreadable keys are.
    pending = null;
    if (problem) bar.say(problem, 'error');
  } catch (error) {
    bar.say(`The cluster view could not be loaded (${describe(error)}).`, 'error');
  }
  document.body.dataset.cluster = 'ready';
}

/**
 * Mounts the cluster view; restores the saved cluster and the consoles
 * attached to it. Returns why the saved cluster could not be restored, if so.
 */
async function loadClusterView(
  workspace: Workspace,
  clock: VirtualClock,
  pending: { cluster: string } | null,
  session: SessionState | null,
): Promise<string | null> {
  const [{ ClusterView }, { Cluster }] = await Promise.all([import('./cluster-view.ts'), import('./cluster-engine.ts')]);
  const view = new ClusterView(document.getElementById('cluster') as HTMLElement, clock, {
    openConsole: (index) => {
      const cluster = view.current;
      if (cluster) workspace.open(undefined, undefined, cluster.connect(index));
    },
    replaced: () => workspace.closeClusterConsoles(),
    changed: () => workspace.onChange(),
  });
  workspace.cluster = view;
  if (!pending) return null;
  let cluster: ClusterModel;
  try {
    cluster = Cluster.load(fromBase64url(pending.cluster), clock);
  } catch (error) {
    return `The saved cluster could not be restored (${describe(error)}).`;
  }
  view.use(cluster);
  const count = cluster.nodes().length;
  session?.panes.forEach((pane, i) => {
    if (pane.node != null && pane.node < count) workspace.open(pane.name, pane, cluster.connect(pane.node), i + 1);
  });
  return null;
}

start().catch((error: unknown) => {
  document.body.dataset.ready = 'error';
  const panes = document.getElementById('panes');
  if (panes) panes.textContent = `redplay failed to start: ${String(error)}`;
});
