// Command history for the input line: Up/Down navigation like redis-cli's
// linenoise, kept in localStorage so it survives reloads.

const STORAGE_KEY = 'redplay.history';
const MAX_ENTRIES = 1000;

export class History {
  private entries: string[];
  private cursor: number;
  private draft = '';

  constructor(private readonly storage: Storage | null = safeStorage()) {
    this.entries = load(this.storage);
    this.cursor = this.entries.length;
  }

  add(line: string): void {
    if (line.trim() === '') return;
    if (this.entries[this.entries.length - 1] !== line) {
      this.entries.push(line);
      if (this.entries.length > MAX_ENTRIES) this.entries.shift();
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.entries));
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
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function load(storage: Storage | null): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((e): e is string => typeof e === 'string') : [];
  } catch {
    return [];
  }
}
