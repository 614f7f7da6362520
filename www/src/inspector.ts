// The data inspector: the keys of the active pane's database, the selected
// key's contents (list cells with head and tail, a stream's timeline with its
// groups' last-delivered IDs and pending entries, a string with its encoding
// and TTL), and every pub/sub channel and pattern with its subscribers. All
// of it comes from core (Playground.keys/inspect/pubsub); it is drawn as
// text nodes only, never as HTML, and redrawn when what it shows changes.
import type { Bytes, GroupInfo, KeyInfo, Listeners } from 'redplay';
import type { Playground } from './engine.ts';
import { PAGE_SIZE, page, showBytes, showClient, showDuration } from './inspect-format.ts';

/** Keys listed at most; the rest is counted. */
const KEY_LIST_LIMIT = 200;

export interface InspectorHost {
  /** The pane name of a client id, if a pane owns it. */
  paneOf(client: number): string | undefined;
  /** The selection changed (the session keeps it). */
  changed(): void;
}

export class Inspector {
  private db = 0;
  private selected: { db: number; key: string } | null = null;
  private start = 0;
  private readonly input: HTMLInputElement;
  private readonly dbLabel: HTMLElement;
  private readonly keyList: HTMLElement;
  private readonly view: HTMLElement;
  private readonly pubsub: HTMLElement;
  /** Text last drawn per region: a region is redrawn only when it changes. */
  private readonly drawn = new WeakMap<HTMLElement, string>();

