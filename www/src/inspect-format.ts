// Text for the data inspector: bytes, durations and pages, and finding a key
// name in a line of redis-cli output. Pure functions, no DOM.
import type { Bytes } from 'redplay';

/** List cells or stream entries per inspector page. */
export const PAGE_SIZE = 50;

/** Bytes as redis-cli quotes non-printable ones (`\x00`); UTF-8 text as is. */
export function showBytes(value: Bytes): string {
  if (typeof value === 'string') return value;
  let out = '';
  for (const b of value) out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

/** `4.2s`, `3m 05s`, `2h 01m`: a TTL or idle time. */
export function showDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
  if (whole < 86_400) return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(whole / 86_400)}d ${Math.floor((whole % 86_400) / 3600)}h`;
}

export interface Page {
  start: number;
  /** Index one past the last shown. */
  end: number;
  previous: number | null;
  next: number | null;
}

/** Where the page holding `start` begins and ends in `length` elements. */
export function page(start: number, length: number, size = PAGE_SIZE): Page {
  const first = Math.max(0, Math.min(start, Math.max(0, length - 1)));
  const aligned = first - (first % size);
  const end = Math.min(length, aligned + size);
  return { start: aligned, end, previous: aligned > 0 ? aligned - size : null, next: end < length ? end : null };
}

/** Who a subscriber is: `#7 alice` (CLIENT SETNAME name) or `#7`. */
export function showClient(id: number, name: string | null, paneName?: string): string {
  const parts = [`#${id}`];
  if (name) parts.push(name);
  if (paneName) parts.push(`(${paneName})`);
  return parts.join(' ');
}

/**
 * The word around `offset` in a line of output, as a key name: redis-cli's
 * quotes and the `1) ` numbering are dropped, `\"` and `\\` unescaped.
 * Null when the offset is on blanks or punctuation only.
 */
export function wordAt(line: string, offset: number): string | null {
  // Quoted strings first: a key with spaces is one word inside its quotes.
  const quoted = /"((?:[^"\\]|\\.)*)"/g;
  for (let m = quoted.exec(line); m; m = quoted.exec(line)) {
    if (offset >= m.index && offset <= m.index + m[0].length) return unescape(m[1]);
  }
  const isWord = (c: string | undefined) => c !== undefined && !/[\s"]/.test(c);
  let start = offset;
  while (start > 0 && isWord(line[start - 1])) start -= 1;
  let end = offset;
  while (isWord(line[end])) end += 1;
  const word = line.slice(start, end).replace(/^\d+\)$/, '');
  return word === '' ? null : word;
}

function unescape(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})|\\(.)/g, (_, hex: string | undefined, c: string | undefined) => {
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    return { n: '\n', r: '\r', t: '\t' }[c ?? ''] ?? c ?? '';
  });
}
