// The saved form of a playground session: the keyspace (a core snapshot),
// the virtual clock, the cluster (a core save) if one was created, and each
// pane's name, history, unfinished line, selected database and cluster node. Pure data and checks, no DOM: the same JSON goes to
// localStorage, to an exported file and (compressed) into a share link.

export const SESSION_VERSION = 1;
/** Lines of history kept per pane in a saved session. */
export const MAX_HISTORY = 1000;
/** Panes a saved session may open. */
export const MAX_PANES = 16;

export interface ClockState {
  /** Virtual ms at the moment of saving. */
  now: number;
  paused: boolean;
  /**
   * Real ms (Date.now()) at the moment of saving: on reload a running clock
   * goes on as if it had kept running. `null` (exports, share links): it
   * resumes at `now`, so TTLs and idle times are as they were when saved.
   */
  savedAt: number | null;
}

export interface PaneState {
  name: string;
  history: string[];
  /** The line being typed, not yet run. */
  draft: string;
  db: number;
  /** The client's CLIENT SETNAME name. */
  clientName: string | null;
  /** The cluster node a `-c` console is attached to; absent for the standalone node. */
  node?: number | null;
}

export interface SessionState {
  version: typeof SESSION_VERSION;
  clock: ClockState;
  /** The engine's keyspace snapshot, base64url. */
  keyspace: string;
  panes: PaneState[];
  /** The key the inspector showed, if any. */
  inspected: { db: number; key: string } | null;
  /** The cluster (nodes, roles, slots, keys) as the engine saved it, base64url; absent without one. */
  cluster?: string | null;
}

export class SessionFormatError extends Error {
  override name = 'SessionFormatError';
}

/** Checks parsed JSON and returns it as a session, or throws SessionFormatError. */
export function parseSession(json: unknown): SessionState {
  const s = record(json, 'session');
  if (s.version !== SESSION_VERSION) throw new SessionFormatError(`unsupported session version ${String(s.version)}`);
  const clock = record(s.clock, 'clock');
  const panes = array(s.panes, 'panes');
  if (panes.length === 0 || panes.length > MAX_PANES) throw new SessionFormatError(`a session has 1 to ${MAX_PANES} panes`);
  let inspected: SessionState['inspected'] = null;
  if (s.inspected !== null && s.inspected !== undefined) {
    const i = record(s.inspected, 'inspected');
    inspected = { db: integer(i.db, 'inspected.db'), key: text(i.key, 'inspected.key') };
  }
  const cluster = s.cluster === null || s.cluster === undefined ? null : base64url(s.cluster, 'cluster');
  return {
    version: SESSION_VERSION,
    clock: {
      now: integer(clock.now, 'clock.now'),
      paused: clock.paused === true,
      savedAt: clock.savedAt === null || clock.savedAt === undefined ? null : integer(clock.savedAt, 'clock.savedAt'),
    },
    keyspace: base64url(s.keyspace, 'keyspace'),
    panes: panes.map((p, i) => {
      const pane = record(p, `panes[${i}]`);
      const node = pane.node === null || pane.node === undefined ? null : integer(pane.node, 'pane node');
      if (node !== null && cluster === null) throw new SessionFormatError('a pane is attached to a cluster node but there is no cluster');
      return {
        name: text(pane.name, 'pane name').slice(0, 100),
        history: array(pane.history, 'pane history').map((l) => text(l, 'history line')).slice(-MAX_HISTORY),
        draft: pane.draft === undefined ? '' : text(pane.draft, 'pane draft'),
        db: integer(pane.db ?? 0, 'pane db'),
        clientName: pane.clientName === null || pane.clientName === undefined ? null : text(pane.clientName, 'client name'),
        ...(node === null ? {} : { node }),
      };
    }),
    inspected,
    ...(cluster === null ? {} : { cluster }),
  };
}

/** Standard base64url (no padding) of bytes. */
export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new SessionFormatError('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A clock state as a restored page should start it. */
export function resumeAt(clock: ClockState, realNow: number): number {
  if (clock.paused || clock.savedAt === null) return clock.now;
  return clock.now + Math.max(0, realNow - clock.savedAt);
}

/** The session as a file or link carries it: the clock resumes where it was saved. */
export function portable(session: SessionState): SessionState {
  return { ...session, clock: { ...session.clock, savedAt: null } };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SessionFormatError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new SessionFormatError(`${what} is not a list`);
  return value;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new SessionFormatError(`${what} is not text`);
  return value;
}

function integer(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new SessionFormatError(`${what} is not a whole number`);
  return value;
}

function base64url(value: unknown, what: string): string {
  const s = text(value, what);
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new SessionFormatError(`${what} is not base64url`);
  return s;
}