  constructor(
    root: HTMLElement,
    private readonly playground: Playground,
    private readonly host: InspectorHost,
  ) {
    root.classList.add('inspector');
    const title = el('h2', 'side-title', 'Inspector');
    const form = el('form', 'inspect-pick');
    this.input = el('input', 'inspect-key') as HTMLInputElement;
    this.input.setAttribute('aria-label', 'key to inspect');
    this.input.placeholder = 'key name, Enter';
    this.input.spellcheck = false;
    this.dbLabel = el('span', 'inspect-db');
    form.append(this.input, this.dbLabel);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (this.input.value !== '') this.select(this.input.value, this.db);
    });
    this.keyList = el('ul', 'key-list');
    this.keyList.setAttribute('aria-label', 'keys');
    this.view = el('div', 'inspect-view');
    this.view.setAttribute('aria-live', 'polite');
    this.pubsub = el('section', 'pubsub-view');
    this.pubsub.setAttribute('aria-label', 'pub/sub');
    root.append(title, form, this.keyList, this.view, this.pubsub);
  }

  /** The key shown, for the saved session. */
  get selection(): { db: number; key: string } | null {
    return this.selected;
  }

  /** Shows `key` of database `db` from its first element. */
  select(key: string, db: number): void {
    this.selected = { db, key };
    this.start = 0;
    this.input.value = key;
    this.update();
    this.host.changed();
  }

  /** The key list follows the database of the pane in use. */
  followDb(db: number): void {
    if (db === this.db) return;
    this.db = db;
    this.update();
  }

  /**
   * Redraws whatever changed (run after every command and clock tick); the
   * key list, a walk over the whole database, only when `keys` is set.
   */
  update(keys = true): void {
    this.dbLabel.textContent = `db ${this.db}`;
    if (keys) this.draw(this.keyList, this.renderKeys());
    this.draw(this.view, this.renderSelected());
    this.draw(this.pubsub, this.renderPubSub());
  }

  private draw(region: HTMLElement, nodes: Node[]): void {
    const holder = document.createElement('div');
    holder.append(...nodes);
    // Class names carry meaning too (head, tail): compare the markup, not just text.
    const signature = holder.innerHTML;
    if (this.drawn.get(region) === signature) return;
    this.drawn.set(region, signature);
    region.replaceChildren(...holder.childNodes);
  }

  private renderKeys(): Node[] {
    const { keys, total } = this.playground.keys(this.db, KEY_LIST_LIMIT);
    const items: Node[] = keys.map(({ key, type }) => {
      const li = el('li', 'key-item');
      const name = showBytes(key);
      const button = el('button', 'key-name', name) as HTMLButtonElement;
      button.type = 'button';
      button.dataset.type = type;
      button.title = `${type} — inspect`;
      if (typeof key === 'string') button.addEventListener('click', () => this.select(key, this.db));
      else button.disabled = true;
      if (this.selected?.db === this.db && this.selected.key === key) button.setAttribute('aria-current', 'true');
      li.append(button, el('span', 'key-type', type));
      return li;
    });
    if (total > keys.length) items.push(el('li', 'key-more', `and ${total - keys.length} more`));
    if (total === 0) items.push(el('li', 'key-more', `db ${this.db} is empty`));
    return items;
  }

  private renderSelected(): Node[] {
    if (!this.selected) return [el('p', 'muted', 'Click a key name here or in the output to inspect it.')];
    const { db, key } = this.selected;
    const info = this.playground.inspect(db, key, this.start, PAGE_SIZE);
    const title = el('h3', 'inspect-title');
    title.append(el('span', 'inspect-name', key), el('span', 'muted', ` db ${db}`));
    if (!info) return [title, el('p', 'muted', '(no such key)')];
    const meta = el('p', 'inspect-meta');
    meta.append(
      badge('type', info.type),
      badge('encoding', info.encoding),
      badge('ttl', info.ttlMs === null ? 'none' : showDuration(info.ttlMs)),
      badge('idle', `${info.idleSeconds}s`),
    );
    return [title, meta, ...this.renderData(info)];
  }

  private renderData(info: KeyInfo): Node[] {
    switch (info.type) {
      case 'string':
        return [el('pre', 'string-value', showBytes(info.value)), el('p', 'muted', `${byteLength(info.value)} bytes`)];
      case 'list': {
        const cells = el('ol', 'cells');
        cells.setAttribute('aria-label', 'list cells');
        info.items.forEach((item, i) => {
          const index = info.start + i;
          const cell = el('li', 'cell');
          cell.dataset.index = String(index);
          const marks = [index === 0 ? 'head' : '', index === info.length - 1 ? 'tail' : ''].filter(Boolean);
          for (const mark of marks) cell.classList.add(mark);
          cell.append(el('span', 'cell-index', marks.length ? `${index} ${marks.join('/')}` : String(index)), el('span', 'cell-value', showBytes(item)));
          cells.append(cell);
        });
        return [this.pager(info.length, 'cells'), cells];
      }
      case 'stream': {
        const summary = el('p', 'inspect-meta');
        summary.append(
          badge('length', String(info.length)),
          badge('first', info.firstId),
          badge('last', info.lastId),
          badge('entries-added', String(info.entriesAdded)),
          badge('max-deleted', info.maxDeletedId),
        );
        const timeline = el('ol', 'timeline');
        timeline.setAttribute('aria-label', 'stream entries');
        for (const entry of info.entries) {
          const row = el('li', 'entry');
          row.dataset.id = entry.id;
          row.append(el('span', 'entry-id', entry.id), el('span', 'entry-fields', pairs(entry.fields)));
          for (const group of info.groups) {
            if (group.lastDeliveredId === entry.id) row.append(el('span', 'delivered-mark', `◂ ${showBytes(group.name)}`));
          }
          timeline.append(row);
        }
        return [summary, this.pager(info.length, 'entries'), timeline, ...info.groups.map((g) => this.renderGroup(g))];
      }
    }
  }

  private renderGroup(group: GroupInfo): Node {
    const section = el('section', 'group');
    section.dataset.group = showBytes(group.name);
    const head = el('h4', 'group-name');
    head.append(
      el('span', '', `group ${showBytes(group.name)}`),
      badge('last-delivered', group.lastDeliveredId),
      badge('entries-read', String(group.entriesRead)),
      badge('lag', group.lag === null ? 'unknown' : String(group.lag)),
    );
    section.append(head);
    const table = el('table', 'pel');
    const caption = el('caption', 'muted', group.consumers.length ? 'consumers and pending entries' : 'no consumers');
    const header = el('tr', '');
    for (const h of ['consumer', 'idle', 'pending ID', 'deliveries', 'since delivery']) header.append(el('th', '', h));
    table.append(caption, header);
    for (const consumer of group.consumers) {
      const rows = consumer.pending.length ? consumer.pending : [null];
      rows.forEach((p, i) => {
        const tr = el('tr', p ? 'pending' : 'no-pending');
        tr.append(
          el('td', 'consumer', i === 0 ? showBytes(consumer.name) : ''),
          el('td', '', i === 0 ? showDuration(consumer.idleMs) : ''),
          el('td', 'pending-id', p ? p.id : '—'),
          el('td', 'deliveries', p ? String(p.deliveries) : ''),
          el('td', '', p ? showDuration(p.idleMs) : ''),
        );
        table.append(tr);
      });
    }
    section.append(table);
    return section;
  }

  private pager(length: number, what: string): Node {
    const p = page(this.start, length);
    const bar = el('p', 'pager');
    const button = (text: string, to: number | null) => {
      const b = el('button', 'page', text) as HTMLButtonElement;
      b.type = 'button';
      b.disabled = to === null;
      b.addEventListener('click', () => {
        if (to === null) return;
        this.start = to;
        this.update();
      });
      return b;
    };
    const shown = length === 0 ? `no ${what}` : `${what} ${p.start}–${p.end - 1} of ${length}`;
    bar.append(button('‹', p.previous), el('span', 'muted', ` ${shown} `), button('›', p.next));
    return bar;
  }

  private renderPubSub(): Node[] {
    const info = this.playground.pubsub();
    const section = (title: string, rows: Listeners[]): Node[] => {
      if (rows.length === 0) return [];
      const list = el('ul', 'listeners');
      list.setAttribute('aria-label', title);
      for (const row of rows) {
        const li = el('li', 'listener');
        li.dataset.name = showBytes(row.name);
        const who = row.clients.map((c) => showClient(c.id, c.name === null ? null : showBytes(c.name), this.host.paneOf(c.id)));
        li.append(el('span', 'channel', showBytes(row.name)), el('span', 'subscribers', who.join(', ')));
        list.append(li);
      }
      return [el('h4', '', title), list];
    };
    const parts = [
      ...section('channels', info.channels),
      ...section('patterns', info.patterns),
      ...section('shard channels', info.shardChannels),
    ];
    return [el('h3', 'side-subtitle', 'Pub/Sub'), ...(parts.length ? parts : [el('p', 'muted', 'No subscribers.')])];
  }
}

function pairs(fields: Bytes[]): string {
  const out: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) out.push(`${showBytes(fields[i])}=${showBytes(fields[i + 1])}`);
  return out.join(' ');
}

function byteLength(value: Bytes): number {
  return typeof value === 'string' ? new TextEncoder().encode(value).length : value.length;
}

function badge(name: string, value: string): HTMLElement {
  const b = el('span', 'badge');
  b.dataset.name = name;
  b.append(el('span', 'badge-name', name), el('span', 'badge-value', value));
  return b;
}

function el(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
