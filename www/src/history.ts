// Command history for one input line: Up/Down navigation like redis-cli's
// line editor, reverse search (Ctrl-R), kept in localStorage so it survives
// reloads. Each client pane has its own history under its own key.

export const DEFAULT_KEY = 'redplay.history';
const MAX_ENTRIES = 1000;
/** Longer lines are kept for this session only, not written to storage. */
const MAX_STORED_LINE = 16 * 1024;

/** The part of `Storage` the history uses (a Map-backed fake in tests). */
export type HistoryStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface SearchHit {
  line: string;
  index: number;
}

export class History {
  private entries: string[];
  private cursor: number;
  private draft = '';

  constructor(
    private readonly storage: HistoryStorage | null = safeStorage(),
    private readonly key = DEFAULT_KEY,
  ) {
    this.entries = load(this.storage, this.key);
    this.cursor = this.entries.length;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Every entry, oldest first. */
  get lines(): readonly string[] {
    return this.entries;
  }

  /** Replaces every entry (a restored session) and stores them. */
  replace(lines: readonly string[]): void {
    this.entries = lines.slice(-MAX_ENTRIES);
    this.cursor = this.entries.length;
    this.draft = '';
    this.save();
  }

  add(line: string): void {
    if (line.trim() === '') return;
    if (this.entries[this.entries.length - 1] !== line) {
      this.entries.push(line);
      if (this.entries.length > MAX_ENTRIES) this.entries.shift();
      this.save();
    }
    this.cursor = this.entries.length;
    this.draft = '';
  }

  /** The previous entry, remembering what was being typed. */
  previous(current: string): string {
    if (this.cursor === this.entries.length) this.draft = current;
    if (this.cursor > 0) this.cursor -= 1;
    return this.entries[this.cursor] ?? current;
  }

  next(): string {
    if (this.cursor < this.entries.length) this.cursor += 1;
    return this.cursor === this.entries.length ? this.draft : this.entries[this.cursor];
  }

  /**
   * The most recent entry containing `query` (ignoring case) strictly before
   * index `before` (default: from the newest). Null when none is left.
   */
  search(query: string, before = this.entries.length): SearchHit | null {
    const needle = query.toLowerCase();
    for (let i = Math.min(before, this.entries.length) - 1; i >= 0; i -= 1) {
      if (this.entries[i].toLowerCase().includes(needle)) return { line: this.entries[i], index: i };
    }
    return null;
  }

  private save(): void {
    try {
      const kept = this.entries.filter((e) => e.length <= MAX_STORED_LINE);
      this.storage?.setItem(this.key, JSON.stringify(kept));
    } catch {
      // Storage full or unavailable: history still works for this session.
    }
  }
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function load(storage: HistoryStorage | null, key: string): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(key) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((e): e is string => typeof e === 'string') : [];
  } catch {
    return [];
  }
}
