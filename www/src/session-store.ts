// Where a session goes: localStorage (kept across reloads), a JSON file
// (export/import) and a share link (`#s=` + base64url of the deflated JSON).
// The format itself and its checks live in session-format.ts.
import { SessionFormatError, SessionState, fromBase64url, parseSession, portable, toBase64url } from './session-format.ts';

export const STORAGE_KEY = 'redplay.session';
/** Longest share link fragment, in characters: links past this break in chats and mail. */
export const MAX_SHARE_CHARS = 6000;
/** History lines per pane a share link keeps when the whole history does not fit. */
const SHARE_TRIMMED_HISTORY = 20;
export const SHARE_PREFIX = '#s=';

/** The session kept in this browser, if any (a damaged one is dropped with a reason). */
export function loadStored(storage: Storage | null = safeStorage()): { session: SessionState | null; problem?: string } {
  const text = storage?.getItem(STORAGE_KEY);
  if (!text) return { session: null };
  try {
    return { session: parseSession(JSON.parse(text)) };
  } catch (error) {
    return { session: null, problem: `the saved session could not be read (${describe(error)})` };
  }
}

/** Keeps the session; returns a message when the browser refused (quota, privacy mode). */
export function store(session: SessionState, storage: Storage | null = safeStorage()): string | null {
  if (!storage) return 'this browser keeps no storage for this page: export the session to keep it';
  const text = JSON.stringify(session);
  try {
    storage.setItem(STORAGE_KEY, text);
    return null;
  } catch {
    return `the session (${kb(text.length)}) is too large to keep in this browser: export it to a file to keep it`;
  }
}

export function forget(storage: Storage | null = safeStorage()): void {
  storage?.removeItem(STORAGE_KEY);
}

/** The share link fragment (`#s=...`), or a reason it cannot be made. */
export async function shareFragment(session: SessionState): Promise<{ fragment: string; note?: string } | { error: string }> {
  const whole = portable(session);
  const full = await encode(whole);
  if (full.length <= MAX_SHARE_CHARS) return { fragment: SHARE_PREFIX + full };
  const trimmed = await encode({ ...whole, panes: whole.panes.map((p) => ({ ...p, history: p.history.slice(-SHARE_TRIMMED_HISTORY) })) });
  if (trimmed.length <= MAX_SHARE_CHARS) {
    return { fragment: SHARE_PREFIX + trimmed, note: `histories trimmed to their last ${SHARE_TRIMMED_HISTORY} lines to fit in a link` };
  }
  return {
    error: `this session is ${kb(trimmed.length)} as a link, over the ${kb(MAX_SHARE_CHARS)} limit: use Export to share it as a file`,
  };
}

/** The session a share link fragment holds. */
export async function fromFragment(fragment: string): Promise<SessionState> {
  if (!fragment.startsWith(SHARE_PREFIX)) throw new SessionFormatError('not a share link');
  const code = fragment.slice(SHARE_PREFIX.length);
  if (code.length > MAX_SHARE_CHARS * 2) throw new SessionFormatError('share link too long');
  const bytes = await pipe(fromBase64url(code), new DecompressionStream('deflate-raw'));
  return parseSession(JSON.parse(new TextDecoder().decode(bytes)));
}

/** Offers the session as a JSON file download. */
export function download(session: SessionState, stamp: string): void {
  const blob = new Blob([JSON.stringify(portable(session), null, 1)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `redplay-session-${stamp}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The session in a file chosen for import. */
export async function readFile(file: File): Promise<SessionState> {
  if (file.size > 64 * 1024 * 1024) throw new SessionFormatError(`file too large (${kb(file.size)})`);
  return portable(parseSession(JSON.parse(await file.text())));
}

export function describe(error: unknown): string {
  if (error instanceof SyntaxError) return 'not JSON';
  return error instanceof Error ? error.message : String(error);
}

async function encode(session: SessionState): Promise<string> {
  return toBase64url(await pipe(new TextEncoder().encode(JSON.stringify(session)), new CompressionStream('deflate-raw')));
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

function kb(chars: number): string {
  return `${(chars / 1024).toFixed(1)} KB`;
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
