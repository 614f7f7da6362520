// The cluster view in the side column: create a cluster (primaries ×
// replicas), see each node (address, role, slot ranges, key count, up or
// stopped or failed), stop and restart nodes, open a `-c` console on one,
// follow a typed key to its slot and owner, reshard a slot range, and watch
// the bus: the links the last command used, and PUBLISH against SPUBLISH
// in core's counters. Loaded after the prompt is usable (main.ts imports it
// on demand). Names and numbers go in as text nodes only, never as HTML.
import type { ClusterNode } from 'redplay';
import type { VirtualClock } from './clock.ts';
import { BusTotals, Cluster } from './cluster-engine.ts';
import { FlowDiagram } from './cluster-flow.ts';
import {
  Link, PRIMARIES, REPLICAS, address, busSummary, clampCount, downText, flowText, formatRanges, linkDelta, nodeState,
  parseSlotRange, roleText, size,
} from './cluster-format.ts';

export interface ClusterHost {
  /** Opens a `redis-cli -c` console pane on node `index`. */
  openConsole(index: number): void;
  /** The cluster was created (or removed: null); consoles on the old one must close. */
  replaced(cluster: Cluster | null): void;
  /** Something worth saving changed. */
  changed(): void;
}

/** Clock ticks between redraws of the node cards while nothing happens (key counts walk every key). */
const QUIET_TICKS = 10;

interface Card {
  root: HTMLElement;
  title: HTMLElement;
  role: HTMLElement;
  state: HTMLElement;
  slots: HTMLElement;
  keys: HTMLElement;
  down: HTMLElement;
  console: HTMLButtonElement;
  power: HTMLButtonElement;
}

