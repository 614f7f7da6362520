// The session controls: Export (a JSON file), Import (replaces this page's
// session and reloads), Share link (a URL that opens to the same state),
// New session (forget everything), and the line that says what happened.
import type { SessionState } from './session-format.ts';
import { describe, download, forget, readFile, shareFragment, store } from './session-store.ts';

export interface SessionSource {
  /** The session as it is now. */
  capture(): SessionState;
  /** Checks that the session's keyspace (and cluster) restore; throws a RangeError if not. */
  check(session: SessionState): void | Promise<void>;
  /** Stop saving: the page is about to reload into another session. */
  stopSaving(): void;
}

export class SessionBar {
  private readonly status: HTMLElement;
  private readonly link: HTMLInputElement;

  constructor(root: HTMLElement, private readonly source: SessionSource) {
    root.classList.add('session-bar');
    const file = document.createElement('input');
    file.type = 'file';
    file.accept = 'application/json,.json';
    file.hidden = true;
    file.id = 'import-file';
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      file.value = '';
      if (chosen) void this.import(chosen);
    });
    this.link = document.createElement('input');
    this.link.className = 'share-link';
    this.link.readOnly = true;
    this.link.hidden = true;
    this.link.setAttribute('aria-label', 'share link');
    this.link.addEventListener('focus', () => this.link.select());
    this.status = document.createElement('span');
    this.status.className = 'session-status';
    this.status.setAttribute('role', 'status');
    root.append(
      button('Export', 'export-session', 'Save this session (keys, clients, histories, clock) as a file', () => this.export()),
      button('Import', 'import-session', 'Open a session file exported earlier', () => file.click()),
      button('Share link', 'share-session', 'A link that opens to this session', () => void this.share()),
      button('New session', 'reset-session', 'Forget this session and start an empty one', () => this.reset()),
      file,
      this.link,
      this.status,
    );
  }

  /** Shows a message about the session (saved-state problems, results). */
  say(text: string, kind: 'info' | 'error' = 'info'): void {
    this.status.textContent = text;
    this.status.dataset.kind = kind;
  }

  private export(): void {
    download(this.source.capture(), new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-'));
    this.say('Session exported.');
  }

  private async import(file: File): Promise<void> {
    try {
      const session = await readFile(file);
      await this.source.check(session);
      this.source.stopSaving();
      const problem = store(session);
      if (problem) throw new Error(problem);
      location.reload();
    } catch (error) {
      this.say(`Import failed: ${describe(error)}`, 'error');
    }
  }

  private async share(): Promise<void> {
    const made = await shareFragment(this.source.capture());
    if ('error' in made) {
      this.link.hidden = true;
      this.say(`No link: ${made.error}.`, 'error');
      return;
    }
    const url = `${location.origin}${location.pathname}${made.fragment}`;
    this.link.value = url;
    this.link.hidden = false;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      // No clipboard permission: the link is shown to copy by hand.
    }
    this.say(`Link ${copied ? 'copied' : 'ready'} (${url.length} characters)${made.note ? `; ${made.note}` : ''}.`);
  }

  private reset(): void {
    if (!confirm('Forget this session (keys, clients, histories) and start an empty one?')) return;
    this.source.stopSaving();
    forget();
    location.reload();
  }
}

function button(text: string, id: string, title: string, action: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.id = id;
  b.textContent = text;
  b.title = title;
  b.addEventListener('click', action);
  return b;
}