export class ClusterView {
  private cluster: Cluster | null = null;
  private nodes: ClusterNode[] = [];
  private cards: Card[] = [];
  private links: Link[] = [];
  private totals: BusTotals | null = null;
  private ticks = 0;
  private readonly createForm: HTMLFormElement;
  private readonly shape: HTMLElement;
  private readonly body: HTMLElement;
  private readonly list: HTMLElement;
  private readonly keyInput: HTMLInputElement;
  private readonly keyOut: HTMLElement;
  private readonly bus: HTMLElement;
  private readonly flowNote: HTMLElement;
  private readonly diagram: FlowDiagram;
  private readonly reshardTarget: HTMLSelectElement;
  private readonly status: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly clock: VirtualClock,
    private readonly host: ClusterHost,
  ) {
    root.classList.add('cluster-view');
    const title = el('h2', 'side-title', 'Cluster');

    this.createForm = el('form', 'cluster-create') as HTMLFormElement;
    const primaries = numberInput('cluster-primaries', PRIMARIES, 3, 'primaries');
    const replicas = numberInput('cluster-replicas', REPLICAS, 1, 'replicas per primary');
    const create = button('Create cluster', 'cluster-create-button');
    create.type = 'submit';
    this.createForm.append(primaries.label, el('span', 'muted', '×'), replicas.label, create);
    this.createForm.addEventListener('submit', (e) => {
      e.preventDefault();
      this.use(Cluster.create(clampCount(primaries.input.value, PRIMARIES), clampCount(replicas.input.value, REPLICAS), clock));
      this.say(`Created ${this.nodes.length} nodes on ports 7000-${6999 + this.nodes.length}.`);
    });

    this.body = el('div', 'cluster-body');
    this.body.hidden = true;
    const head = el('div', 'cluster-head');
    this.shape = el('span', 'cluster-shape');
    const remove = button('Remove cluster', 'cluster-remove');
    remove.title = 'Close its consoles and forget the cluster';
    remove.addEventListener('click', () => {
      this.use(null);
      this.say('Cluster removed.');
    });
    head.append(this.shape, remove);

    // The key probe: slot and owner while typing.
    const probe = el('label', 'cluster-probe');
    probe.append(el('span', 'muted', 'key '));
    this.keyInput = el('input', 'cluster-key') as HTMLInputElement;
    this.keyInput.id = 'cluster-key';
    this.keyInput.spellcheck = false;
    this.keyInput.placeholder = 'type a key or shard channel';
    this.keyInput.addEventListener('input', () => this.showKey());
    this.keyOut = el('output', 'cluster-key-slot');
    this.keyOut.id = 'cluster-key-slot';
    this.keyOut.setAttribute('aria-live', 'polite');
    probe.append(this.keyInput);

    this.list = el('ul', 'cluster-nodes');
    this.list.setAttribute('aria-label', 'cluster nodes');

    // The bus: counters, the diagram of the last command's messages.
    const busBox = el('section', 'cluster-bus');
    busBox.setAttribute('aria-label', 'cluster bus');
    const busHead = el('div', 'cluster-bus-head');
    this.bus = el('output', 'bus-summary');
    this.bus.id = 'bus-summary';
    const reset = button('Reset counters', 'bus-reset');
    reset.addEventListener('click', () => {
      this.cluster?.resetBus();
      this.links = [];
      this.totals = this.cluster?.busTotals() ?? null;
      this.flowNote.textContent = '';
      this.update(true);
    });
    busHead.append(this.bus, reset);
    this.flowNote = el('p', 'flow-note');
    this.flowNote.id = 'flow-note';
    this.flowNote.setAttribute('aria-live', 'polite');
    this.diagram = new FlowDiagram();
    busBox.append(busHead, this.diagram.root, this.flowNote);

    // Reshard: a slot range to a primary.
    const reshard = el('form', 'cluster-reshard') as HTMLFormElement;
    const first = textInput('reshard-first', 'first slot');
    const last = textInput('reshard-last', 'last slot');
    this.reshardTarget = el('select', 'reshard-to') as HTMLSelectElement;
    this.reshardTarget.id = 'reshard-to';
    this.reshardTarget.setAttribute('aria-label', 'to node');
    const go = button('Reshard', 'reshard-button');
    go.type = 'submit';
    reshard.append(el('span', 'muted', 'slots'), first, el('span', 'muted', '–'), last, el('span', 'muted', 'to'), this.reshardTarget, go);
    reshard.addEventListener('submit', (e) => {
      e.preventDefault();
      this.reshard(first.value, last.value, Number(this.reshardTarget.value));
    });

    this.body.append(head, probe, this.keyOut, this.list, busBox, reshard);
    this.status = el('p', 'cluster-status');
    this.status.id = 'cluster-status';
    this.status.setAttribute('role', 'status');
    root.append(title, this.createForm, this.body, this.status);
  }

  /** The cluster shown (a restored one, a new one, or none). */
  use(cluster: Cluster | null): void {
    const old = this.cluster;
    this.cluster = cluster;
    // Consoles on the old cluster close before its engine goes.
    this.host.replaced(cluster);
    old?.free();
    this.createForm.hidden = cluster !== null;
    this.body.hidden = cluster === null;
    this.cards = [];
    this.list.replaceChildren();
    this.nodes = [];
    this.links = cluster?.links() ?? [];
    this.totals = cluster?.busTotals() ?? null;
    this.flowNote.textContent = '';
    this.update(true);
    this.host.changed();
  }

  get current(): Cluster | null {
    return this.cluster;
  }

  /** After a command or a clock tick: redraw what changed, and show the bus messages the command sent. */
  update(full = true): void {
    const cluster = this.cluster;
    if (!cluster) return;
    this.ticks = (this.ticks + 1) % QUIET_TICKS;
    const anyDown = this.nodes.some((n) => !n.running);
    if (full || anyDown || this.ticks === 0) this.drawNodes(cluster.nodes());
    const links = cluster.links();
    const totals = cluster.busTotals();
    const flow = linkDelta(this.links, links);
    if (flow.length > 0) {
      const before = this.totals;
      const kind =
        before && totals.shard.messages > before.shard.messages ? 'SPUBLISH'
        : before && totals.publish.messages > before.publish.messages ? 'PUBLISH'
        : 'FAIL';
      this.diagram.animate(flow, kind === 'SPUBLISH' ? 'shard' : kind === 'PUBLISH' ? 'publish' : 'control');
      this.flowNote.textContent = flowText(kind, flow);
    }
    this.links = links;
    this.totals = totals;
    const summary = `${busSummary(totals.publish.messages, totals.shard.messages)} (${size(totals.publish.bytes)} vs ${size(totals.shard.bytes)})`;
    if (this.bus.textContent !== summary) this.bus.textContent = summary;
  }

  /** A clock tick: failure detection runs, stopped nodes' countdowns move. */
  tick(): void {
    this.cluster?.tick();
    this.update(false);
  }

  private drawNodes(nodes: ClusterNode[]): void {
    const shapeChanged = JSON.stringify(nodes.map((n) => [n.primary, n.running, n.failed, n.ranges])) !==
      JSON.stringify(this.nodes.map((n) => [n.primary, n.running, n.failed, n.ranges]));
    this.nodes = nodes;
    while (this.cards.length < nodes.length) this.addCard(this.cards.length);
    const now = this.clock.now();
    const timeout = this.cluster?.nodeTimeoutMs ?? 0;
    nodes.forEach((node, i) => {
      const card = this.cards[i];
      const state = nodeState(node);
      card.root.dataset.role = node.primary === null ? 'primary' : 'replica';
      card.root.dataset.state = state;
      setText(card.role, roleText(node, nodes));
      setText(card.state, state);
      setText(card.slots, node.primary === null ? `slots ${formatRanges(node.ranges)} (${node.slots})` : 'slots: served by its primary');
      setText(card.keys, `keys ${node.keys} · epoch ${node.epoch} · id ${node.id.slice(0, 8)}`);
      setText(card.down, downText(node, now, timeout));
      card.console.disabled = !node.running;
      setText(card.power, node.running ? 'Stop' : 'Restart');
      card.power.setAttribute('aria-label', `${node.running ? 'stop' : 'restart'} ${address(node)}`);
    });
    if (shapeChanged) {
      this.shape.textContent = shapeText(nodes);
      this.diagram.draw(nodes);
      this.fillTargets(nodes);
      this.showKey();
    }
  }

  private addCard(index: number): void {
    const root = el('li', 'cluster-node');
    root.dataset.index = String(index);
    const node = this.nodes[index];
    root.dataset.port = String(node.port);
    const title = el('strong', 'node-address', address(node));
    const role = el('span', 'badge node-role');
    const state = el('span', 'badge node-state');
    const slots = el('div', 'node-slots');
    const keys = el('div', 'node-keys');
    const down = el('div', 'node-down');
    const consoleButton = button('Console', 'node-console');
    consoleButton.title = `Open a redis-cli -c console on ${address(node)}`;
    consoleButton.setAttribute('aria-label', `open a console on ${address(node)}`);
    consoleButton.addEventListener('click', () => this.host.openConsole(index));
    const power = button('Stop', 'node-power');
    power.addEventListener('click', () => this.togglePower(index));
    const actions = el('div', 'node-actions');
    actions.append(consoleButton, power);
    const head = el('div', 'node-head');
    head.append(title, role, state);
    root.append(head, slots, keys, down, actions);
    this.list.append(root);
    this.cards.push({ root, title, role, state, slots, keys, down, console: consoleButton, power });
  }

  private togglePower(index: number): void {
    const cluster = this.cluster;
    const node = this.nodes[index];
    if (!cluster || !node) return;
    if (node.running) {
      cluster.stop(index);
      this.say(`Stopped ${address(node)}. The others mark it failed after ${cluster.nodeTimeoutMs / 1000} s of virtual time` +
        (node.primary === null ? ', and a replica takes over its slots.' : '.'));
    } else {
      cluster.restart(index);
      this.say(`Restarted ${address(node)}.`);
    }
    this.update(true);
    this.host.changed();
  }

  private showKey(): void {
    const cluster = this.cluster;
    const key = this.keyInput.value;
    for (const card of this.cards) card.root.classList.remove('owner');
    if (!cluster || key === '') {
      setText(this.keyOut, '');
      this.diagram.mark(null);
      return;
    }
    const slot = cluster.keySlot(key);
    const owner = cluster.slotOwner(slot);
    const node = owner === undefined ? undefined : this.nodes[owner];
    setText(this.keyOut, `slot ${slot} · ${node ? `served by ${address(node)}` : 'not served by any node'}`);
    if (owner !== undefined) this.cards[owner]?.root.classList.add('owner');
    this.diagram.mark(owner ?? null);
  }

  private fillTargets(nodes: ClusterNode[]): void {
    const chosen = this.reshardTarget.value;
    this.reshardTarget.replaceChildren();
    nodes.forEach((node, i) => {
      if (node.primary !== null) return;
      const option = document.createElement('option');
      option.value = String(i);
      option.textContent = address(node);
      this.reshardTarget.append(option);
    });
    if ([...this.reshardTarget.options].some((o) => o.value === chosen)) this.reshardTarget.value = chosen;
  }

  private reshard(first: string, last: string, to: number): void {
    const cluster = this.cluster;
    const range = parseSlotRange(first, last);
    if (!cluster) return;
    if ('error' in range) {
      this.say(`Reshard: ${range.error}.`, 'error');
      return;
    }
    const moved = cluster.reshard(range.first, range.last, to);
    const target = this.nodes[to];
    if (moved === undefined || !target) {
      this.say('Reshard refused: the target is not a primary.', 'error');
      return;
    }
    const slots = range.first === range.last ? `slot ${range.first} is` : `slots ${range.first}-${range.last} are`;
    this.say(`Moved ${moved} key${moved === 1 ? '' : 's'}; ${slots} served by ${address(target)} now.`);
    this.update(true);
    this.host.changed();
  }

  private say(text: string, kind: 'info' | 'error' = 'info'): void {
    this.status.textContent = text;
    this.status.dataset.kind = kind;
  }
}

/** `6 nodes, 3 primaries serving slots` (a failed-over primary keeps its role but no slots, as in CLUSTER NODES). */
function shapeText(nodes: ClusterNode[]): string {
  const serving = nodes.filter((n) => n.slots > 0).length;
  return `${nodes.length} nodes, ${serving} primar${serving === 1 ? 'y' : 'ies'} serving slots`;
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

function el(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(text: string, className: string): HTMLButtonElement {
  const b = el('button', className, text) as HTMLButtonElement;
  b.type = 'button';
  return b;
}

function numberInput(id: string, limits: { min: number; max: number }, value: number, label: string) {
  const input = el('input', 'cluster-count') as HTMLInputElement;
  input.type = 'number';
  input.id = id;
  input.min = String(limits.min);
  input.max = String(limits.max);
  input.value = String(value);
  const wrap = el('label', 'cluster-count-label');
  wrap.append(input, el('span', 'muted', ` ${label}`));
  return { input, label: wrap };
}

function textInput(id: string, label: string): HTMLInputElement {
  const input = el('input', 'slot-input') as HTMLInputElement;
  input.id = id;
  input.inputMode = 'numeric';
  input.setAttribute('aria-label', label);
  input.placeholder = label.split(' ')[0];
  return input;
}
